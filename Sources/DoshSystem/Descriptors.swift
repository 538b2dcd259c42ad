import SystemPackage

#if canImport(Glibc)
    import Glibc
#endif

/// The fd operations the shell needs beyond swift-system's, each a thin wrapper over one call.
extension FileDescriptor {
    /// Opens `path` with raw `open(2)` flags (the shell maps its redirections to them).
    public static func open(path: String, flags: Int32, mode: mode_t = 0o666) throws(Errno) -> FileDescriptor {
        while true {
            let fd = Glibc.open(path, flags, mode)
            if fd >= 0 { return FileDescriptor(rawValue: fd) }
            if errno != EINTR { throw Errno(rawValue: errno) }
        }
    }

    /// A copy of this fd numbered at least `minimum`, close-on-exec. The corresponding C call is
    /// `fcntl(F_DUPFD_CLOEXEC)`.
    public func duplicate(atLeast minimum: Int32) throws(Errno) -> FileDescriptor {
        let fd = fcntl(rawValue, F_DUPFD_CLOEXEC, minimum)
        if fd < 0 { throw Errno(rawValue: errno) }
        return FileDescriptor(rawValue: fd)
    }

    /// Makes `target` refer to this fd's file, closing what `target` was. `dup2(2)`.
    public func duplicate(onto target: Int32) throws(Errno) {
        while Glibc.dup2(rawValue, target) < 0 {
            if errno != EINTR { throw Errno(rawValue: errno) }
        }
    }

    /// Whether this number is an open fd. `fcntl(F_GETFD)`.
    public var isOpen: Bool { fcntl(rawValue, F_GETFD) >= 0 }

    /// Sets or clears close-on-exec. `fcntl(F_SETFD)`.
    public func setCloseOnExec(_ on: Bool) throws(Errno) {
        let flags = fcntl(rawValue, F_GETFD)
        if flags < 0 { throw Errno(rawValue: errno) }
        let wanted = on ? flags | FD_CLOEXEC : flags & ~FD_CLOEXEC
        if fcntl(rawValue, F_SETFD, wanted) < 0 { throw Errno(rawValue: errno) }
    }

    /// The `open(2)` access mode flags of this fd (`O_RDONLY`, `O_WRONLY`, `O_RDWR`).
    public func accessMode() throws(Errno) -> Int32 {
        let flags = fcntl(rawValue, F_GETFL)
        if flags < 0 { throw Errno(rawValue: errno) }
        return flags & O_ACCMODE
    }

    /// Whether the peer of this socket shut down its sending side or closed: `poll(2)` for
    /// POLLRDHUP without waiting. Bytes still unread do not hide it (unlike a peek for EOF).
    public var peerHasHungUp: Bool {
        var descriptor = pollfd(fd: rawValue, events: FileDescriptor.pollPeerHungUp, revents: 0)
        return poll(&descriptor, 1, 0) > 0
    }

    /// POLLRDHUP (Linux), which Glibc's Swift module does not export.
    static let pollPeerHungUp: Int16 = 0x2000

    /// Closes, ignoring errors: for clean-up paths where nothing useful can be done about one.
    public func closeQuietly() { _ = Glibc.close(rawValue) }

    /// Writes all of `bytes`, retrying short writes and EINTR, and waiting (`poll(2)`) while a
    /// non-blocking descriptor is full. `write(2)`.
    public func writeAll(_ bytes: some Collection<UInt8>) throws(Errno) {
        var result: Errno? = nil
        bytes.withContiguousStorageIfAvailable { buffer in result = writeAll(buffer) } ?? {
            let copy = Array(bytes)
            copy.withUnsafeBufferPointer { buffer in result = writeAll(buffer) }
        }()
        if let result { throw result }
    }

    private func writeAll(_ buffer: UnsafeBufferPointer<UInt8>) -> Errno? {
        var offset = 0
        while offset < buffer.count {
            let written = Glibc.write(rawValue, buffer.baseAddress! + offset, buffer.count - offset)
            if written < 0 {
                if errno == EINTR { continue }
                // Someone made it non-blocking (it may be shared: a terminal, a socket in a poll
                // loop): wait until it takes more, rather than drop the rest.
                if errno == EAGAIN || errno == EWOULDBLOCK {
                    var writable = pollfd(fd: rawValue, events: Int16(POLLOUT), revents: 0)
                    _ = poll(&writable, 1, -1)
                    continue
                }
                return Errno(rawValue: errno)
            }
            offset += written
        }
        return nil
    }

    /// Reads up to `count` bytes; an empty result means end of file. `read(2)`; EINTR is thrown
    /// so the caller can look at pending signals.
    public func readSome(upTo count: Int) throws(Errno) -> [UInt8] {
        var error: Errno? = nil
        let bytes = [UInt8](unsafeUninitializedCapacity: count) { buffer, initialized in
            let n = Glibc.read(rawValue, buffer.baseAddress, count)
            if n < 0 {
                error = Errno(rawValue: errno)
                initialized = 0
            } else {
                initialized = n
            }
        }
        if let error { throw error }
        return bytes
    }

    /// Reads until end of file, retrying EINTR.
    public func readToEnd() throws(Errno) -> [UInt8] {
        var all: [UInt8] = []
        while true {
            do {
                let chunk = try readSome(upTo: 65536)
                if chunk.isEmpty { return all }
                all.append(contentsOf: chunk)
            } catch let failure where failure == .interrupted {
                continue
            }
        }
    }

    /// A pipe whose ends are both close-on-exec. `pipe(2)` then `fcntl`: pipe2 is hidden behind
    /// _GNU_SOURCE, and dosh is single-threaded, so no other thread can spawn in between.
    public static func closeOnExecPipe() throws(Errno) -> (readEnd: FileDescriptor, writeEnd: FileDescriptor) {
        var fds: [Int32] = [-1, -1]
        if Glibc.pipe(&fds) != 0 { throw Errno(rawValue: errno) }
        let ends = (readEnd: FileDescriptor(rawValue: fds[0]), writeEnd: FileDescriptor(rawValue: fds[1]))
        do {
            try ends.readEnd.setCloseOnExec(true)
            try ends.writeEnd.setCloseOnExec(true)
        } catch {
            ends.readEnd.closeQuietly()
            ends.writeEnd.closeQuietly()
            throw error
        }
        return ends
    }
}
