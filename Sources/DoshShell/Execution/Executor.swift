import DoshSystem
import SystemPackage

#if canImport(Glibc)
    import Glibc
#endif

extension Shell {
    /// Runs a command list; returns the status of the last command run.
    @discardableResult
    func execute(_ list: CommandList) throws(Unwind) -> Int32 {
        for item in list.items {
            if item.background {
                try runInBackground(item.andOr)
                lastStatus = 0
            } else {
                lastStatus = try execute(item.andOr)
            }
            try checkInterrupt()
            try runPendingTraps()
        }
        return lastStatus
    }

    func execute(_ andOr: AndOrList) throws(Unwind) -> Int32 {
        // Every pipeline but the last is a condition: `set -e` does not apply to it.
        var status: Int32
        if andOr.rest.isEmpty {
            status = try execute(andOr.first)
        } else {
            status = try asCondition { () throws(Unwind) in try execute(andOr.first) }
            var ranLast = false
            for (index, (op, pipeline)) in andOr.rest.enumerated() {
                lastStatus = status
                let run = op == .and ? status == 0 : status != 0
                guard run else { continue }
                if index == andOr.rest.count - 1 {
                    status = try execute(pipeline)
                    ranLast = true
                } else {
                    status = try asCondition { () throws(Unwind) in try execute(pipeline) }
                }
            }
            if !ranLast { lastFailureIgnored = status != 0 }
        }
        return status
    }

    func execute(_ pipeline: Pipeline) throws(Unwind) -> Int32 {
        guard let timing = pipeline.timing else { return try executeUntimed(pipeline) }
        let started = PipelineTimes.now()
        let status = try executeUntimed(pipeline)
        writeError(PipelineTimes.now().report(since: started, timing))
        return status
    }

    private func executeUntimed(_ pipeline: Pipeline) throws(Unwind) -> Int32 {
        // A job is a pipeline, as in bash: a pipeline of several commands is one job, and a
        // single command becomes one where it starts a process. A compound command or function
        // run by the shell itself is no job: each pipeline inside it is its own.
        let savedText = jobText
        jobText = pipeline.typedText.isEmpty ? pipeline.sourceText : pipeline.typedText
        defer { jobText = savedText }
        var status: Int32
        if pipeline.negated {
            status = try asCondition { () throws(Unwind) in try runPipelineAsJob(pipeline.commands) }
            status = status == 0 ? 1 : 0
            lastFailureIgnored = status != 0
        } else {
            lastFailureIgnored = false
            status = try runPipelineAsJob(pipeline.commands)
            lastStatus = status
            // POSIX: a compound command run by the shell itself whose status is a failure
            // that `set -e` ignored (`{ false && true; }`) does not end the shell.
            if !(lastFailureIgnored && Self.passesOnIgnoredFailure(pipeline.commands)) {
                lastFailureIgnored = false
                try exitOnErrorIfNeeded(status)
            }
        }
        lastStatus = status
        return status
    }

    private func runPipelineAsJob(_ commands: [Command]) throws(Unwind) -> Int32 {
        if commands.count == 1 { return try runPipeline(commands) }
        return try runAsJob { () throws(Unwind) in try runPipeline(commands) }
    }

    /// Whether a pipeline is one compound command the shell runs itself (not a subshell, not
    /// `[[ ]]`, which fails as a simple command does), whose status is its last command's.
    private static func passesOnIgnoredFailure(_ commands: [Command]) -> Bool {
        guard commands.count == 1, case .compound(let compound, _, _) = commands[0] else { return false }
        switch compound {
        case .subshell, .conditional: return false
        default: return true
        }
    }

    /// Runs `body` as a condition, where `set -e` is suspended.
    func asCondition<T>(_ body: () throws(Unwind) -> T) throws(Unwind) -> T {
        errExitSuppression += 1
        defer { errExitSuppression -= 1 }
        return try body()
    }

