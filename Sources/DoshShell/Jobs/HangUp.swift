import DoshProtocol
import DoshSystem

#if canImport(Glibc)
    import Glibc
#endif

/// When the terminal of an interactive shell goes away (its window closes, ssh drops), the
/// shell gets SIGHUP: like bash, it passes the hang-up on to its jobs, on both sides, and exits.
extension Shell {
    /// Ends the shell if its terminal hung up (SIGHUP, not trapped). Called where the shell
    /// waits: at the prompt and in the foreground wait.
    func exitIfHungUp() {
        guard options.interactive, !isSubshell, traps.action(for: SIGHUP) == nil, Signals.takePending(SIGHUP) else { return }
        hangUpJobs()
        _exit(finish(128 + SIGHUP) & 0xFF)
    }

    /// SIGHUP, then SIGCONT (a stopped job must see it), to every job, guest and host; a job
    /// run with `nohup` or `disown`ed is left alone, as with bash.
    func hangUpJobs() {
        var all = jobs.jobs
        if let foreground = jobLaunch { all.append(foreground) }
        for job in all {
            for signal in [SIGHUP, SIGCONT] {
                if job.processGroup != 0 { kill(-job.processGroup, signal) }
                for part in job.hostParts where !part.finished {
                    _ = try? part.session.request(.signalJob(jobID: part.jobID, signal: signal))
                }
            }
        }
    }
}
