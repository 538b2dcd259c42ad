import DoshProtocol
import DoshSystem
import DoshTransport
import SystemPackage

#if canImport(Glibc)
    import Glibc
#endif

/// Why talking to the host failed: printed as `dosh: host: MESSAGE`.
struct HostFailure: Error {
    var message: String
    /// The host's errno when a request was refused, 0 when the connection itself failed.
    var code: Int32 = 0
    /// Whether the session is unusable now (connection lost or broken).
    var lostSession = false
}

extension HostFailure {
    /// Any error on the control connection: a `HostFailure` as it is, anything else (transport
    /// errors, protocol violations) loses the session.
    init(_ error: any Error) {
        if let failure = error as? HostFailure {
            self = failure
        } else if let error = error as? TransportError {
            self = HostFailure(message: error.description, lostSession: true)
        } else {
            self = HostFailure(message: "\(error)", lostSession: true)
        }
    }
}

/// The shell's end of one host session: the control connection to its shadow process.
///
/// Requests are answered in order on one connection; events (job stopped, exited, finished)
/// that arrive while the shell waits for an answer are kept until asked for.
final class HostSession {
    let connection: Connection
    /// Whether fds cross the control connection (SCM_RIGHTS: a unix socket to the agent or the
    /// `local` socketpair; the handshake probes it). Then streams cross as the very pipes and
    /// files, with no copy; otherwise as data connections (tcp, vsock, a forwarded unix socket).
    let canPassDescriptors: Bool
    /// The shadow process this shell started itself (`--host local`), to reap at the end.
    let localShadow: pid_t?
    /// Where data connections go (tcp, vsock: streams cannot be passed as descriptors).
    let address: Address
    /// The guest relays of each host job (where descriptors cannot be passed). Its output ones
    /// must have delivered the last byte before the job is over for the guest; its input ones
    /// are stopped once the job has finished (nothing reads what they would carry; left alone,
    /// one blocked on a quiet pipe or the terminal would live on).
    var jobRelays: [UInt32: JobRelays] = [:]
    /// The process relaying the session's streams, started on first need.
    var relayProcess: RelayProcess?
    /// Data connections attached ahead of need (where descriptors cannot be passed).
    var warmConnections = WarmConnections()
    var state: HostState
    private var nextRequestID: UInt32 = 1
    /// Each finished job's statuses, and what its `jobFinished` said of the pty's output.
    private var finishedJobs: [UInt32: (statuses: [ExitStatus], terminalOutput: UInt64)] = [:]
    /// Host jobs the shadow reported stopped (and not continued since), with the signal.
    var stoppedJobs: [UInt32: Int32] = [:]
    /// The master of the session's host pty, once opened.
    var terminalMaster: FileDescriptor? = nil
    /// Requests given up on (completion has a time limit): their late answers are dropped.
    private var abandonedRequests: Set<UInt32> = []

    private init(connection: Connection, address: Address, canPassDescriptors: Bool, localShadow: pid_t?, info: SessionInfo) {
        self.connection = connection
        self.address = address
        self.canPassDescriptors = canPassDescriptors
        self.localShadow = localShadow
        var environment: [String: String] = [:]
        for variable in info.environment {
            environment[String(decoding: variable.name, as: UTF8.self)] = String(decoding: variable.value, as: UTF8.self)
        }
        let home = String(decoding: info.homeDirectory, as: UTF8.self)
        self.state = HostState(
            hostName: String(decoding: info.hostName, as: UTF8.self),
            workingDirectory: String(decoding: info.workingDirectory, as: UTF8.self),
            home: home.isEmpty ? environment["HOME"] : home,
            environment: environment)
    }

