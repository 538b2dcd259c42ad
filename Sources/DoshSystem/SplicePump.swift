import SystemPackage

#if canImport(Glibc)
    import Glibc
#endif

/// One byte stream moved from `source` to `sink` without ever blocking, for a poll(2) loop that
/// moves many at once (the shadow's job output over tcp, the guest's relay process): no process
/// per stream, and no system call per chunk beyond splice(2) while bytes flow.
///
/// Between two ends of which neither is a pipe (socket to file, socket to socket) the bytes go
/// through a pipe of the pump's own; where splice cannot write (a file opened O_APPEND) they
/// are copied. At the source's end a socket sink is half-closed, so its reader sees EOF; with
/// `awaitsPeerClose` the pump then waits for the far end to close it too (a host file is
/// complete once the host has closed it). The pump owns both descriptors: `close()` them. A
/// splice into a socket whose reader went away raises SIGPIPE: its process must ignore it.
public struct SplicePump {
    /// What the pump waits for; `pollEvents` turns it into a poll(2) request.
    public enum State: Equatable {
        case wantsSource
        case wantsSink
        /// The sink's far end must close it (after the half-close).
        case wantsPeerClose
        case finished
        /// The sink's reader went away (or an error): closing the source passes it on to the
        /// writer, as a pipe's reader going away would.
        case failed(Errno)
    }

    public let source: FileDescriptor
    public let sink: FileDescriptor
    public private(set) var state: State = .wantsSource
    /// Bytes taken from the source so far: all of them reach the sink, in order.
    public private(set) var taken: UInt64 = 0
    private let awaitsPeerClose: Bool
    private let sinkIsSocket: Bool
    /// A pipe between two ends neither of which is one, and how many bytes wait in it.
    private var bridge: (readEnd: FileDescriptor, writeEnd: FileDescriptor)?
    private var bridged = 0
    /// Bytes read for copying (splice refused the sink) and not yet written.
    private var copying = false
    private var pending: [UInt8] = []

    /// The most one splice moves, and the size its pipes grow to.
    public static let chunk = 1 << 20
    /// Splices per `pump()`, so that one fast stream does not starve the others in the loop.
    private static let turnsPerPump = 16

    /// Takes `source` and `sink` (both owned from now on). Their open file descriptions are
    /// left as they are (they may be shared with other processes): the pump only runs them
    /// when poll(2) said so, and uses SPLICE_F_NONBLOCK. Each end must be a pipe, a regular
    /// file or a socket of the caller's own made non-blocking: a terminal could still block.
    public init(from source: FileDescriptor, to sink: FileDescriptor, awaitsPeerClose: Bool = false) throws(Errno) {
        self.source = source
        self.sink = sink
        self.awaitsPeerClose = awaitsPeerClose
        self.sinkIsSocket = sink.isSocket
        for end in [source, sink] where end.isPipe { _ = try? end.setPipeSize(SplicePump.chunk) }
        // splice(2) refuses a sink opened with O_APPEND (`>> log`), and a device (the pty
        // master) need not support it: copy.
        let splices = { (end: FileDescriptor) in end.isPipe || end.isSocket || end.isRegularFile }
        copying = fcntl(sink.rawValue, F_GETFL) & O_APPEND != 0 || !splices(source) || !splices(sink)
        if !copying && !source.isPipe && !sink.isPipe {
            let ends = try FileDescriptor.closeOnExecPipe()
            _ = try? ends.writeEnd.setPipeSize(SplicePump.chunk)
            try? ends.readEnd.setNonBlocking(true)
            try? ends.writeEnd.setNonBlocking(true)
            bridge = ends
        }
    }

    /// The descriptor and events to poll for, or nil once the pump is done.
    public var pollEvents: (fd: Int32, events: Int16)? {
        switch state {
        case .wantsSource: return (source.rawValue, Int16(POLLIN))
        case .wantsSink: return (sink.rawValue, Int16(POLLOUT))
        case .wantsPeerClose: return (sink.rawValue, Int16(POLLIN))
        case .finished, .failed: return nil
        }
    }

