import CDoshSystem
import SystemPackage

#if canImport(Glibc)
    import Glibc
#endif

/// One child process that relays every stream of a shell's host session where descriptors
/// cannot be passed (tcp, vsock, forwarded sockets): each stream a `SplicePump` in one poll(2)
/// loop, so that a host command costs no fork for its relays.
///
/// The shell sends it streams over a socketpair (SOCK_SEQPACKET: one message per send, the
/// two descriptors riding on it with SCM_RIGHTS), each in a numbered group (a host job), and
/// learns when a group's output has been delivered: the job is over for the guest only then.
/// The child keeps nothing of the shell but that socketpair, ignores SIGPIPE and the terminal's
/// signals (as a relay in a job must outlive a Ctrl-C), and ends when the shell closes its end.
public final class RelayProcess {
    /// Which way a stream goes, and so which end is the data connection (the relay's own, made
    /// non-blocking; the other end is the guest's and stays as it is).
    public enum Role: UInt8 {
        /// Connection → guest fd; the group's end waits for it.
        case output = 1
        /// Guest fd → connection; stopped with its group.
        case input = 2
        /// Guest fd → connection of a host file; the group's end waits until the host has
        /// closed the connection (the file is complete then).
        case hostWrite = 3
    }

    /// Control messages: kind, then the group (u32, big-endian).
    private enum Kind: UInt8 {
        case output = 1, input = 2, hostWrite = 5
        /// Shell → relay: close every stream of the group.
        case stop = 3
        /// Relay → shell: every output stream of the group has ended.
        case delivered = 4
    }

    public let pid: pid_t
    /// The shell that started it: a forked subshell holds a copy of this object, and must
    /// neither send on the socketpair nor read its notices.
    private let owner = getpid()
    private let control: FileDescriptor
    private var nextGroup: UInt32 = 1
    private var groupsWithOutput: Set<UInt32> = []
    private var delivered: Set<UInt32> = []

    private init(pid: pid_t, control: FileDescriptor) {
        self.pid = pid
        self.control = control
    }

    /// Whether the relay process can take an end of this kind: one that never blocks a splice
    /// with SPLICE_F_NONBLOCK, or a read or write after poll(2) said so. A terminal can (output
    /// stopped with ^S, a read outside the foreground group), so it gets a relay of its own.
    public static func canRelay(_ fd: Int32) -> Bool {
        let descriptor = FileDescriptor(rawValue: fd)
        return descriptor.isPipe || descriptor.isRegularFile
    }

