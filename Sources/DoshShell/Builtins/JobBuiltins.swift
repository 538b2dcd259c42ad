import DoshProtocol
import DoshSystem
import SystemPackage

#if canImport(Glibc)
    import Glibc
#endif

/// `jobs`, `fg`, `bg`, `wait`, `disown`, and signalling a whole job (both sides).
extension Shell {
    func jobsBuiltin(_ arguments: [String]) throws(Unwind) -> Int32 {
        updateJobStates()
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
                // The pid that `kill` takes for the job: the guest leader, or the host one.
                if let pid = job.leaderPID { output += "\(pid)\n" }
                continue
            }
            output += jobLine(job, showPID: long) + "\n"
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
        guard let terminal, !isSubshell else {
            report("fg: no job control")
            return 1
        }
        guard let number = jobNumber("fg", arguments), var job = jobs[number] else { return 1 }
        try writeOutput(job.command + "\n")
        jobs.remove(number: number)
        job.foreground = true
        job.state = .running
        // Back to the foreground: the terminal (with the modes the job had), then SIGCONT to both sides.
        if let modes = job.terminalModes { try? Terminal.setAttributes(modes, on: terminal.descriptor, when: .afterOutput) }
        if job.usesHostTerminal, let part = job.hostParts.first(where: { !$0.finished }) {
            // The host pty goes back to the job, with the guest terminal's current size.
            try? openHostTerminal(part.session)
            _ = try? part.session.request(.setForeground(jobID: part.jobID, foreground: true))
        } else if job.processGroup != 0 && job.terminalSide == .guest && !job.guestFinished {
            terminal.give(to: job.processGroup)
        }
        jobLaunch = job
        defer {
            jobLaunch = nil
            reclaimTerminal()
        }
        // Continued only once it holds the terminal on both sides, or it would stop again on
        // its first read.
        continueJob(job)
        let statuses = try waitForegroundJob()
        if job.pipeFail { return statuses.last(where: { $0 != 0 }) ?? 0 }
        return statuses.last ?? 0
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