    /// Connects to `address` and opens a session. `local` starts a private shadow process: this
    /// very program with `--shadow-fd 3`, over a socketpair.
    static func open(_ address: Address, tokenFile: String?) throws(HostFailure) -> HostSession {
        do throws(any Error) {
            switch address {
            case .none:
                throw HostFailure(message: "no host connected")
            case .local:
                let (ours, theirs) = try Connection.pair()
                // The shadow outlives the command that opened the session: it must not hold that
                // command's input or output (a `$(!cmd)` in a subshell would never see its end).
                let null = try FileDescriptor.open(path: "/dev/null", flags: O_RDWR | O_CLOEXEC)
                defer { null.closeQuietly() }
                var options = SpawnOptions()
                options.fdActions = [
                    .duplicate(source: null.rawValue, target: 0), .duplicate(source: null.rawValue, target: 1),
                    .duplicate(source: theirs.fileDescriptor, target: 3),
                ]
                // An interactive shell ignores these for itself; host programs must not inherit that.
                options.defaultSignals = [SIGINT, SIGQUIT, SIGTERM, SIGTSTP, SIGTTIN, SIGTTOU, SIGHUP, SIGPIPE]
                let program = currentExecutablePath()
                let pid: pid_t
                do {
                    pid = try Spawn.spawn(
                        path: program, arguments: ["dosh", "--shadow-fd", "3"],
                        environment: ProcessEnvironment.current(), options: options)
                } catch {
                    theirs.close()
                    ours.close()
                    throw HostFailure(message: "cannot start a local shadow process: \(error.message)")
                }
                theirs.close()
                let outcome = try ShellHandshake.perform(on: ours, software: "dosh", authenticator: nil)
                return HostSession(
                    connection: ours, address: address, canPassDescriptors: outcome.passesDescriptors, localShadow: pid,
                    info: outcome.session)
            case .unix, .tcp, .vsock:
                var authenticator: Authenticator? = nil
                if let tokenFile { authenticator = try Authenticator.load(tokenFile: tokenFile) }
                let connection = try Connection.connect(to: address)
                try connection.setNonBlocking(false)
                let outcome = try ShellHandshake.perform(on: connection, software: "dosh", authenticator: authenticator)
                return HostSession(
                    connection: connection, address: address, canPassDescriptors: outcome.passesDescriptors, localShadow: nil,
                    info: outcome.session)
            }
        } catch {
            throw HostFailure(error)
        }
    }

    /// Sends a request (with fds, over a unix connection) and returns its answer; an `error`
    /// answer is thrown. With a `timeout`, a slow answer is given up on (and dropped when it
    /// comes) and the request fails without losing the session.
    func request(_ body: Message.Body, descriptors: [Int32] = [], timeout: Duration? = nil) throws(HostFailure) -> ReceivedMessage {
        let deadline = timeout.map { ContinuousClock.now.advanced(by: $0) }
        let id = nextRequestID
        nextRequestID = nextRequestID == UInt32.max ? 1 : nextRequestID + 1
        do throws(any Error) {
            if descriptors.isEmpty {
                try connection.send(Message(requestID: id, body))
            } else {
                try connection.send(Message(requestID: id, body), descriptors: descriptors)
            }
            while true {
                let remaining = deadline.map { $0 - ContinuousClock.now }
                if let remaining, remaining <= .zero {
                    abandonedRequests.insert(id)
                    throw HostFailure(message: "the host did not answer in time")
                }
                let received: ReceivedMessage
                do {
                    guard let frame = try connection.receiveFrame(timeout: remaining) else {
                        throw HostFailure(message: "connection closed by the host", lostSession: true)
                    }
                    received = frame
                } catch let error as TransportError {
                    if case .timedOut = error {
                        abandonedRequests.insert(id)
                        throw HostFailure(message: "the host did not answer in time")
                    }
                    throw error
                }
                if received.message.requestID != 0, abandonedRequests.remove(received.message.requestID) != nil {
                    received.descriptors.forEach { _ = Glibc.close($0) }
                    continue
                }
                if received.message.requestID == id {
                    if case .error(let code, let message) = received.message.body {
                        received.descriptors.forEach { _ = Glibc.close($0) }
                        throw HostFailure(message: String(decoding: message, as: UTF8.self), code: code)
                    }
                    return received
                }
                received.descriptors.forEach { _ = Glibc.close($0) }
                try handleEvent(received.message)
            }
        } catch {
            throw HostFailure(error)
        }
    }

