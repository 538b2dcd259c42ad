import DoshSystem
import SystemPackage

#if canImport(Glibc)
    import Glibc
#endif

/// `cd`, `pwd`, `umask`.
extension Shell {
    /// `name` is the builtin whose errors these are (`pushd` and `popd` change directory through here).
    func cdBuiltin(_ arguments: [String], as name: String = "cd") throws(Unwind) -> Int32 {
        var physical = false
        var operands = arguments[...]
        while let first = operands.first, first.hasPrefix("-"), first.count > 1 {
            if first == "--" {
                operands = operands.dropFirst()
                break
            }
            guard first.dropFirst().allSatisfy({ $0 == "L" || $0 == "P" }) else { break }
            physical = first.last == "P"
            operands = operands.dropFirst()
        }
        var printDirectory = false
        var target: String
        if let operand = operands.first {
            if operands.count > 1 {
                report("\(name): too many arguments")
                return 1
            }
            if operand == "-" {
                guard let old = variables.value("OLDPWD") else {
                    report("cd: OLDPWD not set")
                    return 1
                }
                target = old
                printDirectory = true
            } else {
                target = operand
            }
        } else {
            guard let home = variables.value("HOME"), !home.isEmpty else {
                report("cd: HOME not set")
                return 1
            }
            target = home
        }
        if target.isEmpty {
            // bash: `cd ""` stays where it is.
            return 0
        }
        // CDPATH applies to relative names that do not start with `.` or `..`.
        if !target.hasPrefix("/"), !target.hasPrefix("./"), !target.hasPrefix("../"), target != ".", target != "..",
            let cdpath = variables.value("CDPATH")
        {
            for directory in cdpath.split(separator: ":", omittingEmptySubsequences: false) {
                let candidate = directory.isEmpty ? "./\(target)" : "\(directory)/\(target)"
                if isDirectory(candidate) {
                    if !directory.isEmpty { printDirectory = true }
                    target = candidate
                    break
                }
            }
        }
        let oldDirectory = logicalWorkingDirectory
        var newDirectory: String
        if physical {
            guard chdir(target) == 0 else { return cdFailed(target, name) }
            newDirectory = physicalWorkingDirectory() ?? target
        } else {
            let absolute = target.hasPrefix("/") ? target : oldDirectory + "/" + target
            newDirectory = canonicalizeLogically(absolute)
            if chdir(newDirectory) != 0 {
                // The logical path may not exist physically (a `..` through a symlink): try the
                // name as written, the way POSIX's step 10 falls back.
                guard chdir(target) == 0 else { return cdFailed(target, name) }
                newDirectory = physicalWorkingDirectory() ?? newDirectory
            }
        }
        try? variables.set("OLDPWD", oldDirectory, export: variables["OLDPWD"]?.isExported ?? true)
        try? variables.set("PWD", newDirectory, export: variables["PWD"]?.isExported ?? true)
        if printDirectory { try writeOutput(newDirectory + "\n") }
        return 0
    }

    private func cdFailed(_ target: String, _ name: String) -> Int32 {
        let error = Errno(rawValue: errno)
        report("\(name): \(target): \(error.message)")
        return 1
    }

    func pwdBuiltin(_ arguments: [String]) throws(Unwind) -> Int32 {
        var physical = false
        for argument in arguments {
            switch argument {
            case "-P": physical = true
            case "-L": physical = false
            default: return usageError("pwd", "\(argument): invalid option")
            }
        }
        if physical {
            guard let directory = physicalWorkingDirectory() else {
                report("pwd: \(Errno(rawValue: errno).message)")
                return 1
            }
            try writeOutput(directory + "\n")
        } else {
            try writeOutput(logicalWorkingDirectory + "\n")
        }
        return 0
    }

    func umaskBuiltin(_ arguments: [String]) throws(Unwind) -> Int32 {
        var symbolic = false
        var operands = arguments[...]
        while let first = operands.first, first.hasPrefix("-"), first.count > 1, !first.contains("=") {
            operands = operands.dropFirst()
            if first == "--" { break }
            if first == "-S" { symbolic = true } else { return usageError("umask", "\(first): invalid option") }
        }
        let current = UInt32(umask(0))
        umask(mode_t(current))
        guard let operand = operands.first else {
            try writeOutput((symbolic ? UmaskMode.symbolic(current) : UmaskMode.octal(current)) + "\n")
            return 0
        }
        guard let mask = UmaskMode.parse(operand, current: current) else {
            report("umask: \(operand): invalid mode")
            return 1
        }
        umask(mode_t(mask))
        return 0
    }
}
