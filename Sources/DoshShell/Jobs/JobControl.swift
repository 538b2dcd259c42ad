import DoshProtocol
import DoshSystem
import SystemPackage

#if canImport(Glibc)
    import Glibc
#endif

/// The shell's hold on its terminal while it does job control.
struct TerminalOwnership {
    let fd: Int32
    let shellGroup: pid_t
    /// The modes the shell wants at its prompt, put back after every foreground job.
    var shellModes: termios
}

/// The job being started in the foreground or background: its process group (0 until the first
/// process exists), its processes so far, and its host parts.
struct JobLaunch {
    var group: pid_t = 0
    var foreground: Bool
    var command: String
    var processIDs: [pid_t] = []
    var hostParts: [Job.HostPart] = []
    /// Whether a host process has the session's host pty: the guest terminal is relayed to it
    /// while the job is in the foreground.
    var usesHostTerminal = false
    /// Set before any stage starts when a host stage may take the host pty: the shell keeps the
    /// guest terminal then (to relay it), so guest stages must not take it.
    var keepsTerminalForHost = false

    /// Whether the job's guest processes get the guest terminal.
    var guestTakesTerminal: Bool { foreground && !keepsTerminalForHost }
}

extension Shell {
    /// Whether this shell runs jobs in their own process groups and hands them the terminal.
    var jobControlActive: Bool { terminal != nil && !isSubshell }

    /// Takes the terminal for an interactive shell: its own process group, in the foreground,
    /// with the job-control signals ignored for itself (its children get them back).
    func startJobControl() {
        let fd: Int32 = 0
        guard isatty(fd) != 0 else { return }
        // Like other shells: wait until we are in the foreground before taking the terminal.
        while tcgetpgrp(fd) != getpgrp() {
            kill(-getpgrp(), SIGTTIN)
        }
        for signal in [SIGTSTP, SIGTTIN, SIGTTOU] {
            try? Signals.setDisposition(signal, .ignore)
        }
        let shellGroup = getpid()
        if getpgrp() != shellGroup { setpgid(0, shellGroup) }
        tcsetpgrp(fd, shellGroup)
        var modes = termios()
        tcgetattr(fd, &modes)
        terminal = TerminalOwnership(fd: fd, shellGroup: shellGroup, shellModes: modes)
        options.monitor = true
        signalsResetForChildren = [SIGINT, SIGQUIT, SIGTERM, SIGTSTP, SIGTTIN, SIGTTOU]
    }

    /// In a forked child of a job: join the job's process group and, in the foreground, take the
    /// terminal before running anything.
    func enterJobProcessGroup(_ launch: JobLaunch) {
        setpgid(0, launch.group)
        if launch.guestTakesTerminal, let terminal { tcsetpgrp(terminal.fd, getpgrp()) }
        for signal in signalsResetForChildren { try? Signals.setDisposition(signal, .default) }
    }

    /// In the parent, right after a job's process started: the same group, set from this side
    /// too so neither side races the other.
    func recordJobProcess(_ pid: pid_t) {
        guard var launch = jobLaunch else { return }
        if launch.group == 0 { launch.group = pid }
        setpgid(pid, launch.group)
        launch.processIDs.append(pid)
        jobLaunch = launch
    }

    /// Runs `body` as a job: its processes get their own group (in the foreground, with the
    /// terminal), and a job that stops is kept in the job table.
    func runAsJob(_ command: String, foreground: Bool, _ body: () throws(Unwind) -> Int32) throws(Unwind) -> Int32 {
        guard jobControlActive, jobLaunch == nil else { return try body() }
        jobLaunch = JobLaunch(foreground: foreground, command: command)
        defer {
            jobLaunch = nil
            reclaimTerminal()
        }
        return try body()
    }

    /// Waits for a guest process of the foreground job (`waitpid` with WUNTRACED). Meanwhile a
    /// background host job's output, on the session's host pty, still reaches the terminal, as a
    /// local background job's would: the wait polls the pty and SIGCHLD's wake-up pipe.
    private func waitGuestInForeground(_ pid: pid_t) throws(Errno) -> (pid: pid_t, status: WaitStatus)? {
        guard let master = backgroundHostOutput, let terminal, let wakeup = Signals.wakeupDescriptor else {
            return try Wait.wait(pid, options: .untraced)
        }
        try? Signals.setDisposition(SIGCHLD, .catchPending)
        let flags = fcntl(master, F_GETFL)
        _ = fcntl(master, F_SETFL, flags | O_NONBLOCK)
        defer {
            _ = fcntl(master, F_SETFL, flags)
            try? Signals.setDisposition(SIGCHLD, .default)
        }
        var buffer = [UInt8](repeating: 0, count: 65536)
        while true {
            if let result = try Wait.wait(pid, options: [.noHang, .untraced]) { return result }
            var descriptors = [
                pollfd(fd: master, events: Int16(POLLIN), revents: 0),
                pollfd(fd: wakeup, events: Int16(POLLIN), revents: 0),
            ]
            if poll(&descriptors, 2, -1) < 0 {
                if errno == EINTR { continue }
                return try Wait.wait(pid, options: .untraced)
            }
            if descriptors[1].revents != 0 {
                Signals.drainWakeup()
                _ = Signals.takePending(SIGCHLD)
            }
            guard descriptors[0].revents != 0 else { continue }
            let count = read(master, &buffer, buffer.count)
            if count > 0 {
                try? FileDescriptor(rawValue: terminal.fd).writeAll(buffer[..<count])
            } else if count == 0 || (errno != EAGAIN && errno != EINTR) {
                // The pty (or its connection) is gone: nothing more to show.
                return try Wait.wait(pid, options: .untraced)
            }
        }
    }