    public var isDone: Bool { pollEvents == nil }

    /// Moves what can be moved now (call it when poll(2) reported the awaited event, or any
    /// error on it); then `state` says what to wait for.
    public mutating func pump() {
        for _ in 0..<SplicePump.turnsPerPump {
            switch state {
            case .finished, .failed: return
            case .wantsPeerClose: return awaitPeerClose()
            case .wantsSource, .wantsSink: break
            }
            if copying { return copy() }
            do throws(Errno) {
                if let bridge, bridged > 0 {
                    bridged -= try bridge.readEnd.splice(to: sink, upTo: bridged)
                    continue
                }
                let moved = try source.splice(to: bridge?.writeEnd ?? sink, upTo: SplicePump.chunk)
                if moved == 0 { return end() }
                taken += UInt64(moved)
                if bridge != nil { bridged += moved }
            } catch .resourceTemporarilyUnavailable {
                // Only a full sink or an empty source stops a nonblocking splice.
                state = (bridge != nil && bridged > 0) || (bridge == nil && !sink.isWritableNow) ? .wantsSink : .wantsSource
                return
            } catch .interrupted {
                continue
            } catch .invalidArgument where bridged == 0 {
                // splice(2) cannot take these ends after all: copy instead.
                copying = true
            } catch {
                state = .failed(error)
                return
            }
        }
        // Still ready: poll(2) will say so at once, after the loop's other work.
        state = bridged > 0 || !pending.isEmpty ? .wantsSink : .wantsSource
    }

    /// The copy path: at most one read per call (the source may block once it is empty:
    /// only poll(2) knows), then writes until the bytes are out or the sink is full.
    private mutating func copy() {
        if pending.isEmpty {
            var buffer = [UInt8](repeating: 0, count: 64 * 1024)
            let got = buffer.withUnsafeMutableBytes { read(source.rawValue, $0.baseAddress, $0.count) }
            if got == 0 { return end() }
            if got < 0 {
                switch errno {
                case EINTR, EAGAIN: state = .wantsSource
                case EIO: end()  // a pty master whose slave has no opener left: its end of stream
                default: state = .failed(Errno(rawValue: errno))
                }
                return
            }
            pending = Array(buffer[..<got])
            taken += UInt64(got)
        }
        while !pending.isEmpty {
            let written = pending.withUnsafeBytes { write(sink.rawValue, $0.baseAddress, $0.count) }
            if written > 0 {
                pending.removeFirst(written)
            } else if written < 0 && errno == EINTR {
                continue
            } else if written < 0 && errno == EAGAIN {
                state = .wantsSink
                return
            } else {
                state = .failed(Errno(rawValue: written < 0 ? errno : EIO))
                return
            }
        }
        state = .wantsSource
    }

    /// The source ended: half-close a socket sink, so that its reader sees EOF.
    private mutating func end() {
        guard sinkIsSocket, (try? sink.shutdownWriting()) != nil else {
            state = .finished
            return
        }
        state = awaitsPeerClose ? .wantsPeerClose : .finished
    }

    /// Reads (and drops) what the far end still sends until it closes.
    private mutating func awaitPeerClose() {
        var discard = [UInt8](repeating: 0, count: 4096)
        while true {
            let got = discard.withUnsafeMutableBytes { recv(sink.rawValue, $0.baseAddress, $0.count, Int32(MSG_DONTWAIT)) }
            if got > 0 { continue }
            if got < 0 && errno == EINTR { continue }
            if got < 0 && errno == EAGAIN { return }
            state = .finished
            return
        }
    }

    /// Closes both ends and the pump's own pipe.
    public func close() {
        for end in [source, sink] + (bridge.map { [$0.readEnd, $0.writeEnd] } ?? []) { end.closeQuietly() }
    }
}
