import DoshProtocol
import DoshSystem
import SystemPackage

#if canImport(Glibc)
    import Glibc
#endif

/// The shell's hold on its terminal while it does job control.
struct TerminalOwnership {
    /// The shell's own descriptor for the terminal: a close-on-exec copy above 9 of the fd it
    /// started on, so that redirections of fds 0–2 (`cat < file`) never take it away.
    let fd: Int32
    let shellGroup: pid_t
    /// The modes the shell wants at its prompt, put back after every foreground job.
    var shellModes: [UInt8]

    var descriptor: FileDescriptor { FileDescriptor(rawValue: fd) }

    /// Hands the terminal to `group`.
    func give(to group: pid_t) {
        try? Terminal.setForegroundProcessGroup(descriptor, group)
    }
}

extension Shell {
    /// Whether this shell runs jobs in their own process groups and hands them the terminal.
    var jobControlActive: Bool { terminal != nil && !isSubshell }

    /// Whether Ctrl-C abandons the command line (an interactive shell at its top level).
    var interruptsAbandonTheLine: Bool { options.interactive && !isSubshell }

    /// Takes the terminal for an interactive shell: its own process group, in the foreground,
    /// with the job-control signals ignored for itself (its children get them back).
    func startJobControl() {
        guard isatty(0) != 0 else { return }
        // Like other shells: wait until we are in the foreground before taking the terminal.
        while tcgetpgrp(0) != getpgrp() {
            kill(-getpgrp(), SIGTTIN)
        }
        guard let own = try? FileDescriptor.standardInput.duplicate(atLeast: 10) else { return }
        try? own.setCloseOnExec(true)
        for signal in [SIGTSTP, SIGTTIN, SIGTTOU] {
            try? Signals.setDisposition(signal, .ignore)
        }
        let shellGroup = getpid()
        if getpgrp() != shellGroup { setpgid(0, shellGroup) }
        let ownership = TerminalOwnership(
            fd: own.rawValue, shellGroup: shellGroup, shellModes: (try? Terminal.attributes(own)) ?? [])
        ownership.give(to: shellGroup)
        terminal = ownership
        options.monitor = true
        signalsResetForChildren = [SIGINT, SIGQUIT, SIGTERM, SIGTSTP, SIGTTIN, SIGTTOU]
    }

    /// In a forked child of a job: join the job's process group and, in the foreground, take the
    /// terminal before running anything; a guest stage of a job on the host pty writes to the
    /// pty's slave where it would write to the terminal.
    func enterJobProcessGroup(_ job: Job) {
        setpgid(0, job.processGroup)
        if job.guestTakesTerminal, let terminal { terminal.give(to: getpgrp()) }
        if let slave = job.hostTerminalForGuests, let terminal {
            for fd: Int32 in 0...2 where isSameTerminal(fd, terminal.fd) {
                let replacement = fd == 0 ? slave.input : slave.output
                if replacement >= 0 { _ = dup2(replacement, fd) }
            }
        }
        for signal in signalsResetForChildren { try? Signals.setDisposition(signal, .default) }
    }

    /// In the parent, right after a job's guest process started: the same group, set from this
    /// side too so neither side races the other, and the process becomes the job's next stage.
    func recordJobProcess(_ pid: pid_t) {
        guard var job = jobLaunch else { return }
        if job.processGroup == 0 { job.processGroup = pid }
        setpgid(pid, job.processGroup)
        job.stages.append(.guest(pid: pid, status: nil))
        jobLaunch = job
    }

    /// The job text for the pipeline being run (set by `execute(_: Pipeline)`).
    var currentJobText: String { jobText ?? "" }

    /// Runs `body` as a job: its processes get their own group (in the foreground, with the
    /// terminal), and a job that stops is kept in the job table. Inside a job being started
    /// (a pipeline's stages) or without job control, `body` just runs.
    func runAsJob(foreground: Bool = true, _ body: () throws(Unwind) -> Int32) throws(Unwind) -> Int32 {
        guard jobControlActive, jobLaunch == nil else { return try body() }
        var job = Job(command: currentJobText, foreground: foreground)
        job.pipeFail = options.pipeFail
        jobLaunch = job
        defer {
            closeHostTerminalForGuests()
            jobLaunch = nil
            reclaimTerminal()
        }
        return try body()
    }

    /// Gives the terminal back to the shell with its own modes.
    func reclaimTerminal() {
        guard let terminal else { return }
        terminal.give(to: terminal.shellGroup)
        try? Terminal.setAttributes(terminal.shellModes, on: terminal.descriptor, when: .afterOutput)
    }

    /// SIGCONT to both sides of a job.
    func continueJob(_ job: Job) {
        if job.processGroup != 0 { kill(-job.processGroup, SIGCONT) }
        for part in job.hostParts where !part.finished {
            _ = try? part.session.request(.signalJob(jobID: part.jobID, signal: SIGCONT))
        }
    }
}
