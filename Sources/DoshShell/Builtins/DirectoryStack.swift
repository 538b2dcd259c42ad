/// `pushd`, `popd`, `dirs`, as bash: entry 0 is the working directory, then the saved ones.
extension Shell {
    /// The whole stack as `dirs` counts it.
    private var fullDirectoryStack: [String] { [logicalWorkingDirectory] + directoryStack }

    /// `+N` counts from the left (0 is the working directory), `-N` from the right.
    private enum StackIndex {
        case valid(Int)
        case outOfRange
        case notANumber
    }

    private func stackIndex(_ word: String) -> StackIndex {
        guard let sign = word.first, sign == "+" || sign == "-", let number = Int(word.dropFirst()), number >= 0,
            word.dropFirst().allSatisfy(\.isASCII)
        else { return .notANumber }
        let count = fullDirectoryStack.count
        guard number < count else { return .outOfRange }
        return .valid(sign == "+" ? number : count - 1 - number)
    }

    /// `~` for `$HOME` at the start of a directory, as `dirs` shows it without `-l`.
    private func abbreviateHome(_ directory: String) -> String {
        guard let home = variables.value("HOME"), !home.isEmpty, home != "/" else { return directory }
        if directory == home { return "~" }
        if directory.hasPrefix(home + "/") { return "~" + directory.dropFirst(home.count) }
        return directory
    }

    private func printDirectoryStack(long: Bool = false) throws(Unwind) {
        let shown = fullDirectoryStack.map { long ? $0 : abbreviateHome($0) }
        try writeOutput(shown.joined(separator: " ") + "\n")
    }

    /// Changes directory the way `cd` does, its errors named after `builtin`.
    private func changeDirectory(_ directory: String, for builtin: String) throws(Unwind) -> Bool {
        try cdBuiltin(["--", directory], as: builtin) == 0
    }

    func pushdBuiltin(_ arguments: [String]) throws(Unwind) -> Int32 {
        var noChange = false
        var operands = arguments[...]
        while let first = operands.first, first == "-n" || first == "--" {
            operands = operands.dropFirst()
            if first == "--" { break }
            noChange = true
        }
        guard operands.count <= 1 else {
            report("pushd: too many arguments")
            return 2
        }
        guard let operand = operands.first else {
            // No operand: swap the top two.
            guard let second = directoryStack.first else {
                report("pushd: no other directory")
                return 1
            }
            if noChange { return 0 }
            let current = logicalWorkingDirectory
            guard try changeDirectory(second, for: "pushd") else { return 1 }
            directoryStack[0] = current
            try printDirectoryStack()
            return 0
        }
        if operand.count > 1, operand.first == "+" || operand.first == "-", operand.dropFirst().allSatisfy(\.isNumber) {
            // `+N`/`-N`: rotate so that entry N is on top.
            guard !directoryStack.isEmpty else {
                report("pushd: directory stack empty")
                return 1
            }
            guard case .valid(let index) = stackIndex(operand) else {
                report("pushd: \(operand): directory stack index out of range")
                return 1
            }
            let stack = fullDirectoryStack
            let rotated = Array(stack[index...] + stack[..<index])
            if !noChange {
                guard try changeDirectory(rotated[0], for: "pushd") else { return 1 }
            }
            directoryStack = Array(rotated.dropFirst())
            try printDirectoryStack()
            return 0
        }
        if noChange {
            directoryStack.insert(operand, at: 0)
        } else {
            let current = logicalWorkingDirectory
            guard try changeDirectory(operand, for: "pushd") else { return 1 }
            directoryStack.insert(current, at: 0)
        }
        try printDirectoryStack()
        return 0
    }

    func popdBuiltin(_ arguments: [String]) throws(Unwind) -> Int32 {
        var noChange = false
        var index = 0
        for argument in arguments {
            if argument == "-n" {
                noChange = true
                continue
            }
            switch stackIndex(argument) {
            case .valid(let valid): index = valid
            case .outOfRange:
                guard !directoryStack.isEmpty else { break }
                report("popd: \(argument): directory stack index out of range")
                return 1
            case .notANumber:
                let what = argument.hasPrefix("-") ? "invalid number" : "invalid argument"
                report("popd: \(argument): \(what)")
                writeError("popd: usage: popd [-n] [+N | -N]\n")
                return 2
            }
        }
        guard !directoryStack.isEmpty else {
            report("popd: directory stack empty")
            return 1
        }
        if index == 0 && noChange { index = 1 }
        if index == 0 {
            guard try changeDirectory(directoryStack[0], for: "popd") else { return 1 }
            directoryStack.removeFirst()
        } else {
            directoryStack.remove(at: index - 1)
        }
        try printDirectoryStack()
        return 0
    }

    func dirsBuiltin(_ arguments: [String]) throws(Unwind) -> Int32 {
        var long = false
        var perLine = false
        var numbered = false
        var only: Int? = nil
        var cleared = false
        for argument in arguments {
            if argument.hasPrefix("-"), argument.count > 1, argument.dropFirst().allSatisfy({ "clpv".contains($0) }) {
                for letter in argument.dropFirst() {
                    switch letter {
                    case "c": cleared = true
                    case "l": long = true
                    case "p": perLine = true
                    default: numbered = true
                    }
                }
                continue
            }
            switch stackIndex(argument) {
            case .valid(let valid): only = valid
            case .outOfRange:
                if directoryStack.isEmpty {
                    report("dirs: directory stack empty")
                } else {
                    report("dirs: \(argument.dropFirst()): directory stack index out of range")
                }
                return 1
            case .notANumber:
                let what = argument.hasPrefix("-") ? "invalid number" : "invalid argument"
                report("dirs: \(argument): \(what)")
                writeError("dirs: usage: dirs [-clpv] [+N] [-N]\n")
                return 2
            }
        }
        if cleared {
            directoryStack = []
            return 0
        }
        let stack = fullDirectoryStack.map { long ? $0 : abbreviateHome($0) }
        if let only {
            try writeOutput(stack[only] + "\n")
        } else if numbered {
            var output = ""
            for (index, directory) in stack.enumerated() {
                output += (index < 10 ? " \(index)" : "\(index)") + "  " + directory + "\n"
            }
            try writeOutput(output)
        } else if perLine {
            try writeOutput(stack.map { $0 + "\n" }.joined())
        } else {
            try writeOutput(stack.joined(separator: " ") + "\n")
        }
        return 0
    }
}
