import DoshProtocol
import DoshSystem
import SystemPackage

#if canImport(Glibc)
    import Glibc
#endif

/// How a foreground job's terminal is handled while the shell waits for it.
private enum TerminalMode {
    /// The job's guest process group holds the terminal; the kernel delivers its keys.
    case guestHolds
    /// The job runs on the host pty: the shell holds the raw terminal and relays it.
    case relayed
    /// No process of the job holds the terminal (its guest side is gone, or it has none): the
    /// shell does, in its own modes, and passes Ctrl-C, Ctrl-\ and Ctrl-Z on to the host side.
    case shellHolds
}

extension Shell {
    /// Waits for the foreground job being run (`jobLaunch`) until it is done or stops, with one
    /// poll loop over everything that can happen meanwhile: guest children changing state
    /// (SIGCHLD), host job events, keys and output of the host pty, window resizes, and
    /// interrupt keys the shell itself receives. Returns each command's status in pipeline
    /// order. A job that stops goes to the job table and fails the command with 128+signal; a
    /// job ended by Ctrl-C abandons the command line at the prompt (`Unwind.interrupted`).
    func waitForegroundJob() throws(Unwind) -> [Int32] {
        guard var job = jobLaunch else { return [] }
        closeHostTerminalForGuests()
        guard let terminal else { return [] }
        let stoppedBy = try waitInForeground(&job, terminal: terminal)
        jobLaunch = job
        if let signal = stoppedBy {
            stopJob(job, signal: signal)
            throw .failure(status: 128 + signal)
        }
        Relay.stop(job.terminalRelays)
        jobLaunch?.terminalRelays = []
        if interruptsAbandonTheLine && job.anyKilled(by: SIGINT) && traps.action(for: SIGINT) == nil {
            throw .interrupted
        }
        reportForegroundEnd(job)
        return job.commandStatuses.map { $0 ?? 0 }
    }