    /// `wait [%job|pid…]`: waits for background jobs (both sides). A trapped signal, or Ctrl-C
    /// at the prompt, interrupts it (128+N); a stopped job counts as waited for, as in bash.
    func waitBuiltin(_ arguments: [String]) throws(Unwind) -> Int32 {
        if arguments.first == "-n" { return try waitForNextJob() }
        if arguments.isEmpty {
            for job in jobs.jobs {
                guard try waitForBackgroundJob(job.number) != nil else { return try interruptedWaitStatus() }
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
                    guard let result = try waitForBackgroundJob(number) else { return try interruptedWaitStatus() }
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
                guard let result = try waitForBackgroundJob(job.number, pid: pid) else { return try interruptedWaitStatus() }
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

    /// `wait -n`: waits until some job is done and returns its status (127 without jobs).
    private func waitForNextJob() throws(Unwind) -> Int32 {
        try? Signals.setDisposition(SIGCHLD, .catchPending)
        defer { restoreShellDisposition(SIGCHLD) }
        while true {
            updateJobStates()
            if let done = jobs.jobs.first(where: { if case .done = $0.state { return true } else { return false } }) {
                tellOfDeathWhenWaited(done)
                jobs.remove(number: done.number)
                jobs.forgetReapedStatuses(of: done)
                return done.status
            }
            let running = jobs.jobs.filter { $0.state == .running }
            guard !running.isEmpty else { return 127 }
            if interruptingSignals.contains(where: { Signals.isPending($0) }) { return try interruptedWaitStatus() }
            waitForJobEvent(running)
        }
    }

    /// The signals that cut a `wait` short: trapped ones, and Ctrl-C at the prompt.
    private var interruptingSignals: [Int32] {
        traps.actions.filter { !$0.value.isEmpty && $0.key > 0 }.map(\.key) + (interruptsAbandonTheLine ? [SIGINT] : [])
    }

    /// The status of a `wait` cut short by a signal; Ctrl-C at the prompt abandons the line.
    private func interruptedWaitStatus() throws(Unwind) -> Int32 {
        try checkInterrupt()
        return 128 + (Signals.firstPending ?? SIGINT)
    }

    /// Waits until a job is done or stopped, watching both sides at once; returns the status of
    /// its pipeline (or of `pid`), or nil when a trapped signal or Ctrl-C came first. A job that
    /// finished is forgotten; one that stopped stays (bash).
    private func waitForBackgroundJob(_ number: Int, pid: pid_t? = nil) throws(Unwind) -> Int32? {
        let interrupting = interruptingSignals
        try? Signals.setDisposition(SIGCHLD, .catchPending)
        defer { restoreShellDisposition(SIGCHLD) }
        while let job = jobs[number] {
            if case .done = job.state { break }
            if case .stopped = job.state { return job.status }
            updateJobStates()
            if let current = jobs[number], current.state != .running { continue }
            if interrupting.contains(where: { Signals.isPending($0) }) { return nil }
            waitForJobEvent([job])
        }
        guard let finished = jobs[number] else { return 0 }
        tellOfDeathWhenWaited(finished)
        jobs.remove(number: number)
        jobs.forgetReapedStatuses(of: finished)
        if let pid {
            if let status = finished.guestStatus(pid) { return status.shellStatus }
            for part in finished.hostParts {
                if let index = part.processIDs.firstIndex(of: pid), let statuses = part.statuses, index < statuses.count {
                    return statuses[index].shellStatus
                }
            }
        }
        return finished.status
    }

    /// An interactive shell tells of a waited-for job that a signal killed, as bash does
    /// (`[1]+  Terminated  sleep 30`); one that exited, or died of Ctrl-C or a broken pipe, it
    /// reaps without a word.
    private func tellOfDeathWhenWaited(_ job: Job) {
        guard options.interactive, !job.notified, case .done(let status) = job.state, status > 128 else { return }
        let signal = status - 128
        guard signal != SIGINT, signal != SIGPIPE, job.anyKilled(by: signal) else { return }
        writeError(jobLine(job) + "\n")
    }

    /// Sleeps until something may have happened to `job`: a child changed state (SIGCHLD), its
    /// host session said something, or a signal arrived.
    private func waitForJobEvent(_ waited: [Job]) {
        var descriptors = [pollfd]()
        if let wakeup = Signals.wakeupDescriptor { descriptors.append(pollfd(fd: wakeup, events: Int16(POLLIN), revents: 0)) }
        let parts = waited.flatMap(\.hostParts).filter { !$0.finished }
        for part in parts {
            descriptors.append(pollfd(fd: part.session.connection.fileDescriptor, events: Int16(POLLIN), revents: 0))
        }
        if let master = backgroundHostOutput { descriptors.append(pollfd(fd: master, events: Int16(POLLIN), revents: 0)) }
        // A guest child may have ended before SIGCHLD was caught: look again within a second.
        _ = poll(&descriptors, nfds_t(descriptors.count), 1000)
        if descriptors.first?.revents ?? 0 != 0 && Signals.wakeupDescriptor != nil {
            Signals.drainWakeup()
            _ = Signals.takePending(SIGCHLD)
        }
        for part in parts {
            var readable = pollfd(fd: part.session.connection.fileDescriptor, events: Int16(POLLIN), revents: 0)
            if poll(&readable, 1, 0) > 0 { try? part.session.readEvents(blocking: false) }
        }
        flushHostTerminalOutput()
    }

    /// `kill %n`: the signal goes to the job's guest process group and to its host part.
    func signalJob(_ number: Int, _ signal: Int32) -> Bool {
        guard let job = jobs[number] else { return false }
        var delivered = true
        if job.processGroup != 0 {
            if kill(-job.processGroup, signal) != 0 { delivered = false }
        } else {
            // Without job control a job has no group of its own: its processes, one by one.
            for pid in job.guestProcessIDs where job.guestStatus(pid) == nil {
                if kill(pid, signal) != 0 { delivered = false }
            }
        }
        for part in job.hostParts where !part.finished {
            if !signalHostPart(part, signal, wasStopped: job.isStopped) { delivered = false }
        }
        // A stopped job would not act on the signal until continued (as bash does for TERM/HUP).
        if job.isStopped, signal == SIGTERM || signal == SIGHUP, job.processGroup != 0 { kill(-job.processGroup, SIGCONT) }
        if !delivered { report("kill: %\(number): \(Errno(rawValue: errno).message)") }
        return delivered
    }

    /// Sends `signal` to a host part's process group (and SIGCONT after TERM or HUP to a
    /// stopped one, so that it acts on it).
    func signalHostPart(_ part: HostPart, _ signal: Int32, wasStopped: Bool) -> Bool {
        guard (try? part.session.request(.signalJob(jobID: part.jobID, signal: signal))) != nil else { return false }
        if wasStopped, signal == SIGTERM || signal == SIGHUP {
            _ = try? part.session.request(.signalJob(jobID: part.jobID, signal: SIGCONT))
        }
        return true
    }
}
