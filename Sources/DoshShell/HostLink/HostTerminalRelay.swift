import DoshProtocol
import DoshSystem
import DoshTransport
import SystemPackage

#if canImport(Glibc)
    import Glibc
#endif

/// The pty rule: in a job of an interactive shell that runs on the host pty (`TerminalRule`), a
/// host process's fd that would be the guest terminal is the slave of the session's host pty
/// instead. The shell relays the guest terminal (raw meanwhile) to the pty's master, so the host
/// program sees a real terminal with the guest's modes and size, and keys like Ctrl-Z and
/// Ctrl-C reach it through its own line discipline. Other fds stay plain (redirected input and
/// output are never mangled).
extension Shell {
    /// The setting for a host process's fd 0, 1 or 2 taken from the guest's `fd`.
    func terminalOrPassed(_ fd: Int32, _ builder: inout HostJobBuilder) -> DescriptorSource {
        if let terminal, let job = jobLaunch, job.terminalSide == .host, isSameTerminal(fd, terminal.fd) {
            builder.usesTerminal = true
            return .terminal
        }
        return builder.pass(fd)
    }

    /// For a job on the host pty with guest stages: the pty's slave, which the guest stages get
    /// where they would get the terminal. The shadow opens its controlling terminal, `/dev/tty`,
    /// which is that slave; over a data connection the guest holds a stream into it.
    func openHostTerminalForGuests(_ session: HostSession) throws(Unwind) {
        guard jobLaunch?.hostTerminalForGuests == nil else { return }
        try openHostTerminal(session)
        func open(_ op: RedirectionOperator) throws(Unwind) -> Int32 {
            try openHostFile(Redirection(fd: nil, op: op, target: Word([.literal("/dev/tty")]), targetSide: .host)).rawValue
        }
        if session.canPassDescriptors {
            let slave = try open(.readWrite)
            jobLaunch?.hostTerminalForGuests = (slave, slave)
        } else {
            // Over a data connection only output goes to the pty: a relay reading the host pty
            // outside the job's group would read nothing. A guest stage reading the terminal
            // keeps the guest's, and stops (tty input) if it reads: it is not in the foreground.
            jobLaunch?.hostTerminalForGuests = (-1, try open(.append))
        }
    }

    /// Once every stage started: the parent's copies of the slave go.
    func closeHostTerminalForGuests() {
        guard let slave = jobLaunch?.hostTerminalForGuests else { return }
        if slave.input >= 0 { _ = close(slave.input) }
        if slave.output != slave.input { _ = close(slave.output) }
        jobLaunch?.hostTerminalForGuests = nil
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
