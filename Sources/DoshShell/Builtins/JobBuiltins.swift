import DoshProtocol
import DoshSystem
import SystemPackage

#if canImport(Glibc)
    import Glibc
#endif

/// `jobs`, `fg`, `bg`, `wait`, `disown`, and signalling a whole job (both sides).
extension Shell {
    func jobsBuiltin(_ arguments: [String]) throws(Unwind) -> Int32 {
        jobs.reapFinished(untraced: true)
        var long = false
        var pidsOnly = false
        var specs: [String] = []
        for argument in arguments {
            switch argument {
            case "-l": long = true
            case "-p": pidsOnly = true
            default: specs.append(argument)
            }
        }
        var numbers = jobs.jobs.map(\.number)
        if !specs.isEmpty {
            numbers = []
            for spec in specs {
                switch jobs.resolve(spec) {
                case .success(let number): numbers.append(number)
                case .failure(let error):
                    report("jobs: \(error.message)")
                    return 1
                }
            }
        }
        var output = ""
        for number in numbers {
            guard let job = jobs[number] else { continue }
            if pidsOnly {
                output += "\(job.processGroup)\n"
                continue
            }
            output += jobLine(job, showProcessGroup: long) + "\n"
            jobs[number]?.notified = true
        }
        try writeOutput(output)
        for number in numbers {
            if case .done? = jobs[number]?.state { jobs.remove(number: number) }
        }
        return 0
    }

    /// The job a `fg`/`bg`/`disown` operand names (the current job by default).
    private func jobNumber(_ name: String, _ arguments: [String]) -> Int? {
        switch jobs.resolve(arguments.first ?? "%+") {
        case .success(let number): return number
        case .failure(let error):
            report("\(name): \(error.message)")
            return nil
        }
    }

    func fgBuiltin(_ arguments: [String]) throws(Unwind) -> Int32 {
        guard terminal != nil, !isSubshell else {
            report("fg: no job control")
            return 1
        }
        guard let number = jobNumber("fg", arguments), let job = jobs[number] else { return 1 }
        try writeOutput(job.command + "\n")
        // Back to the foreground: the terminal (with the modes the job had), then SIGCONT to both sides.
        if let terminal {
            if var modes = job.terminalModes { tcsetattr(terminal.fd, TCSADRAIN, &modes) }
            if job.processGroup != 0 && !job.usesHostTerminal { tcsetpgrp(terminal.fd, job.processGroup) }
        }
        jobs.remove(number: number)
        var launch = JobLaunch(foreground: true, command: job.command)
        launch.group = job.processGroup
        launch.processIDs = job.processIDs.filter { job.statuses[$0] == nil }
        launch.hostParts = job.hostParts.filter { !$0.finished }
        launch.usesHostTerminal = job.usesHostTerminal
        launch.keepsTerminalForHost = job.usesHostTerminal
        jobLaunch = launch
        if job.usesHostTerminal, let part = launch.hostParts.first {
            // The host pty goes back to the job, with the guest terminal's current size.
            try? openHostTerminal(part.session)
            _ = try? part.session.request(.setForeground(jobID: part.jobID, foreground: true))
        }
        // Continued only once it holds the terminal on both sides, or it would stop again on
        // its first read.
        continueJob(job)
        defer {
            jobLaunch = nil
            reclaimTerminal()
        }
        var order: [StartedPipeline.Stage] = launch.processIDs.map { .guest($0) }
        order += launch.hostParts.map { .host(jobID: $0.jobID, session: $0.session, count: 1) }
        let statuses = try waitForegroundJob(statusOf: order)
        let last = job.processIDs.last.flatMap { job.statuses[$0]?.shellStatus } ?? statuses.last ?? 0
        return launch.processIDs.last == job.processIDs.last ? (statuses.first ?? last) : last
    }

    func bgBuiltin(_ arguments: [String]) throws(Unwind) -> Int32 {
        guard let number = jobNumber("bg", arguments), let job = jobs[number] else { return 1 }
        for part in job.hostParts where job.usesHostTerminal && !part.finished {
            _ = try? part.session.request(.setForeground(jobID: part.jobID, foreground: false))
        }
        continueJob(job)
        jobs[number]?.state = .running
        let marker = number == jobs.current ? "+" : number == jobs.previous ? "-" : " "
        try writeOutput("[\(number)]\(marker) \(job.command) &\n")
        return 0
    }