    /// Forks the relay process (`fork(2)`: the shell is single-threaded, so the child may run
    /// Swift).
    public static func start() throws(Errno) -> RelayProcess {
        var pair: [Int32] = [-1, -1]
        guard socketpair(AF_UNIX, Int32(SOCK_SEQPACKET.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0, &pair) == 0 else {
            throw Errno(rawValue: errno)
        }
        let mask = Signals.blockAll()
        let pid = Glibc.fork()
        if pid == 0 {
            Glibc.close(pair[0])
            RelayProcess.serve(control: FileDescriptor(rawValue: pair[1]))
        }
        let error = errno
        Signals.setMask(mask)
        Glibc.close(pair[1])
        guard pid > 0 else {
            Glibc.close(pair[0])
            throw Errno(rawValue: error)
        }
        return RelayProcess(pid: pid, control: FileDescriptor(rawValue: pair[0]))
    }

    /// Whether the relay process still runs (`waitpid(2)` without waiting: one that died, even
    /// if the shell's own reaping took it, must be started again).
    public var isRunning: Bool {
        var status: Int32 = 0
        return waitpid(pid, &status, WNOHANG) == 0
    }

    /// A fresh group number for one job's streams.
    public func newGroup() -> UInt32 {
        defer { nextGroup = nextGroup == UInt32.max ? 1 : nextGroup + 1 }
        return nextGroup
    }

    /// Hands a stream to the relay process, which gets its own copies of `source` and `sink`
    /// (the caller closes its own).
    public func relay(from source: Int32, to sink: Int32, role: Role, group: UInt32) throws(Errno) {
        guard getpid() == owner else { throw Errno(rawValue: ECHILD) }
        let kind: Kind = switch role {
        case .output: .output
        case .input: .input
        case .hostWrite: .hostWrite
        }
        try send(kind, group, descriptors: [source, sink])
        if role != .input { groupsWithOutput.insert(group) }
    }

    /// Waits until every output and host-write stream of `group` has delivered its last byte (at
    /// once if it had none, or if the relay process is gone), then closes the group's other
    /// streams.
    public func finish(_ group: UInt32) {
        guard getpid() == owner else { return }
        if groupsWithOutput.remove(group) != nil {
            while delivered.remove(group) == nil {
                guard receiveNotice() else { break }
            }
        }
        stop(group)
    }

    /// Closes every stream of `group` at once (its job never started).
    public func stop(_ group: UInt32) {
        guard getpid() == owner else { return }
        groupsWithOutput.remove(group)
        try? send(.stop, group, descriptors: [])
    }

    /// Ends the relay process (SIGTERM, then waitpid(2)): the session is over.
    public func end() {
        guard getpid() == owner else { return }
        control.closeQuietly()
        kill(pid, SIGTERM)
        _ = try? Wait.wait(pid)
    }

    private func send(_ kind: Kind, _ group: UInt32, descriptors: [Int32]) throws(Errno) {
        var message = RelayProcess.encode(kind, group)
        while true {
            let sent = message.withUnsafeMutableBytes { bytes in
                descriptors.withUnsafeBufferPointer { fds in
                    descriptors.isEmpty
                        ? Glibc.send(control.rawValue, bytes.baseAddress, bytes.count, Int32(MSG_NOSIGNAL))
                        : dosh_send_with_descriptors(control.rawValue, bytes.baseAddress!, bytes.count, fds.baseAddress!, fds.count)
                }
            }
            if sent >= 0 { return }
            if errno != EINTR { throw Errno(rawValue: errno) }
        }
    }

    /// Reads one `delivered` notice (blocking); false when the relay process is gone.
    private func receiveNotice() -> Bool {
        guard let (kind, group, descriptors) = RelayProcess.receive(control) else { return false }
        descriptors.forEach { $0.closeQuietly() }
        if kind == .delivered { delivered.insert(group) }
        return true
    }

    private static func encode(_ kind: Kind, _ group: UInt32) -> [UInt8] {
        [kind.rawValue, UInt8(group >> 24), UInt8(group >> 16 & 0xFF), UInt8(group >> 8 & 0xFF), UInt8(group & 0xFF)]
    }

    /// One control message (blocking), or nil at the peer's end, or on a malformed one: only
    /// the shell and its own child speak here, so that is a bug, and ending is the safe answer.
    private static func receive(_ socket: FileDescriptor) -> (Kind, UInt32, [FileDescriptor])? {
        var bytes = [UInt8](repeating: 0, count: 8)
        var fds = [Int32](repeating: -1, count: 2)
        var count = 0
        while true {
            let got = bytes.withUnsafeMutableBytes { buffer in
                fds.withUnsafeMutableBufferPointer { fds in
                    dosh_receive_with_descriptors(socket.rawValue, buffer.baseAddress!, buffer.count, fds.baseAddress!, fds.count, &count)
                }
            }
            let descriptors = fds[..<count].map { FileDescriptor(rawValue: $0) }
            if got < 0 && errno == EINTR { continue }
            guard got == 5, let kind = Kind(rawValue: bytes[0]) else {
                descriptors.forEach { $0.closeQuietly() }
                return nil
            }
            let group = UInt32(bytes[1]) << 24 | UInt32(bytes[2]) << 16 | UInt32(bytes[3]) << 8 | UInt32(bytes[4])
            return (kind, group, descriptors)
        }
    }

    // MARK: The child

    private struct Stream {
        var group: UInt32
        var role: Role
        var pump: SplicePump
    }

    /// The relay process's life: streams in, pumps run, notices out; never returns.
    private static func serve(control: FileDescriptor) -> Never {
        for signal in 1..<Int32(32) where signal != SIGKILL && signal != SIGSTOP {
            let ignored = [SIGPIPE, SIGINT, SIGQUIT, SIGTSTP, SIGTTIN, SIGTTOU].contains(signal)
            try? Signals.setDisposition(signal, ignored ? .ignore : .default)
        }
        Signals.unblockAll()
        // Only the socketpair stays: a stray copy of a pipe would hold back someone's EOF.
        StrayDescriptors.closeAll(except: [control.rawValue])
        var streams: [Stream] = []
        var pending: [UInt32: Int] = [:]  // output streams still running, per group
        while true {
            var descriptors = [pollfd(fd: control.rawValue, events: Int16(POLLIN), revents: 0)]
            for stream in streams {
                let (fd, events) = stream.pump.pollEvents!
                descriptors.append(pollfd(fd: fd, events: events, revents: 0))
            }
            if poll(&descriptors, nfds_t(descriptors.count), -1) < 0 {
                if errno == EINTR { continue }
                _exit(1)
            }
            for index in streams.indices where descriptors[index + 1].revents != 0 {
                streams[index].pump.pump()
            }
            if descriptors[0].revents != 0 {
                guard let (kind, group, ends) = receive(control) else { _exit(0) }
                switch kind {
                case .output, .input, .hostWrite:
                    guard ends.count == 2 else {
                        ends.forEach { $0.closeQuietly() }
                        break
                    }
                    let role: Role = kind == .output ? .output : kind == .input ? .input : .hostWrite
                    // The data connection is the relay's own: non-blocking, so no splice waits on it.
                    try? (role == .output ? ends[0] : ends[1]).setNonBlocking(true)
                    do throws(Errno) {
                        let pump = try SplicePump(from: ends[0], to: ends[1], awaitsPeerClose: role == .hostWrite)
                        streams.append(Stream(group: group, role: role, pump: pump))
                        if role != .input { pending[group, default: 0] += 1 }
                    } catch {
                        ends.forEach { $0.closeQuietly() }
                        if role != .input { notify(control, group, pending: &pending, ended: 0) }
                    }
                case .stop:
                    for stream in streams where stream.group == group { stream.pump.close() }
                    streams.removeAll { $0.group == group }
                    pending[group] = nil
                case .delivered:
                    break
                }
            }
            var ended: [UInt32: Int] = [:]
            streams.removeAll { stream in
                guard stream.pump.isDone else { return false }
                stream.pump.close()
                if stream.role != .input { ended[stream.group, default: 0] += 1 }
                return true
            }
            for (group, count) in ended { notify(control, group, pending: &pending, ended: count) }
        }
    }

    /// Counts `ended` output streams of `group` off; when none is left, tells the shell.
    private static func notify(_ control: FileDescriptor, _ group: UInt32, pending: inout [UInt32: Int], ended: Int) {
        let left = (pending[group] ?? 0) - ended
        guard left <= 0 else {
            pending[group] = left
            return
        }
        pending[group] = nil
        let message = encode(.delivered, group)
        _ = message.withUnsafeBytes { Glibc.send(control.rawValue, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
    }
}
