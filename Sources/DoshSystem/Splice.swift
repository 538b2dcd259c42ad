import CDoshSystem
import SystemPackage

#if canImport(Glibc)
    import Glibc
#endif

/// Moving bytes between descriptors inside the kernel, where one end is a pipe.
extension FileDescriptor {
    /// Moves up to `count` bytes from this fd to `sink` (`splice(2)` with SPLICE_F_MOVE, and
    /// SPLICE_F_NONBLOCK unless `blocking`). Returns the bytes moved, 0 at this fd's end; EAGAIN
    /// (nothing to move now) and EINTR are thrown like any other errno.
    public func splice(to sink: FileDescriptor, upTo count: Int, blocking: Bool = false) throws(Errno) -> Int {
        let moved = dosh_splice(rawValue, sink.rawValue, count, blocking ? 1 : 0)
        if moved < 0 { throw Errno(rawValue: errno) }
        return moved
    }

    /// Makes the pipe this fd belongs to hold at least `size` bytes (`fcntl(F_SETPIPE_SZ)`;
    /// the kernel caps it at /proc/sys/fs/pipe-max-size). Returns the new size.
    @discardableResult
    public func setPipeSize(_ size: Int) throws(Errno) -> Int {
        let result = dosh_set_pipe_size(rawValue, Int32(clamping: size))
        if result < 0 { throw Errno(rawValue: errno) }
        return Int(result)
    }

    /// Sets or clears O_NONBLOCK on this fd's open file description (`fcntl(F_SETFL)`): every
    /// process sharing the description sees the change, so only for descriptions of our own.
    public func setNonBlocking(_ on: Bool) throws(Errno) {
        let flags = fcntl(rawValue, F_GETFL)
        if flags < 0 { throw Errno(rawValue: errno) }
        let wanted = on ? flags | O_NONBLOCK : flags & ~O_NONBLOCK
        if wanted != flags, fcntl(rawValue, F_SETFL, wanted) < 0 { throw Errno(rawValue: errno) }
    }

    /// Whether this fd is a socket.
    public var isSocket: Bool { fileType == S_IFSOCK }

    /// Whether this fd is a pipe or FIFO.
    public var isPipe: Bool { fileType == S_IFIFO }

    /// Whether this fd is a regular file.
    public var isRegularFile: Bool { fileType == S_IFREG }

    /// The S_IFMT bits of what this fd is open on (`fstat(2)`), nil if it is not open.
    private var fileType: mode_t? {
        var status = Glibc.stat()
        return Glibc.fstat(rawValue, &status) == 0 ? status.st_mode & S_IFMT : nil
    }

    /// Whether writing to this fd would not block now (`poll(2)` for POLLOUT without waiting).
    public var isWritableNow: Bool {
        var descriptor = pollfd(fd: rawValue, events: Int16(POLLOUT), revents: 0)
        return poll(&descriptor, 1, 0) > 0
    }

    /// Half-closes a socket (`shutdown(2)` with SHUT_WR): the peer reads EOF.
    public func shutdownWriting() throws(Errno) {
        if shutdown(rawValue, Int32(SHUT_WR)) != 0 { throw Errno(rawValue: errno) }
    }
}