    /// Waits until a host job has finished; returns each process's status, in order. Meanwhile
    /// each of `forwarded` that the shell receives (Ctrl-C typed while it holds the terminal)
    /// is sent on to the job.
    func waitForJob(_ jobID: UInt32, forwarding forwarded: [Int32] = []) throws(HostFailure) -> [ExitStatus] {
        while true {
            // Frames read together with an earlier answer wait in the buffer, not in the socket.
            try handleBufferedEvents()
            if let finished = finishedJobs.removeValue(forKey: jobID) { return finished.statuses }
            var requested = false
            for signal in forwarded where Signals.takePending(signal) {
                requested = true
                do {
                    _ = try request(.signalJob(jobID: jobID, signal: signal))
                } catch {
                    // The job may have just ended: only a lost session matters here.
                    if error.lostSession { throw error }
                }
            }
            // The request read the connection up to its answer: the job's end may be buffered now.
            if requested { continue }
            var descriptors = [pollfd(fd: connection.fileDescriptor, events: Int16(POLLIN), revents: 0)]
            if !forwarded.isEmpty, let wakeup = Signals.wakeupDescriptor {
                descriptors.append(pollfd(fd: wakeup, events: Int16(POLLIN), revents: 0))
            }
            if poll(&descriptors, nfds_t(descriptors.count), -1) < 0 {
                if errno == EINTR { continue }
                throw HostFailure(message: "poll: \(Errno(rawValue: errno).message)", lostSession: true)
            }
            if descriptors.count > 1 && descriptors[1].revents != 0 { Signals.drainWakeup() }
            if descriptors[0].revents != 0 { try readEvents(blocking: false) }
        }
    }

    /// Takes the statuses of a finished job, if its `jobFinished` has arrived, with the bytes
    /// of the pty's data connection its output came to, counted since it started.
    func takeFinished(_ jobID: UInt32) -> (statuses: [ExitStatus], terminalOutput: UInt64)? {
        finishedJobs.removeValue(forKey: jobID)
    }

    /// Reads whatever has arrived without blocking; returns the job's statuses if it finished.
    func pollFinished(_ jobID: UInt32) -> [ExitStatus]? {
        try? handleBufferedEvents()
        if let finished = finishedJobs.removeValue(forKey: jobID) { return finished.statuses }
        var descriptor = pollfd(fd: connection.fileDescriptor, events: Int16(POLLIN), revents: 0)
        if poll(&descriptor, 1, 0) > 0 { try? readEvents(blocking: false) }
        return finishedJobs.removeValue(forKey: jobID)?.statuses
    }

    /// One read from the connection, then every complete frame in it handled as an event.
    func readEvents(blocking: Bool) throws(HostFailure) {
        do throws(any Error) {
            guard try connection.readAvailable() else {
                throw HostFailure(message: "connection closed by the host", lostSession: true)
            }
        } catch {
            throw HostFailure(error)
        }
        try handleBufferedEvents()
    }

    /// Handles every complete frame already read from the connection.
    func handleBufferedEvents() throws(HostFailure) {
        do throws(any Error) {
            while let received = try connection.nextBufferedFrame() {
                received.descriptors.forEach { _ = Glibc.close($0) }
                if received.message.requestID != 0, abandonedRequests.remove(received.message.requestID) != nil { continue }
                try handleEvent(received.message)
            }
        } catch {
            throw HostFailure(error)
        }
    }

    private func handleEvent(_ message: Message) throws(HostFailure) {
        switch message.body {
        case .jobFinished(let jobID, let statuses, let terminalOutput):
            endRelays(of: jobID)
            finishedJobs[jobID] = (statuses, terminalOutput)
        case .jobStopped(let jobID, let signal):
            stoppedJobs[jobID] = signal
        case .jobContinued(let jobID):
            stoppedJobs[jobID] = nil
        case .processExited:
            break
        default:
            throw HostFailure(message: "unexpected \(message.body.type.name) from the host", lostSession: true)
        }
    }

    /// Ends the session: the shadow hangs up the jobs it still runs.
    func close() {
        connection.close()
        warmConnections.closeAll()
        endRelays()
        if let localShadow, case .signaled = (try? Wait.wait(localShadow))??.status {
            // It could not hang up its jobs itself.
            SessionHangUp.hangUp(session: localShadow)
        }
    }
}

/// The path of this program (`/proc/self/exe`), to start it again as a shadow process.
func currentExecutablePath() -> String {
    var buffer = [CChar](repeating: 0, count: 4096)
    let length = readlink("/proc/self/exe", &buffer, buffer.count - 1)
    guard length > 0 else { return "/proc/self/exe" }
    return String(decoding: buffer[..<length].map { UInt8(bitPattern: $0) }, as: UTF8.self)
}
