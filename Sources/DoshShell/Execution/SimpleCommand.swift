import DoshSystem
import SystemPackage

#if canImport(Glibc)
    import Glibc
#endif

extension Shell {
    /// Runs a simple command: expands it, then runs a special builtin, function, builtin or
    /// external program, in that order of lookup. `inTail` means nothing follows in this process
    /// (a forked child), so an external program may replace it.
    func runSimpleCommand(_ command: SimpleCommand, inTail: Bool = false) throws(Unwind) -> Int32 {
        if command.line > 0 { currentLine = command.line }
        if command.side == .host { return try runHostCommand(command) }
        lastSubstitutionStatus = nil
        let fields = try expandFields(command.words)

        guard let name = fields.first else {
            return try runAssignmentsOnly(command)
        }
        let arguments = Array(fields.dropFirst())

        if let builtin = Builtins.table[name], builtin.isSpecial {
            // POSIX: assignments before a special builtin stay; its errors end a script. Those
            // before `exec COMMAND` are in the environment of the program that replaces the shell.
            try applyAssignments(command.assignments, export: name == "exec" && !arguments.isEmpty)
            trace(fields)
            return try withRedirections(command.redirections, fatalOnError: true) { () throws(Unwind) in
                try runBuiltin(builtin, arguments)
            }
        }
        if let function = functions[name] {
            return try withTemporaryAssignments(command.assignments, fields: fields) { () throws(Unwind) in
                try withRedirections(command.redirections) { () throws(Unwind) in
                    try callFunction(function, arguments)
                }
            }
        }
        if let builtin = Builtins.table[name] {
            return try withTemporaryAssignments(command.assignments, fields: fields) { () throws(Unwind) in
                try withRedirections(command.redirections) { () throws(Unwind) in
                    try runBuiltin(builtin, arguments)
                }
            }
        }
        return try runExternal(name: name, fields: fields, command: command, inTail: inTail)
    }

    /// `A=1 B=2` with no command: the assignments change the shell.
    private func runAssignmentsOnly(_ command: SimpleCommand) throws(Unwind) -> Int32 {
        try applyAssignments(command.assignments)
        if !command.redirections.isEmpty {
            // Redirections are still performed (files created or truncated), then undone.
            _ = try withRedirections(command.redirections) { () throws(Unwind) -> Int32 in 0 }
        }
        return lastSubstitutionStatus ?? 0
    }

    /// Expands and assigns `assignments` in the shell, exported if `export`.
    func applyAssignments(_ assignments: [Assignment], export: Bool = false) throws(Unwind) {
        guard !assignments.isEmpty else { return }
        var traced: [String] = []
        for assignment in assignments {
            let value = try expandString(assignment.value)
            if options.xtrace { traced.append("\(assignment.name)=\(value)") }
            do {
                if export {
                    try variables.set(assignment.name, value, export: true)
                } else {
                    try assignVariable(assignment.name, value)
                }
            } catch {
                report("\(assignment.name): \(error.message)")
                throw .fatal(status: 1)
            }
        }
        trace(traced)
    }

    /// Assigns a variable, exporting it under `set -a`.
    func assignVariable(_ name: String, _ value: String) throws(VariableError) {
        try variables.set(name, value, export: options.allExport)
    }

    /// Runs `body` with `assignments` in effect and exported, then puts the old values back:
    /// `IFS=: read a b`, `X=1 myfunction`.
    private func withTemporaryAssignments(
        _ assignments: [Assignment], fields: [String], _ body: () throws(Unwind) -> Int32
    ) throws(Unwind) -> Int32 {
        guard !assignments.isEmpty else {
            trace(fields)
            return try body()
        }
        var saved: [(String, Variable?)] = []
        var traced: [String] = []
        for assignment in assignments {
            let value = try expandString(assignment.value)
            traced.append("\(assignment.name)=\(value)")
            saved.append((assignment.name, variables[assignment.name]))
            do {
                try variables.set(assignment.name, value, export: true)
            } catch {
                report("\(assignment.name): \(error.message)")
                restore(saved)
                throw .fatal(status: 1)
            }
        }
        trace(traced + fields)
        defer { restore(saved) }
        return try body()
    }

    private func restore(_ saved: [(String, Variable?)]) {
        for (name, old) in saved.reversed() {
            if let old {
                variables.restore(name, old)
            } else {
                try? variables.unset(name)
            }
        }
    }

    func runBuiltin(_ builtin: Builtin, _ arguments: [String]) throws(Unwind) -> Int32 {
        try builtin.run(self, arguments)
    }

