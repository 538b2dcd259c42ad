import DoshProtocol
import DoshSystem
import DoshTransport
import SystemPackage

#if canImport(Glibc)
    import Glibc
#endif

/// The pty rule: in a foreground job of an interactive shell, a host process's fd that would be
/// the guest terminal is the slave of the session's host pty instead. The shell relays the guest
/// terminal (raw meanwhile) to the pty's master, so the host program sees a real terminal with
/// the guest's modes and size, and keys like Ctrl-Z and Ctrl-C reach it through its own line
/// discipline. Other fds stay plain (redirected input and output are never mangled).
extension Shell {
    /// The setting for a host process's fd 0, 1 or 2 taken from the guest's `fd`.
    func terminalOrPassed(_ fd: Int32, _ builder: inout HostJobBuilder) -> DescriptorSource {
        if let terminal, jobLaunch != nil, isSameTerminal(fd, terminal.fd) {
            builder.usesTerminal = true
            return .terminal
        }
        return builder.pass(fd)
    }

    /// Opens (or refreshes) the session's host pty with the guest terminal's modes and size.
    func openHostTerminal(_ session: HostSession) throws(Unwind) {
        guard let terminal else { return }
        let modes = (try? Terminal.attributes(FileDescriptor(rawValue: terminal.fd))) ?? []
        let size = (try? Terminal.windowSize(FileDescriptor(rawValue: terminal.fd))) ?? Terminal.WindowSize(rows: 24, columns: 80)
        switch try hostRequest(session, .openTerminal(termios: modes, rows: size.rows, columns: size.columns)) {
        case .success(let answer):
            if case .streamTokens(let tokens) = answer.message.body {
                // tcp, vsock: the master is relayed through one data connection per session.
                guard let token = tokens.first else { return }  // attached already
                do throws(HostFailure) {
                    let socket = try session.attach(token)
                    session.terminalMaster?.closeQuietly()
                    session.terminalMaster = FileDescriptor(rawValue: socket)
                } catch {
                    report("host: terminal: \(error.message)")
                    throw .failure(status: 1)
                }
                return
            }
            guard let fd = answer.descriptors.first else {
                report("host: no terminal came back")
                throw .failure(status: 1)
            }
            answer.descriptors.dropFirst().forEach { _ = Glibc.close($0) }
            session.terminalMaster?.closeQuietly()
            session.terminalMaster = FileDescriptor(rawValue: fd)
        case .failure(let failure):
            report("host: terminal: \(failure.message)")
            throw .failure(status: 1)
        }
    }

