import DoshSystem
import SystemPackage

#if canImport(Glibc)
    import Glibc
#endif

extension Shell {
    /// Forks a child that runs `body` as a subshell and exits with its status. Returns the pid.
    func forkSubshell(_ body: () throws(Unwind) -> Int32) throws(Unwind) -> pid_t {
        let launch = jobLaunch
        let pid: pid_t
        let mask = Signals.blockAll()
        do {
            pid = try Spawn.fork()
        } catch {
            Signals.setMask(mask)
            report("fork: \(error.message)")
            throw .failure(status: 2)
        }
        if pid == 0 {
            Signals.resetInChild()
            if var launch {
                if launch.processGroup == 0 { launch.processGroup = getpid() }
                enterJobProcessGroup(launch)
            }
            becomeSubshell()
            Signals.setMask(mask)
            let status: Int32
            do {
                status = try body()
            } catch {
                status = statusOfUnwind(error)
            }
            exitProcess(status)
        }
        Signals.setMask(mask)
        recordJobProcess(pid)
        return pid
    }

    /// Runs `body` in a forked subshell and waits for it: `( … )`.
    func runSubshell(_ body: () throws(Unwind) -> Int32) throws(Unwind) -> Int32 {
        try runAsJob { () throws(Unwind) -> Int32 in
            let pid = try forkSubshell(body)
            if jobLaunch != nil { return try waitForegroundJob().last ?? 0 }
            return waitForChild(pid).shellStatus
        }
    }

    /// What a forked child changes about itself: it no longer owns jobs, its traps reset, and
    /// its `exit` ends only itself.
    func becomeSubshell() {
        isSubshell = true
        terminal = nil
        jobLaunch = nil
        hostLink?.detachForSubshell()
        hostExpansion = nil
        jobs = JobTable()
        traps.resetForSubshell()
        options.interactive = false
        options.monitor = false
        // What the interactive shell caught or ignored for itself, a subshell takes by default
        // (Ctrl-C ends it), unless a trap says otherwise.
        for signal in [SIGINT, SIGQUIT, SIGTERM, SIGHUP] { restoreShellDisposition(signal) }
    }

    /// The status a subshell exits with when execution unwinds out of it.
    func statusOfUnwind(_ unwind: Unwind) -> Int32 {
        switch unwind {
        case .exit(let status), .fatal(let status), .failure(let status), .returnFromFunction(let status):
            return status
        case .breakLoop, .continueLoop:
            return lastStatus
        case .interrupted:
            return 128 + SIGINT
        }
    }

    /// Runs the EXIT trap (once) and ends this process.
    func exitProcess(_ status: Int32) -> Never {
        lastStatus = status
        let final = runExitTrap() ?? status
        _exit(final & 0xFF)
    }

    /// Waits for one child to terminate (or stop, when `untraced`), retrying interruptions.
    func waitForChild(_ pid: pid_t, untraced: Bool = false) -> WaitStatus {
        while true {
            do {
                if let result = try Wait.wait(pid, options: untraced ? .untraced : []) {
                    return result.status
                }
            } catch {
                if error == .interrupted { continue }
                // ECHILD: already reaped elsewhere; nothing more to learn.
                return jobs.takeReapedStatus(pid) ?? .exited(127)
            }
        }
    }

    /// `$(…)`: runs the list in a subshell with its output captured; trailing newlines removed.
    func commandSubstitution(_ list: CommandList) throws(Unwind) -> String {
        let pipe: (readEnd: FileDescriptor, writeEnd: FileDescriptor)
        do {
            pipe = try FileDescriptor.closeOnExecPipe()
        } catch {
            report("pipe: \(error.message)")
            throw .failure(status: 2)
        }
        if let commands = hostCommandSubstitution(list) {
            return try captureInThisShell(commands, pipe: pipe)
        }
        // The substitution belongs to the shell, not to the job being started.
        let launch = jobLaunch
        jobLaunch = nil
        defer { jobLaunch = launch }
        let pid: pid_t
        do {
            pid = try forkSubshell { () throws(Unwind) -> Int32 in
                do {
                    try pipe.writeEnd.duplicate(onto: 1)
                } catch {
                    return 2
                }
                pipe.readEnd.closeQuietly()
                pipe.writeEnd.closeQuietly()
                return try executeInTail(list)
            }
        } catch {
            pipe.readEnd.closeQuietly()
            pipe.writeEnd.closeQuietly()
            throw error
        }
        pipe.writeEnd.closeQuietly()
        // Ctrl-C at the prompt reaches the child too (it is in the shell's process group).
        let bytes = readCapture(pipe.readEnd) {}
        pipe.readEnd.closeQuietly()
        let status = waitForChild(pid).shellStatus
        lastSubstitutionStatus = status
        try checkInterrupt()
        var end = bytes.count
        while end > 0 && bytes[end - 1] == UInt8(ascii: "\n") { end -= 1 }
        return String(decoding: bytes[..<end], as: UTF8.self)
    }