    func callFunction(_ function: FunctionDefinition, _ arguments: [String]) throws(Unwind) -> Int32 {
        guard functionDepth < 1000, !stackGuard.isNearlyExhausted else {
            report("\(function.name): maximum function nesting level exceeded (\(functionDepth))")
            throw .fatal(status: 2)
        }
        let savedParameters = positionalParameters
        let savedLoopDepth = loopDepth
        positionalParameters = arguments
        functionDepth += 1
        loopDepth = 0
        variables.pushScope()
        defer {
            variables.popScope()
            functionDepth -= 1
            loopDepth = savedLoopDepth
            positionalParameters = savedParameters
        }
        do {
            if function.redirections.isEmpty { return try execute(function.body) }
            return try withRedirections(function.redirections) { () throws(Unwind) in try execute(function.body) }
        } catch .returnFromFunction(let status) {
            return status
        }
    }

    /// `set -x`: prints the command about to run on standard error after PS4.
    func trace(_ fields: [String]) {
        guard options.xtrace, !fields.isEmpty else { return }
        let prefix = (try? expandPromptString(variables.value("PS4") ?? "+ ")) ?? "+ "
        writeError(prefix + fields.map(quoteForDisplay).joined(separator: " ") + "\n")
    }

    // MARK: External programs

    private func runExternal(name: String, fields: [String], command: SimpleCommand, inTail: Bool) throws(Unwind) -> Int32 {
        var environment = variables.environment()
        if !command.assignments.isEmpty {
            var traced: [String] = []
            var overrides: [String: String] = [:]
            var order: [String] = []
            for assignment in command.assignments {
                let value = try expandString(assignment.value)
                traced.append("\(assignment.name)=\(value)")
                if overrides[assignment.name] == nil { order.append(assignment.name) }
                overrides[assignment.name] = value
            }
            environment.removeAll { entry in
                guard let equals = entry.firstIndex(of: "=") else { return false }
                return overrides[String(entry[..<equals])] != nil
            }
            for name in order { environment.append("\(name)=\(overrides[name]!)") }
            trace(traced + fields)
        } else {
            trace(fields)
        }

        let path: String
        switch findCommand(name) {
        case .found(let found):
            path = found
        case .notFound:
            return try withRedirections(command.redirections) { () throws(Unwind) -> Int32 in
                report("\(name): command not found")
                return 127
            }
        }

        if inTail {
            return try withRedirections(command.redirections) { () throws(Unwind) -> Int32 in
                let error = Spawn.execute(path: path, arguments: fields, environment: environment)
                return try handleExecFailure(error, name: name, path: path, fields: fields, environment: environment)
            }
        }
        return try withRedirections(command.redirections) { () throws(Unwind) -> Int32 in
            try runAsJob { () throws(Unwind) -> Int32 in
                var spawnOptions = SpawnOptions()
                spawnOptions.defaultSignals = signalsResetForChildren
                if let job = jobLaunch {
                    spawnOptions.processGroup = job.processGroup == 0 ? .new : .join(job.processGroup)
                    if job.guestTakesTerminal { spawnOptions.foregroundTerminal = terminal?.fd }
                }
                let pid: pid_t
                do throws(Errno) {
                    pid = try Spawn.spawn(path: path, arguments: fields, environment: environment, options: spawnOptions)
                } catch {
                    return try handleExecFailure(error, name: name, path: path, fields: fields, environment: environment)
                }
                if jobLaunch != nil {
                    recordJobProcess(pid)
                    return try waitForegroundJob().last ?? 0
                }
                return waitForChild(pid).shellStatus
            }
        }
    }

    /// What to do when a program cannot be run: a file without `#!` is a shell script (POSIX),
    /// anything else is reported with 126 or 127.
    private func handleExecFailure(
        _ error: Errno, name: String, path: String, fields: [String], environment: [String]
    ) throws(Unwind) -> Int32 {
        switch error {
        case .execFormatError:
            return try runAsScript(path: path, fields: fields)
        case .noSuchFileOrDirectory:
            report("\(name): \(error.message)")
            return 127
        default:
            if isDirectory(path) {
                report("\(name): Is a directory")
            } else {
                report("\(name): \(error.message)")
            }
            return 126
        }
    }

    /// Runs a file that has no `#!` line as a dosh script, in a subshell.
    private func runAsScript(path: String, fields: [String]) throws(Unwind) -> Int32 {
        try runSubshell { () throws(Unwind) -> Int32 in
            functions = [:]
            aliases = [:]
            scriptName = path
            positionalParameters = Array(fields.dropFirst())
            return try runFile(path: path, reportMissing: true)
        }
    }
}

func isDirectory(_ path: String) -> Bool {
    var info = stat()
    return stat(path, &info) == 0 && (info.st_mode & S_IFMT) == S_IFDIR
}

/// Quotes a word for display (`set -x`, `set`, `alias`) only when it needs it.
func quoteForDisplay(_ word: String) -> String {
    if !word.isEmpty && word.utf8.allSatisfy({ byte in
        isNameByte(byte) || "/.,:-+=@%^".utf8.contains(byte)
    }) {
        return word
    }
    return "'" + word.split(separator: "'", omittingEmptySubsequences: false).joined(separator: "'\\''") + "'"
}
