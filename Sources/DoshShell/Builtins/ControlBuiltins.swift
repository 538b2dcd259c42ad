import DoshSystem
import SystemPackage

#if canImport(Glibc)
    import Glibc
#endif

/// `break`, `continue`, `return`, `exit`, `eval`, `.`, `exec`.
extension Shell {
    func breakBuiltin(_ arguments: [String], isBreak: Bool) throws(Unwind) -> Int32 {
        let name = isBreak ? "break" : "continue"
        var levels = 1
        if let first = arguments.first {
            guard let number = Int(first), number >= 1 else {
                report("\(name): \(first): loop count out of range")
                throw .fatal(status: 1)
            }
            levels = number
        }
        guard loopDepth > 0 else {
            // bash: outside a loop, a warning-free no-op.
            return 0
        }
        levels = min(levels, loopDepth)
        throw isBreak ? .breakLoop(levels) : .continueLoop(levels)
    }

    func returnBuiltin(_ arguments: [String]) throws(Unwind) -> Int32 {
        let status = try statusArgument("return", arguments)
        guard functionDepth > 0 || sourceDepth > 0 else {
            report("return: can only `return' from a function or sourced script")
            return 1
        }
        throw .returnFromFunction(status)
    }

    func exitBuiltin(_ arguments: [String]) throws(Unwind) -> Int32 {
        if options.interactive, !isSubshell, !warnedAboutStoppedJobs {
            jobs.reapFinished(untraced: true)
            if jobs.hasStoppedJobs {
                warnedAboutStoppedJobs = true
                writeError("There are stopped jobs.\n")
                return 1
            }
        }
        throw .exit(try statusArgument("exit", arguments))
    }

    /// The numeric argument of `exit`/`return` (mod 256), or `$?` when absent.
    private func statusArgument(_ name: String, _ arguments: [String]) throws(Unwind) -> Int32 {
        guard let first = arguments.first else { return lastStatus }
        guard let number = Int(first.trimmingBlanks()) else {
            report("\(name): \(first): numeric argument required")
            throw .exit(2)
        }
        return Int32(truncatingIfNeeded: number & 0xFF)
    }

    func evalBuiltin(_ arguments: [String]) throws(Unwind) -> Int32 {
        let text = arguments.joined(separator: " ")
        if text.isEmpty { return 0 }
        return try evaluate(text, name: "eval")
    }

    func sourceBuiltin(_ arguments: [String]) throws(Unwind) -> Int32 {
        guard let name = arguments.first else {
            report(".: filename argument required")
            throw .fatal(status: 2)
        }
        // A name without a slash is searched in PATH (POSIX), then the current directory (bash).
        var path = name
        if !name.contains("/") {
            let searchPath = variables.value("PATH") ?? ""
            for directory in searchPath.split(separator: ":") {
                let candidate = "\(directory)/\(name)"
                if access(candidate, R_OK) == 0 && !isDirectory(candidate) {
                    path = candidate
                    break
                }
            }
        }
        guard !stackGuard.isNearlyExhausted else {
            report(".: \(name): maximum nesting level exceeded (\(sourceDepth))")
            throw .fatal(status: 2)
        }
        let savedParameters = positionalParameters
        if arguments.count > 1 { positionalParameters = Array(arguments.dropFirst()) }
        sourceDepth += 1
        defer {
            sourceDepth -= 1
            if arguments.count > 1 { positionalParameters = savedParameters }
        }
        do {
            return try runFile(path: path, reportMissing: true)
        } catch .returnFromFunction(let status) {
            return status
        } catch .failure(let status) {
            // POSIX: a `.` file that cannot be read ends a non-interactive shell.
            if !options.interactive { throw .fatal(status: status == 127 ? 1 : status) }
            return 1
        }
    }

    func execBuiltin(_ arguments: [String]) throws(Unwind) -> Int32 {
        // Redirections of `exec` were applied around this builtin; make them permanent by
        // dropping the saved copies: the caller's restore finds nothing to undo.
        // `exec -- command` (bash): the `--` ends options, and exec has none.
        let arguments = arguments.first == "--" ? Array(arguments.dropFirst()) : arguments
        guard let name = arguments.first else {
            keepRedirections = true
            return 0
        }
        guard case .found(let path) = findCommand(name) else {
            report("\(name): not found")
            throw .exit(127)
        }
        let error = Spawn.execute(path: path, arguments: arguments, environment: variables.environment())
        report("\(name): \(error.message)")
        throw .exit(error == .noSuchFileOrDirectory ? 127 : 126)
    }
}