    /// `set -e`: a failed command outside any condition ends the shell.
    func exitOnErrorIfNeeded(_ status: Int32) throws(Unwind) {
        if status != 0 && options.errExit && errExitSuppression == 0 {
            throw .exit(status)
        }
    }

    /// Runs one command in the current shell (a compound command, function definition, or a
    /// simple command, which may start a child).
    func execute(_ command: Command) throws(Unwind) -> Int32 {
        do {
            return try executeUnguarded(command)
        } catch .failure(let status) {
            // The error was reported; only this command fails.
            return status
        }
    }

    private func executeUnguarded(_ command: Command) throws(Unwind) -> Int32 {
        switch command {
        case .simple(let simple):
            return try runSimpleCommand(simple)
        case .compound(let compound, let redirections, let line):
            currentLine = line
            if redirections.isEmpty { return try execute(compound) }
            return try withRedirections(redirections) { () throws(Unwind) in try execute(compound) }
        case .function(let definition):
            currentLine = definition.line
            functions[definition.name] = definition
            return 0
        }
    }

    func execute(_ compound: CompoundCommand) throws(Unwind) -> Int32 {
        switch compound {
        case .braceGroup(let list):
            return try execute(list)

        case .conditional(let expression):
            return try runConditional(expression)

        case .subshell(let list):
            return try runSubshell { () throws(Unwind) in try execute(list) }

        case .ifClause(let branches, let elseBody):
            for branch in branches {
                let condition = try asCondition { () throws(Unwind) in try execute(branch.condition) }
                if condition == 0 { return try execute(branch.body) }
            }
            if let elseBody { return try execute(elseBody) }
            return 0

        case .whileLoop(let condition, let body):
            return try runLoop(condition: condition, body: body, until: false)

        case .untilLoop(let condition, let body):
            return try runLoop(condition: condition, body: body, until: true)

        case .forLoop(let variable, let items, let body):
            let values = try items.map { words throws(Unwind) in try expandFields(words) } ?? positionalParameters
            var status: Int32 = 0
            loopDepth += 1
            defer { loopDepth -= 1 }
            for value in values {
                do {
                    try assignVariable(variable, value)
                } catch {
                    report("\(variable): \(error.message)")
                    throw .fatal(status: 1)
                }
                guard try runLoopIteration({ () throws(Unwind) in status = try execute(body) }) else { break }
            }
            return status

        case .caseClause(let subject, let items):
            let value = try expandString(subject)
            for item in items {
                for patternWord in item.patterns {
                    let pattern = Pattern(try expandPattern(patternWord))
                    if pattern.matches(value) {
                        return try execute(item.body)
                    }
                }
            }
            return 0
        }
    }

    private func runLoop(condition: CommandList, body: CommandList, until: Bool) throws(Unwind) -> Int32 {
        var status: Int32 = 0
        var bodyFailureIgnored = false
        loopDepth += 1
        defer { loopDepth -= 1 }
        while true {
            var done = false
            let next = try runLoopIteration { () throws(Unwind) in
                let test = try asCondition { () throws(Unwind) in try execute(condition) }
                if (test == 0) == until {
                    done = true
                    return
                }
                status = try execute(body)
                bodyFailureIgnored = lastFailureIgnored
            }
            if done || !next { break }
        }
        // The loop's status is its body's, and so is whether `set -e` ignored it.
        lastFailureIgnored = bodyFailureIgnored
        return status
    }

    /// Runs one iteration of a loop; returns false when `break` ends the loop. `break N` and
    /// `continue N` for an outer loop go on outwards with N-1.
    private func runLoopIteration(_ iteration: () throws(Unwind) -> Void) throws(Unwind) -> Bool {
        try checkInterrupt()
        do {
            try iteration()
        } catch .breakLoop(let levels) {
            if levels > 1 { throw .breakLoop(levels - 1) }
            return false
        } catch .continueLoop(let levels) {
            if levels > 1 { throw .continueLoop(levels - 1) }
        }
        return true
    }
}