    /// Runs the relay until the foreground job is done or stops: guest terminal input to the
    /// master, master output to the guest terminal, resizes to the host, job events and guest
    /// children watched in one poll loop.
    func relayForegroundJob(_ launch: JobLaunch, terminal: TerminalOwnership) throws(Unwind)
        -> (guest: [pid_t: WaitStatus], host: [UInt32: [Int32]], stoppedBy: Int32?)
    {
        guard let part = launch.hostParts.first, let master = part.session.terminalMaster else {
            return ([:], [:], nil)
        }
        let session = part.session
        let tty = FileDescriptor(rawValue: terminal.fd)
        // The relay reads the guest terminal, so the shell keeps it: keys go to the host pty,
        // whose line discipline makes Ctrl-C and Ctrl-Z into signals for the host job; the shell
        // then does the same to the guest side.
        tcsetpgrp(terminal.fd, terminal.shellGroup)
        // Raw guest terminal for the duration; its exact modes come back afterwards.
        var saved = termios()
        tcgetattr(terminal.fd, &saved)
        var raw = saved
        cfmakeraw(&raw)
        tcsetattr(terminal.fd, TCSADRAIN, &raw)
        try? Signals.setDisposition(SIGCHLD, .catchPending)
        try? Signals.setDisposition(SIGWINCH, .catchPending)
        defer {
            var restored = saved
            tcsetattr(terminal.fd, TCSADRAIN, &restored)
            try? Signals.setDisposition(SIGCHLD, .default)
            try? Signals.setDisposition(SIGWINCH, .default)
        }
        let flags = fcntl(master.rawValue, F_GETFL)
        _ = fcntl(master.rawValue, F_SETFL, flags | O_NONBLOCK)

        var guest: [pid_t: WaitStatus] = [:]
        var host: [UInt32: [Int32]] = [:]
        var stoppedBy: Int32? = nil
        var outstanding = launch.processIDs
        var hostOutstanding = launch.hostParts.map(\.jobID)

        func copyMasterOutput() {
            while let bytes = try? master.readSome(upTo: 65536), !bytes.isEmpty {
                try? tty.writeAll(bytes)
            }
        }

        while true {
            // Guest children that changed state.
            for pid in outstanding {
                guard let result = try? Wait.wait(pid, options: [.noHang, .untraced]) else { continue }
                if case .stopped(let signal) = result.status {
                    stoppedBy = signal
                } else if result.status.isTerminated {
                    guest[pid] = result.status
                }
            }
            outstanding.removeAll { guest[$0] != nil }
            // Host events already read.
            do {
                try session.handleBufferedEvents()
            } catch {
                throw hostLost(error)
            }
            for jobID in hostOutstanding {
                if let statuses = session.takeFinished(jobID) {
                    host[jobID] = statuses.map(\.shellStatus)
                    // An interrupt typed into the host pty ends the guest side too.
                    for status in statuses {
                        if case .signaled(let signal, _) = status, signal == SIGINT || signal == SIGQUIT, launch.group != 0 {
                            kill(-launch.group, signal)
                            break
                        }
                    }
                }
                if let signal = session.stoppedJobs.removeValue(forKey: jobID) { stoppedBy = signal }
            }
            hostOutstanding.removeAll { host[$0] != nil }
            if stoppedBy != nil || (outstanding.isEmpty && hostOutstanding.isEmpty) {
                copyMasterOutput()
                break
            }
            if Signals.takePending(SIGWINCH), let size = try? Terminal.windowSize(tty) {
                _ = try? session.request(.resizeTerminal(jobID: 0, rows: size.rows, columns: size.columns))
            }
            _ = Signals.takePending(SIGCHLD)

            var descriptors = [
                pollfd(fd: terminal.fd, events: Int16(POLLIN), revents: 0),
                pollfd(fd: master.rawValue, events: Int16(POLLIN), revents: 0),
                pollfd(fd: session.connection.fileDescriptor, events: Int16(POLLIN), revents: 0),
            ]
            if let wakeup = Signals.wakeupDescriptor {
                descriptors.append(pollfd(fd: wakeup, events: Int16(POLLIN), revents: 0))
            }
            if poll(&descriptors, nfds_t(descriptors.count), -1) < 0 {
                if errno == EINTR { continue }
                break
            }
            if descriptors[0].revents & Int16(POLLIN) != 0, let keys = try? tty.readSome(upTo: 4096), !keys.isEmpty {
                try? master.writeAll(keys)
            }
            if descriptors[1].revents != 0 { copyMasterOutput() }
            if descriptors[2].revents != 0 {
                do {
                    try session.readEvents(blocking: false)
                } catch {
                    throw hostLost(error)
                }
            }
            if descriptors.count > 3 && descriptors[3].revents != 0 { Signals.drainWakeup() }
        }
        _ = fcntl(master.rawValue, F_SETFL, flags)
        return (guest, host, stoppedBy)
    }
}

extension Shell {
    /// The host pty's master, for the line editor to watch while the shell sits at its prompt:
    /// background host jobs write there, and what they write must appear at once, as a local
    /// background job's output would. Nil without job control or without a host pty.
    public var backgroundHostOutput: Int32? {
        guard terminal != nil, let master = hostLink?.session?.terminalMaster else { return nil }
        return master.rawValue
    }
}

/// Whether `fd` is the same terminal as `terminalFD` (same device).
func isSameTerminal(_ fd: Int32, _ terminalFD: Int32) -> Bool {
    guard isatty(fd) != 0 else { return false }
    var a = stat()
    var b = stat()
    guard fstat(fd, &a) == 0, fstat(terminalFD, &b) == 0 else { return false }
    return a.st_rdev == b.st_rdev
}