    /// Runs a pipeline with host commands with its output on `pipe`, reading while it runs.
    private func captureInThisShell(
        _ commands: [Command], pipe: (readEnd: FileDescriptor, writeEnd: FileDescriptor)
    ) throws(Unwind) -> String {
        let savedOutput = try? FileDescriptor.standardOutput.duplicate(atLeast: 10)
        defer {
            if let savedOutput {
                try? savedOutput.duplicate(onto: 1)
                savedOutput.closeQuietly()
            }
        }
        do throws(Errno) {
            try pipe.writeEnd.duplicate(onto: 1)
        } catch {
            pipe.writeEnd.closeQuietly()
            pipe.readEnd.closeQuietly()
            report("pipe: \(error.message)")
            throw .failure(status: 2)
        }
        pipe.writeEnd.closeQuietly()
        let started: StartedPipeline
        do {
            started = try startPipeline(commands)
        } catch {
            pipe.readEnd.closeQuietly()
            throw error
        }
        if let savedOutput { try? savedOutput.duplicate(onto: 1) }
        // Ctrl-C at the prompt reaches only the shell: it passes it on to the host side.
        let bytes = readCapture(pipe.readEnd) {
            for case .host(let jobID, let session, _) in started.stages {
                _ = try? session.request(.signalJob(jobID: jobID, signal: SIGINT))
            }
        }
        pipe.readEnd.closeQuietly()
        lastSubstitutionStatus = try waitPipeline(started)
        try checkInterrupt()
        var end = bytes.count
        while end > 0 && bytes[end - 1] == UInt8(ascii: "\n") { end -= 1 }
        return String(decoding: bytes[..<end], as: UTF8.self)
    }

    /// Reads a command substitution's output to its end. When Ctrl-C reaches the shell at the
    /// prompt meanwhile, `onInterrupt` passes it on (the SIGINT stays pending for the caller).
    private func readCapture(_ fd: FileDescriptor, onInterrupt: () -> Void) -> [UInt8] {
        var bytes: [UInt8] = []
        var interrupted = false
        while true {
            do {
                let chunk = try fd.readSome(upTo: 65536)
                if chunk.isEmpty { return bytes }
                bytes += chunk
            } catch {
                guard error == .interrupted else { return bytes }
                if !interrupted, interruptsAbandonTheLine, Signals.isPending(SIGINT) {
                    interrupted = true
                    onInterrupt()
                }
            }
        }
    }

    /// Runs a list in a forked child where nothing follows it, so a final external command can
    /// replace the child instead of being spawned and waited for.
    func executeInTail(_ list: CommandList) throws(Unwind) -> Int32 {
        if list.items.count == 1, !list.items[0].background, list.items[0].andOr.rest.isEmpty {
            let pipeline = list.items[0].andOr.first
            if !pipeline.negated, pipeline.commands.count == 1, case .simple(let simple) = pipeline.commands[0] {
                return try runSimpleCommand(simple, inTail: true)
            }
        }
        return try execute(list)
    }

    /// `list &`: runs the and-or list in a background child (in its own process group, when
    /// the shell does job control).
    func runInBackground(_ andOr: AndOrList) throws(Unwind) {
        let command = andOr.typedText.isEmpty ? CommandList([ListItem(andOr: andOr)]).sourceText : andOr.typedText
        if jobControlActive, andOr.rest.isEmpty, !andOr.first.negated,
            PipelineUnit.split(andOr.first.commands).allSatisfy({ if case .host = $0 { return true } else { return false } })
        {
            try startHostBackgroundJob(andOr.first.commands, command: command)
            return
        }
        let controlled = jobControlActive
        if controlled { jobLaunch = Job(command: command, foreground: false) }
        defer { if controlled { jobLaunch = nil } }
        let pid = try forkSubshell { () throws(Unwind) -> Int32 in
            if !controlled {
                // POSIX: without job control, a background list ignores SIGINT and SIGQUIT and
                // reads /dev/null instead of the shell's input.
                try? Signals.setDisposition(SIGINT, .ignore)
                try? Signals.setDisposition(SIGQUIT, .ignore)
                if let null = try? FileDescriptor.open(path: "/dev/null", flags: O_RDONLY) {
                    try? null.duplicate(onto: 0)
                    null.closeQuietly()
                }
            }
            let list = CommandList([ListItem(andOr: andOr)])
            return try executeInTail(list)
        }
        lastBackgroundPID = pid
        guard controlled, let job = jobLaunch else {
            jobs.add(pid: pid, command: command)
            return
        }
        addBackgroundJob(job)
    }

    /// `!cmd &` in an interactive shell: started from the shell itself, on its session, so the
    /// host job gets the host pty in the background and stops (SIGTTIN) if it reads it, as a
    /// local background job would.
    private func startHostBackgroundJob(_ commands: [Command], command: String) throws(Unwind) {
        jobLaunch = Job(command: command, foreground: false)
        defer { jobLaunch = nil }
        jobLaunch?.terminalSide = .host
        _ = try startPipeline(commands)
        guard let job = jobLaunch else { return }
        lastBackgroundPID = job.lastPID
        addBackgroundJob(job)
    }

    /// A background job enters the table; at the prompt the user sees `[N] PID`, with the pid
    /// that `$!` names.
    private func addBackgroundJob(_ job: Job) {
        let number = jobs.add(job)
        if options.interactive { writeError("[\(number)] \(job.lastPID ?? 0)\n") }
    }
}