    /// The loop of `waitForegroundJob`; returns the signal that stopped the job, if one did.
    private func waitInForeground(_ job: inout Job, terminal: TerminalOwnership) throws(Unwind) -> Int32? {
        let master = hostLink?.session?.terminalMaster
        var mode: TerminalMode
        if job.usesHostTerminal, master != nil {
            mode = .relayed
        } else if job.processGroup != 0 && job.terminalSide == .guest && !job.guestFinished {
            mode = .guestHolds
            terminal.give(to: job.processGroup)
        } else {
            mode = .shellHolds
        }
        let savedModes = (try? Terminal.attributes(terminal.descriptor)) ?? terminal.shellModes
        var watched: [Int32] = [SIGCHLD, SIGINT, SIGQUIT, SIGTSTP]
        if mode == .relayed {
            watched.append(SIGWINCH)
            terminal.give(to: terminal.shellGroup)
            try? Terminal.setAttributes(Terminal.rawAttributes(savedModes), on: terminal.descriptor, when: .afterOutput)
        }
        for signal in watched { try? Signals.setDisposition(signal, .catchPending) }
        // Signals from before the job are not its business.
        for signal in [SIGINT, SIGQUIT, SIGTSTP] { _ = Signals.takePending(signal) }
        let masterFlags = master.map { fcntl($0.rawValue, F_GETFL) }
        if let master, let masterFlags { _ = fcntl(master.rawValue, F_SETFL, masterFlags | O_NONBLOCK) }
        defer {
            if let master, let masterFlags { _ = fcntl(master.rawValue, F_SETFL, masterFlags) }
            if mode == .relayed { try? Terminal.setAttributes(savedModes, on: terminal.descriptor, when: .afterOutput) }
            for signal in watched { restoreShellDisposition(signal) }
        }

        var stoppedBy: Int32? = nil
        var forwarded: Set<Int32> = []
        var buffer = [UInt8](repeating: 0, count: 65536)
        let tty = terminal.descriptor
        /// Bytes of the pty's output copied to the terminal during this wait.
        var copied: UInt64 = 0

        func copyMasterOutput() {
            guard let master else { return }
            while true {
                let count = read(master.rawValue, &buffer, buffer.count)
                guard count > 0 else { return }
                copied += UInt64(count)
                try? tty.writeAll(buffer[..<count])
            }
        }

        while true {
            reapForegroundGuests(&job, stoppedBy: &stoppedBy)
            collectHostEvents(&job, stoppedBy: &stoppedBy)
            // An interrupt that ended one side ends the other: the kernel gave it to one
            // process group only.
            for signal in [SIGINT, SIGQUIT] where !forwarded.contains(signal) && job.anyKilled(by: signal) {
                forwarded.insert(signal)
                signalOutstanding(job, signal)
            }
            if stoppedBy != nil || (job.guestFinished && job.hostFinished) {
                copyMasterOutput()
                if job.usesHostTerminal { awaitRelayedOutput(job, copied: { copied }, copy: copyMasterOutput) }
                return stoppedBy
            }
            if mode == .guestHolds && job.guestFinished {
                // The guest side is gone: keys typed now must reach the shell, which passes them on.
                mode = .shellHolds
                terminal.give(to: terminal.shellGroup)
            }
            _ = Signals.takePending(SIGCHLD)
            exitIfHungUp()
            if Signals.takePending(SIGWINCH), let size = try? Terminal.windowSize(tty) {
                for part in job.hostParts where !part.finished {
                    _ = try? part.session.request(.resizeTerminal(jobID: 0, rows: size.rows, columns: size.columns))
                }
                if job.processGroup != 0 { kill(-job.processGroup, SIGWINCH) }
            }
            // Keys the shell itself received (it holds the terminal): for the job. Sent from
            // elsewhere while the job holds the terminal, they are not the job's business.
            for signal in [SIGINT, SIGQUIT] where Signals.takePending(signal) {
                if mode == .shellHolds { signalOutstanding(job, signal) }
            }
            if Signals.takePending(SIGTSTP), mode == .shellHolds { return SIGTSTP }
            // A request made above (passing on Ctrl-C, a resize) reads the connection until its
            // answer and may leave the job's end in a session's buffer, where poll cannot see it.
            collectHostEvents(&job, stoppedBy: &stoppedBy)
            if stoppedBy != nil || (job.guestFinished && job.hostFinished) { continue }

            var descriptors = [pollfd]()
            if let wakeup = Signals.wakeupDescriptor { descriptors.append(pollfd(fd: wakeup, events: Int16(POLLIN), revents: 0)) }
            let sessions = job.hostParts.filter { !$0.finished }.map(\.session)
            for session in sessions { descriptors.append(pollfd(fd: session.connection.fileDescriptor, events: Int16(POLLIN), revents: 0)) }
            if let master { descriptors.append(pollfd(fd: master.rawValue, events: Int16(POLLIN), revents: 0)) }
            if mode == .relayed { descriptors.append(pollfd(fd: terminal.fd, events: Int16(POLLIN), revents: 0)) }
            if poll(&descriptors, nfds_t(descriptors.count), -1) < 0 {
                if errno == EINTR { continue }
                break
            }
            var index = 0
            if Signals.wakeupDescriptor != nil {
                if descriptors[0].revents != 0 { Signals.drainWakeup() }
                index = 1
            }
            for session in sessions {
                if descriptors[index].revents != 0 {
                    do throws(HostFailure) {
                        try session.readEvents(blocking: false)
                    } catch {
                        loseHostParts(&job, session: session, error)
                    }
                }
                index += 1
            }
            if master != nil {
                if descriptors[index].revents != 0 { copyMasterOutput() }
                index += 1
            }
            if mode == .relayed, descriptors[index].revents & Int16(POLLIN) != 0 {
                let count = read(terminal.fd, &buffer, buffer.count)
                if count > 0, let master {
                    let keys = Array(buffer[..<count])
                    interceptSignalKeys(keys, job: job, master: master)
                    try? master.writeAll(keys)
                }
            }
        }
        return stoppedBy
    }

    /// Guest children of the job that changed state.
    private func reapForegroundGuests(_ job: inout Job, stoppedBy: inout Int32?) {
        for pid in job.guestProcessIDs where !(job.guestStatus(pid)?.isTerminated ?? false) {
            do {
                guard let result = try Wait.wait(pid, options: [.noHang, .untraced]) else { continue }
                if case .stopped(let signal) = result.status {
                    if stoppedBy == nil { stoppedBy = signal }
                } else if result.status.isTerminated {
                    job.record(pid, result.status)
                }
            } catch {
                if error == .interrupted { continue }
                // Reaped elsewhere (ECHILD): its status was kept, if anyone saw it.
                job.record(pid, jobs.takeReapedStatus(pid) ?? .exited(127))
            }
        }
    }

    /// Host job events already read: finished and stopped host parts.
    private func collectHostEvents(_ job: inout Job, stoppedBy: inout Int32?) {
        for part in job.hostParts where !part.finished {
            do throws(HostFailure) {
                try part.session.handleBufferedEvents()
            } catch {
                loseHostParts(&job, session: part.session, error)
                continue
            }
            if let finished = part.session.takeFinished(part.jobID) {
                job.recordHostFinished(part.jobID, finished.statuses, terminalOutput: finished.terminalOutput)
            }
            if let signal = part.session.stoppedJobs.removeValue(forKey: part.jobID), stoppedBy == nil { stoppedBy = signal }
        }
    }

