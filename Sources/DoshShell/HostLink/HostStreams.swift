import DoshProtocol
import DoshSystem
import DoshTransport
import SystemPackage

#if canImport(Glibc)
    import Glibc
#endif

/// Streams over tcp and vsock, where descriptors cannot be passed: each guest fd a host process
/// uses becomes a data connection, attached with a token from the shadow, and a guest relay
/// copies between the fd and the connection (docs/protocol.md, *Streams*).
extension HostSession {
    /// Opens `count` data connections attached to this session, with their tokens; the caller
    /// owns the sockets.
    func openDataConnections(_ direction: StreamDirection, count: Int) throws(HostFailure) -> [(token: StreamToken, socket: Int32)] {
        guard count > 0 else { return [] }
        let answer = try request(.openStreams(direction: direction, count: UInt32(count)))
        guard case .streamTokens(let tokens) = answer.message.body, tokens.count == count else {
            throw HostFailure(message: "unexpected answer to openStreams", lostSession: true)
        }
        var connections: [(token: StreamToken, socket: Int32)] = []
        for token in tokens {
            do {
                connections.append((token, try attach(token)))
            } catch {
                connections.forEach { _ = Glibc.close($0.socket) }
                throw error
            }
        }
        return connections
    }

    /// `count` attached data connections for `direction`, warm ones first (see
    /// `WarmConnections`); the caller owns the sockets.
    func takeDataConnections(_ direction: StreamDirection, count: Int) throws(HostFailure) -> [(token: StreamToken, socket: Int32)] {
        try warmConnections.take(direction, count: count) { (direction, count) throws(HostFailure) in
            try openDataConnections(direction, count: count)
        }
    }

    /// Opens one data connection and attaches it with `token`; returns its socket.
    func attach(_ token: StreamToken) throws(HostFailure) -> Int32 {
        do throws(TransportError) {
            let connection = try Connection.connect(to: address)
            try connection.attach(stream: token)
            return connection.takeFileDescriptor()
        } catch {
            throw HostFailure(message: "data connection: \(error.description)")
        }
    }

    /// The session's relay process, started on first use (and again if it died).
    func relays() throws(Errno) -> RelayProcess {
        if let relayProcess, relayProcess.isRunning { return relayProcess }
        relayProcess?.end()
        let started = try RelayProcess.start()
        relayProcess = started
        return started
    }

    /// Waits for the relays delivering a finished job's output (they end at the host's EOF) and
    /// stops the ones feeding its input.
    func endRelays(of jobID: UInt32) {
        jobRelays.removeValue(forKey: jobID)?.finish(relayProcess)
    }

    /// Stops every relay (the session ends).
    func endRelays() {
        for relays in jobRelays.values { relays.stop(relayProcess) }
        jobRelays = [:]
        relayProcess?.end()
        relayProcess = nil
    }
}

/// The relay writing a host file for a guest command (`> !f` over tcp): a group of the
/// session's relay process, or a relay process of its own.
enum HostWrite {
    case process(pid_t)
    case group(UInt32, RelayProcess)
}

/// The guest relays of one host job: streams in the session's relay process (one group) and,
/// for ends it cannot take (a terminal), relay processes of their own.
struct JobRelays {
    var group: UInt32?
    var output: [pid_t] = []
    var input: [pid_t] = []

    var isEmpty: Bool { group == nil && output.isEmpty && input.isEmpty }

    /// Waits until the output is delivered, then stops the input.
    func finish(_ relayProcess: RelayProcess?) {
        for relay in output { _ = try? Wait.wait(relay) }
        if let group { relayProcess?.finish(group) }
        Relay.stop(input)
    }

    /// Stops everything at once (the job never started, or the session ends).
    func stop(_ relayProcess: RelayProcess?) {
        if let group { relayProcess?.stop(group) }
        Relay.stop(output + input)
    }
}