    /// Gives the terminal back to the shell with its own modes.
    func reclaimTerminal() {
        guard let terminal else { return }
        tcsetpgrp(terminal.fd, terminal.shellGroup)
        var modes = terminal.shellModes
        tcsetattr(terminal.fd, TCSADRAIN, &modes)
    }

    /// Waits for the processes of the foreground job being launched. If it stops (Ctrl-Z), its
    /// host part is stopped too and the job goes to the table; the status is then 128+signal.
    func waitForegroundJob(statusOf order: [StartedPipeline.Stage]) throws(Unwind) -> [Int32] {
        guard let launch = jobLaunch else { return [] }
        var statuses: [pid_t: WaitStatus] = [:]
        var stoppedBy: Int32? = nil
        if launch.usesHostTerminal, let terminal {
            let outcome = try relayForegroundJob(launch, terminal: terminal)
            statuses = outcome.guest
            if outcome.host.values.contains(where: { $0.contains(128 + SIGINT) }) && outcome.stoppedBy == nil {
                writeError("\n")
            }
            if let signal = outcome.stoppedBy {
                stopJob(launch, statuses: statuses, finishedHost: outcome.host, signal: signal)
                throw .failure(status: 128 + signal)
            }
            return order.flatMap { stage -> [Int32] in
                switch stage {
                case .guest(let pid): return [statuses[pid]?.shellStatus ?? 0]
                case .host(let jobID, _, let count): return outcome.host[jobID] ?? Array(repeating: 0, count: count)
                }
            }
        }
        if launch.keepsTerminalForHost, launch.foreground, launch.group != 0, let terminal {
            // No host stage took the pty after all: the guest side gets the terminal.
            tcsetpgrp(terminal.fd, launch.group)
        }
        guestWait: for pid in launch.processIDs {
            while true {
                do {
                    guard let result = try waitGuestInForeground(pid) else { continue }
                    if case .stopped(let signal) = result.status {
                        stoppedBy = signal
                        break guestWait
                    }
                    statuses[pid] = result.status
                    break
                } catch {
                    if error == .interrupted { continue }
                    statuses[pid] = jobs.takeReapedStatus(pid) ?? .exited(127)
                    break
                }
            }
        }
        var hostStatuses: [UInt32: [Int32]] = [:]
        if stoppedBy == nil && !launch.hostParts.isEmpty {
            // The guest side is gone: keys typed now must reach the shell, which passes them on.
            if launch.group != 0, let terminal { tcsetpgrp(terminal.fd, terminal.shellGroup) }
            // An interrupt typed at the guest terminal killed the guest side: the host side
            // gets it too.
            for status in statuses.values {
                if case .signaled(let signal, _) = status, signal == SIGINT || signal == SIGQUIT {
                    for part in launch.hostParts {
                        _ = try? part.session.request(.signalJob(jobID: part.jobID, signal: signal))
                    }
                    break
                }
            }
            for part in launch.hostParts {
                switch try waitHostJobInForeground(part) {
                case .finished(let codes): hostStatuses[part.jobID] = codes
                case .stopped(let signal):
                    stoppedBy = signal
                }
                if stoppedBy != nil { break }
            }
        }
        // Like bash: a job ended by an interrupt leaves the cursor on a fresh line.
        let interrupted = statuses.values.contains { if case .signaled(SIGINT, _) = $0 { return true } else { return false } }
            || hostStatuses.values.contains { $0.contains(128 + SIGINT) }
        if interrupted && stoppedBy == nil { writeError("\n") }
        if let signal = stoppedBy {
            stopJob(launch, statuses: statuses, finishedHost: hostStatuses, signal: signal)
            // The command fails with 128+signal; the job lives on in the table.
            throw .failure(status: 128 + signal)
        }
        var result: [Int32] = []
        for stage in order {
            switch stage {
            case .guest(let pid): result.append(statuses[pid]?.shellStatus ?? 0)
            case .host(let jobID, _, let count):
                result.append(contentsOf: hostStatuses[jobID] ?? Array(repeating: 0, count: count))
            }
        }
        return result
    }