    func disownBuiltin(_ arguments: [String]) throws(Unwind) -> Int32 {
        if arguments == ["-a"] {
            for job in jobs.jobs { jobs.remove(number: job.number) }
            return 0
        }
        guard let number = jobNumber("disown", arguments) else { return 1 }
        jobs.remove(number: number)
        return 0
    }

    /// `wait [%job|pid…]`: waits for background jobs (both sides); a trapped signal interrupts.
    func waitBuiltin(_ arguments: [String]) throws(Unwind) -> Int32 {
        if arguments.isEmpty {
            while let job = jobs.jobs.first {
                guard let status = try waitForBackgroundJob(job.number) else { return 128 + (Signals.firstPending ?? 0) }
                _ = status
            }
            return 0
        }
        var status: Int32 = 0
        for argument in arguments {
            if argument.hasPrefix("%") {
                switch jobs.resolve(argument) {
                case .failure(let error):
                    report("wait: \(error.message)")
                    status = 127
                case .success(let number):
                    guard let result = try waitForBackgroundJob(number) else { return 128 + (Signals.firstPending ?? 0) }
                    status = result
                }
                continue
            }
            guard let pid = pid_t(argument) else {
                report("wait: `\(argument)': not a pid or valid job spec")
                status = 2
                continue
            }
            if let job = jobs.job(pid: pid) {
                guard let result = try waitForBackgroundJob(job.number, pid: pid) else { return 128 + (Signals.firstPending ?? 0) }
                status = result
            } else if let reaped = jobs.takeReapedStatus(pid) {
                status = reaped.shellStatus
            } else {
                report("wait: pid \(pid) is not a child of this shell")
                status = 127
            }
        }
        return status
    }

    /// Waits until a job is done; returns the status of its last process (or of `pid`), or nil
    /// when a trapped signal arrived first.
    private func waitForBackgroundJob(_ number: Int, pid: pid_t? = nil) throws(Unwind) -> Int32? {
        guard let job = jobs[number] else { return 0 }
        for process in job.processIDs where jobs[number]?.statuses[process] == nil {
            while true {
                do {
                    if let result = try Wait.wait(process) {
                        jobs.record(result.pid, result.status)
                        break
                    }
                } catch {
                    if error == .interrupted {
                        if let signal = Signals.firstPending, traps.action(for: signal) != nil { return nil }
                        continue
                    }
                    jobs.record(process, jobs.takeReapedStatus(process) ?? .exited(127))
                    break
                }
            }
        }
        for part in job.hostParts where !part.finished {
            _ = try waitHostJob(part.jobID, session: part.session)
            jobs.recordHostFinished(number: number, jobID: part.jobID)
        }
        let finished = jobs[number] ?? job
        jobs.remove(number: number)
        if let pid, let status = finished.statuses[pid] { return status.shellStatus }
        if case .done(let status) = finished.state { return status }
        return finished.processIDs.last.flatMap { finished.statuses[$0]?.shellStatus } ?? 0
    }

    /// SIGCONT to both sides of a job.
    private func continueJob(_ job: Job) {
        if job.processGroup != 0 { kill(-job.processGroup, SIGCONT) }
        for part in job.hostParts where !part.finished {
            _ = try? part.session.request(.signalJob(jobID: part.jobID, signal: SIGCONT))
        }
    }

    /// `kill %n`: the signal goes to the job's guest process group and to its host part.
    func signalJob(_ number: Int, _ signal: Int32) -> Bool {
        guard let job = jobs[number] else { return false }
        var delivered = true
        if job.processGroup != 0, kill(-job.processGroup, signal) != 0 { delivered = false }
        for part in job.hostParts where !part.finished {
            if (try? part.session.request(.signalJob(jobID: part.jobID, signal: signal))) == nil { delivered = false }
        }
        // A stopped job would not act on the signal until continued (as bash does for TERM/HUP).
        if case .stopped = job.state, signal == SIGTERM || signal == SIGHUP {
            if job.processGroup != 0 { kill(-job.processGroup, SIGCONT) }
            for part in job.hostParts where !part.finished {
                _ = try? part.session.request(.signalJob(jobID: part.jobID, signal: SIGCONT))
            }
        }
        if !delivered { report("kill: %\(number): \(Errno(rawValue: errno).message)") }
        return delivered
    }
}