    /// The session went away in the middle of the job: its host parts end with 255 (reported
    /// once), the guest side goes on.
    private func loseHostParts(_ job: inout Job, session: HostSession, _ error: HostFailure) {
        _ = hostLost(error)
        for part in job.hostParts where part.session === session && !part.finished {
            job.recordHostFinished(part.jobID, Array(repeating: .exited(code: 255), count: part.count))
        }
    }

    /// Sends `signal` to what still runs of the job, on both sides.
    func signalOutstanding(_ job: Job, _ signal: Int32) {
        if job.processGroup != 0 && !job.guestFinished { kill(-job.processGroup, signal) }
        for part in job.hostParts where !part.finished {
            _ = try? part.session.request(.signalJob(jobID: part.jobID, signal: signal))
        }
    }

    /// Keys typed into the relayed host pty that raise a signal there raise it on the guest side
    /// at the same moment, as one terminal would for all the processes of its foreground job.
    private func interceptSignalKeys(_ keys: [UInt8], job: Job, master: FileDescriptor) {
        guard job.processGroup != 0, !job.guestFinished else { return }
        // Over a passed master, tcgetattr reads the pty's current modes (those of the slave);
        // over a data connection, the modes the job started with.
        let modes = (try? Terminal.attributes(master)) ?? terminal?.shellModes ?? []
        let signals = Terminal.signalKeys(modes)
        for key in keys {
            guard let signal = signals[key] else { continue }
            kill(-job.processGroup, signal)
        }
    }

    /// The master's last bytes may still be on their way when the job's end is reported. Over
    /// a data connection they cross the network, and the job's end says how many bytes the
    /// pty gave since the job started (`terminalOutput`): wait until that many were copied (at
    /// most 2 s; less when the job was resumed, as copies from before are not counted). Where
    /// the shell holds the master, the kernel moves what a pty slave wrote to its master later,
    /// from a work queue, with no way to wait for it while the slave stays open: until a quiet
    /// spell of 10 ms passes, at most 300 ms.
    private func awaitRelayedOutput(_ job: Job, copied: () -> UInt64, copy: () -> Void) {
        guard let session = job.hostParts.first?.session, let master = session.terminalMaster else { return }
        var ready = pollfd(fd: master.rawValue, events: Int16(POLLIN), revents: 0)
        let told = job.hostParts.compactMap(\.terminalOutput).max()
        if !session.canPassDescriptors, let told {
            let deadline = ContinuousClock.now.advanced(by: .seconds(2))
            while copied() < told, ContinuousClock.now < deadline {
                if poll(&ready, 1, 50) > 0 { copy() }
                ready.revents = 0
            }
            return
        }
        let deadline = ContinuousClock.now.advanced(by: .milliseconds(300))
        while ContinuousClock.now < deadline, poll(&ready, 1, 10) > 0 {
            copy()
            ready.revents = 0
        }
    }

    /// After a foreground job: like bash, a job ended by Ctrl-C leaves the cursor on a fresh
    /// line, and one killed by another signal (but a broken pipe) says so.
    private func reportForegroundEnd(_ job: Job) {
        if job.anyKilled(by: SIGINT) {
            writeError("\n")
            return
        }
        let death: (signal: Int32, core: Bool)?
        switch job.stages.last {
        case .guest(_, .signaled(let signal, let core)?)?: death = (signal, core)
        case .host(let part)?:
            if case .signaled(let signal, let core)? = part.statuses?.last { death = (signal, core) } else { death = nil }
        default: death = nil
        }
        if let death, death.signal != SIGPIPE {
            writeError(terminationText(death.signal) + (death.core ? " (core dumped)" : "") + "\n")
        }
    }

    /// Keeps a stopped foreground job: stops its other side, saves its terminal modes, tells the
    /// user once.
    func stopJob(_ job: Job, signal: Int32) {
        var job = job
        if job.processGroup != 0 && !job.guestFinished { kill(-job.processGroup, SIGSTOP) }
        for part in job.hostParts where !part.finished {
            _ = try? part.session.request(.signalJob(jobID: part.jobID, signal: SIGSTOP))
        }
        job.state = .stopped(signal: signal)
        job.foreground = false
        if let terminal { job.terminalModes = try? Terminal.attributes(terminal.descriptor) }
        let number = jobs.add(job)
        jobs[number]?.notified = true
        writeError("\n" + jobLine(jobs[number]!) + "\n")
    }
}