extension Shell {
    /// Over tcp or vsock: turns the guest fds a host job would be passed into data connections
    /// with relays, rewriting its `passed` settings into `stream` ones. Returns the job's relays.
    func streamPassedDescriptors(
        _ spec: inout JobSpec, descriptors: [Int32], session: HostSession
    ) throws(Unwind) -> JobRelays {
        var targets: [[Int32]] = Array(repeating: [], count: descriptors.count)
        for process in spec.processes {
            for setting in process.descriptors {
                if case .passed(let index) = setting.source { targets[Int(index)].append(setting.descriptor) }
            }
        }
        let directions = descriptors.indices.map { Self.streamDirection(of: descriptors[$0], usedAs: targets[$0]) }
        // /dev/null needs no stream: the host has one of its own (`!cmd >/dev/null 2>&1`).
        let isNull = descriptors.map(Self.isNullDevice)
        var connections: [(token: StreamToken, socket: Int32)?] = []
        do throws(HostFailure) {
            // One request per direction; connections in the order of `descriptors`.
            var byDirection: [StreamDirection: [(token: StreamToken, socket: Int32)]] = [:]
            for direction in StreamDirection.allCases {
                let count = directions.indices.filter { directions[$0] == direction && !isNull[$0] }.count
                do throws(HostFailure) {
                    byDirection[direction] = try session.takeDataConnections(direction, count: count)
                } catch {
                    byDirection.values.joined().forEach { _ = Glibc.close($0.socket) }
                    throw error
                }
            }
            for (index, direction) in directions.enumerated() {
                connections.append(isNull[index] ? nil : byDirection[direction]!.removeFirst())
            }
        } catch {
            if error.lostSession { throw hostLost(error) }
            report("host: \(error.message)")
            throw .failure(status: 126)
        }
        defer { connections.forEach { if let socket = $0?.socket { _ = Glibc.close(socket) } } }
        var relays = JobRelays()
        for processIndex in spec.processes.indices {
            for settingIndex in spec.processes[processIndex].descriptors.indices {
                guard case .passed(let index) = spec.processes[processIndex].descriptors[settingIndex].source else { continue }
                let source: DescriptorSource
                if let connection = connections[Int(index)] {
                    source = .stream(connection.token)
                } else {
                    let mode: OpenMode = switch directions[Int(index)] {
                    case .guestToHost: .read
                    case .hostToGuest: .append
                    case .both: .readWrite
                    }
                    source = .file(path: Array("/dev/null".utf8), mode: mode, permissions: 0o666)
                }
                spec.processes[processIndex].descriptors[settingIndex].source = source
            }
        }
        do throws(Errno) {
            for (index, fd) in descriptors.enumerated() {
                guard let socket = connections[index]?.socket else { continue }
                let direction = directions[index]
                // Pipes and files go to the session's relay process; a terminal (which can
                // block it) gets a relay process of its own.
                let shared = RelayProcess.canRelay(fd) ? try session.relays() : nil
                func relay(from source: Int32, to sink: Int32, _ role: RelayProcess.Role) throws(Errno) {
                    if let shared {
                        if relays.group == nil { relays.group = shared.newGroup() }
                        try shared.relay(from: source, to: sink, role: role, group: relays.group!)
                    } else if role == .output {
                        relays.output.append(try Relay.start(from: source, to: sink))
                    } else {
                        relays.input.append(try Relay.start(from: source, to: sink))
                    }
                }
                if direction != .hostToGuest {
                    // The terminal is read by a relay in the job that holds it (its keys are the
                    // job's), stopped when the job ends; other inputs end at their EOF.
                    if let terminal, let job = jobLaunch, job.guestTakesTerminal, isSameTerminal(fd, terminal.fd) {
                        let relay = try Relay.start(
                            from: fd, to: socket, group: job.processGroup, foregroundTerminal: terminal.fd)
                        if job.processGroup == 0 { jobLaunch?.processGroup = relay }
                        jobLaunch?.terminalRelays.append(relay)
                    } else {
                        try relay(from: fd, to: socket, .input)
                    }
                }
                if direction != .guestToHost { try relay(from: socket, to: fd, .output) }
            }
        } catch {
            relays.stop(session.relayProcess)
            report("host: cannot relay a stream: \(error.message)")
            throw .failure(status: 126)
        }
        return relays
    }

    /// A host file for a guest command over tcp or vsock: the shadow relays between the file
    /// and a data connection. Reading, the connection is the fd. Writing, the command writes into
    /// a pipe whose relay ends only once the host has taken every byte: the redirection's end
    /// waits for it (`finishHostWrites`), so that the next command sees the whole file.
    func hostFileStream(_ token: StreamToken, mode: OpenMode, path: String, session: HostSession) throws(Unwind) -> FileDescriptor {
        let socket: Int32
        do throws(HostFailure) {
            socket = try session.attach(token)
        } catch {
            report("!\(path): \(error.message)")
            throw .failure(status: 1)
        }
        if mode.reads { return FileDescriptor(rawValue: socket) }
        defer { _ = Glibc.close(socket) }
        do throws(Errno) {
            let ends = try FileDescriptor.closeOnExecPipe()
            defer { ends.readEnd.closeQuietly() }
            do throws(Errno) {
                if let relays = try? session.relays() {
                    let group = relays.newGroup()
                    try relays.relay(from: ends.readEnd.rawValue, to: socket, role: .hostWrite, group: group)
                    hostWriteRelays.append(.group(group, relays))
                } else {
                    hostWriteRelays.append(.process(try Relay.start(from: ends.readEnd.rawValue, to: socket)))
                }
            } catch {
                ends.writeEnd.closeQuietly()
                throw error
            }
            return ends.writeEnd
        } catch {
            report("!\(path): \(error.message)")
            throw .failure(status: 1)
        }
    }

    /// Waits for the relays writing host files that were opened since `mark`.
    func finishHostWrites(from mark: Int) {
        guard mark < hostWriteRelays.count else { return }
        for relay in hostWriteRelays[mark...] {
            switch relay {
            case .process(let pid): _ = try? Wait.wait(pid)
            case .group(let group, let relays): relays.finish(group)
            }
        }
        hostWriteRelays.removeSubrange(mark...)
    }

    /// The device number of /dev/null, looked up once.
    private static let nullDevice: dev_t? = {
        var null = stat()
        return stat("/dev/null", &null) == 0 ? null.st_rdev : nil
    }()

    /// Whether `fd` is the null device.
    private static func isNullDevice(_ fd: Int32) -> Bool {
        var status = stat()
        guard let nullDevice, fstat(fd, &status) == 0, status.st_mode & S_IFMT == S_IFCHR else { return false }
        return status.st_rdev == nullDevice
    }

    /// Which way a guest fd's bytes go for a host process: by its access mode, and for one open
    /// for both by how the process uses it (its stdin, or its stdout and stderr).
    private static func streamDirection(of fd: Int32, usedAs targets: [Int32]) -> StreamDirection {
        switch (try? FileDescriptor(rawValue: fd).accessMode()) ?? O_RDWR {
        case O_RDONLY: return .guestToHost
        case O_WRONLY: return .hostToGuest
        default:
            if targets.allSatisfy({ $0 == 0 }) { return .guestToHost }
            if targets.allSatisfy({ $0 == 1 || $0 == 2 }) { return .hostToGuest }
            return .both
        }
    }
}
