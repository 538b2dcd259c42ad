import DoshProtocol
import DoshSystem
import SystemPackage

#if canImport(Glibc)
    import Glibc
#endif

/// What the user is told about jobs: `jobs` lines and the notices before a prompt.
extension Shell {
    /// `[1]+  Stopped                 sleep 300 | !sleep 301`
    func jobLine(_ job: Job, showPID: Bool = false) -> String {
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
            } else if status > 128, status - 128 <= Signals.maximum, job.anyKilled(by: status - 128) {
                state = terminationText(status - 128)
            } else {
                state = "Exit \(status)"
            }
        }
        let pid = showPID ? " \(job.leaderPID ?? 0)" : ""
        return "[\(job.number)]\(marker)\(pid)  " + state.padding(to: 24) + job.command
    }

    /// How bash names a death by `signal`: `Terminated`, `Killed`, …
    func terminationText(_ signal: Int32) -> String {
        switch signal {
        case SIGTERM: return "Terminated"
        case SIGKILL: return "Killed"
        case SIGINT: return "Interrupt"
        case SIGHUP: return "Hangup"
        case SIGQUIT: return "Quit"
        case SIGPIPE: return "Broken pipe"
        case SIGABRT: return "Aborted"
        case SIGSEGV: return "Segmentation fault"
        case SIGUSR1: return "User defined signal 1"
        case SIGUSR2: return "User defined signal 2"
        default: return SignalNames.name(of: signal).map { "SIG" + $0 } ?? "Signal \(signal)"
        }
    }

    /// Before a prompt: reaps what changed and tells the user about background jobs that
    /// finished or stopped, like bash.
    func notifyJobChanges() {
        flushHostTerminalOutput()
        guard !jobs.isEmpty else { return }
        updateJobStates()
        for job in jobs.jobs where !job.notified {
            writeError(jobLine(job) + "\n")
            jobs[job.number]?.notified = true
            if case .done = job.state { jobs.remove(number: job.number) }
        }
    }

    /// Collects, without blocking, what happened to the jobs on both sides.
    func updateJobStates() {
        jobs.reapFinished(untraced: true)
        pollHostJobs()
    }

    /// What background host jobs wrote to the host pty meanwhile goes to the guest terminal, as
    /// a local background job's output would.
    func flushHostTerminalOutput() {
        guard let terminal, let master = hostLink?.session?.terminalMaster else { return }
        let flags = fcntl(master.rawValue, F_GETFL)
        _ = fcntl(master.rawValue, F_SETFL, flags | O_NONBLOCK)
        defer { _ = fcntl(master.rawValue, F_SETFL, flags) }
        while let bytes = try? master.readSome(upTo: 65536), !bytes.isEmpty {
            try? terminal.descriptor.writeAll(bytes)
        }
    }

    /// Collects host job events that arrived while the shell was idle.
    private func pollHostJobs() {
        for job in jobs.jobs {
            for part in job.hostParts where !part.finished {
                if let statuses = part.session.pollFinished(part.jobID) {
                    jobs.recordHostFinished(number: job.number, jobID: part.jobID, statuses: statuses)
                }
                // A background host job that read the host pty was stopped there (SIGTTIN).
                if let signal = part.session.stoppedJobs.removeValue(forKey: part.jobID) {
                    jobs.recordHostStopped(number: job.number, signal: signal)
                }
            }
        }
    }
}