    /// Keeps a stopped foreground job: stops its other side, saves its terminal modes, tells the user.
    func stopJob(_ launch: JobLaunch, statuses: [pid_t: WaitStatus], finishedHost: [UInt32: [Int32]], signal: Int32) {
        if launch.group != 0 { kill(-launch.group, SIGSTOP) }
        var job = Job(number: 0, processGroup: launch.group, processIDs: launch.processIDs, command: launch.command)
        job.statuses = statuses
        job.hostParts = launch.hostParts.map { part in
            var part = part
            part.finished = finishedHost[part.jobID] != nil
            if !part.finished { _ = try? part.session.request(.signalJob(jobID: part.jobID, signal: SIGSTOP)) }
            return part
        }
        job.state = .stopped(signal: signal)
        job.usesHostTerminal = launch.usesHostTerminal
        if let terminal {
            var modes = termios()
            if tcgetattr(terminal.fd, &modes) == 0 { job.terminalModes = modes }
        }
        let number = jobs.add(job)
        jobs[number]?.notified = true
        writeError("\n" + jobLine(jobs[number]!) + "\n")
    }

    /// Waits for a host job of the foreground job. The terminal is the shell's meanwhile (no
    /// guest process holds it), so Ctrl-C, Ctrl-\ and Ctrl-Z typed now reach the shell, which
    /// passes them on to the host job.
    private func waitHostJobInForeground(_ part: Job.HostPart) throws(Unwind) -> HostWaitResult {
        let forwarded = [SIGINT, SIGQUIT, SIGTSTP]
        for signal in forwarded { try? Signals.setDisposition(signal, .catchPending) }
        defer {
            for signal in forwarded { try? Signals.setDisposition(signal, .ignore) }
        }
        do {
            return try part.session.waitForJob(part.jobID) { signal in
                _ = try? part.session.request(.signalJob(jobID: part.jobID, signal: signal == SIGTSTP ? SIGSTOP : signal))
                return signal == SIGTSTP
            }
        } catch {
            throw hostLost(error)
        }
    }

    /// `[1]+  Stopped                 sleep 300 | !sleep 301`
    func jobLine(_ job: Job, showProcessGroup: Bool = false) -> String {
        let marker = job.number == jobs.current ? "+" : job.number == jobs.previous ? "-" : " "
        let state: String
        switch job.state {
        case .running: state = "Running"
        case .stopped(let signal):
            switch signal {
            case SIGTSTP: state = "Stopped"
            case SIGTTIN: state = "Stopped (tty input)"
            case SIGTTOU: state = "Stopped (tty output)"
            default: state = "Stopped (\(SignalNames.name(of: signal) ?? String(signal)))"
            }
        case .done(let status):
            if status == 0 {
                state = "Done"
            } else if status > 128, let name = SignalNames.name(of: status - 128) {
                state = terminationName(name)
            } else {
                state = "Exit \(status)"
            }
        }
        let group = showProcessGroup ? " \(job.processGroup)" : ""
        return "[\(job.number)]\(marker)\(group)  " + state.padding(to: 24) + job.command
    }

    private func terminationName(_ signal: String) -> String {
        switch signal {
        case "TERM": return "Terminated"
        case "KILL": return "Killed"
        case "INT": return "Interrupt"
        case "HUP": return "Hangup"
        case "PIPE": return "Broken pipe"
        default: return signal
        }
    }

    /// Before a prompt: reaps what changed and tells the user about background jobs that
    /// finished or stopped, like bash.
    func notifyJobChanges() {
        flushHostTerminalOutput()
        guard !jobs.isEmpty else { return }
        jobs.reapFinished(untraced: true)
        pollHostJobs()
        for job in jobs.jobs where !job.notified {
            writeError(jobLine(job) + "\n")
            jobs[job.number]?.notified = true
            if case .done = job.state { jobs.remove(number: job.number) }
        }
    }

    /// What background host jobs wrote to the host pty meanwhile goes to the guest terminal, as
    /// a local background job's output would.
    func flushHostTerminalOutput() {
        guard let terminal, let master = hostLink?.session?.terminalMaster else { return }
        let flags = fcntl(master.rawValue, F_GETFL)
        _ = fcntl(master.rawValue, F_SETFL, flags | O_NONBLOCK)
        defer { _ = fcntl(master.rawValue, F_SETFL, flags) }
        while let bytes = try? master.readSome(upTo: 65536), !bytes.isEmpty {
            try? FileDescriptor(rawValue: terminal.fd).writeAll(bytes)
        }
    }

    /// Collects host job events that arrived while the shell was idle.
    private func pollHostJobs() {
        for job in jobs.jobs {
            for part in job.hostParts where !part.finished {
                if part.session.pollFinished(part.jobID) { jobs.recordHostFinished(number: job.number, jobID: part.jobID) }
                // A background host job that read the host pty was stopped there (SIGTTIN).
                if let signal = part.session.stoppedJobs.removeValue(forKey: part.jobID) {
                    jobs[job.number]?.state = .stopped(signal: signal)
                    jobs[job.number]?.notified = false
                }
            }
        }
    }
}

/// How waiting for a foreground host job ended.
enum HostWaitResult {
    case finished([Int32])
    case stopped(signal: Int32)
}
