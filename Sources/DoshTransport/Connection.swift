#if canImport(Glibc)
import Glibc
#endif
import DoshProtocol

/// A connected stream socket: a control connection carrying frames, or a data connection after
/// its `attachStream` frame. Close-on-exec unless told otherwise; closed on deinit.
///
/// The helpers block (optionally with a deadline). For a poll(2) loop use `fileDescriptor` with
/// `readAvailable()` and `nextBufferedMessage()`.
public final class Connection {
  /// The socket, or -1 once closed or taken.
  public private(set) var fileDescriptor: Int32
  private var decoder = FrameDecoder()

  /// Takes ownership of a connected socket fd.
  public init(adopting fileDescriptor: Int32) {
    self.fileDescriptor = fileDescriptor
  }

  deinit {
    if fileDescriptor >= 0 { Glibc.close(fileDescriptor) }
  }

  /// Connects to a unix, tcp or vsock address, failing after `timeout` (5 s by default) when the
  /// peer does not answer. A unix path nobody listens on fails at once.
  public static func connect(
    to address: Address, timeout: Duration = .seconds(5)
  ) throws(TransportError) -> Connection {
    let socketAddress = try SocketAddress(address)
    let operation = "connect \(address)"
    let fd = try SystemCalls.check("socket for \(address)") {
      socket(socketAddress.family, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue) | Int32(SOCK_NONBLOCK.rawValue), 0)
    }
    let connection = Connection(adopting: fd)
    let result = socketAddress.withSockaddr { Glibc.connect(fd, $0, $1) }
    if result != 0 {
      let error = errno
      guard error == EINPROGRESS || error == EAGAIN || error == EINTR else {
        throw .system(operation: operation, errno: error)
      }
      let deadline = ContinuousClock.now.advanced(by: timeout)
      guard try SystemCalls.wait(fd, for: Int16(POLLOUT), until: deadline) else {
        throw .timedOut(operation: operation)
      }
      let status = SystemCalls.socketError(fd)
      if status != 0 { throw .system(operation: operation, errno: status) }
    }
    try SystemCalls.setNonBlocking(fd, false)
    if socketAddress.family == AF_INET || socketAddress.family == AF_INET6 {
      // Frames are small and answered at once: do not let Nagle hold them back.
      var on: Int32 = 1
      setsockopt(fd, Int32(IPPROTO_TCP), TCP_NODELAY, &on, socklen_t(MemoryLayout<Int32>.size))
    }
    return connection
  }

  /// Two connected unix stream sockets (the `local` transport: dosh and its private shadow).
  /// Both are close-on-exec; clear it on the end a child must keep (`setCloseOnExec(false)`).
  public static func pair() throws(TransportError) -> (Connection, Connection) {
    var fds: [Int32] = [-1, -1]
    try SystemCalls.check("socketpair") {
      socketpair(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0, &fds)
    }
    return (Connection(adopting: fds[0]), Connection(adopting: fds[1]))
  }

  // MARK: Sending

  /// Sends one message whole (blocking; waits for room on a non-blocking socket).
  public func send(_ message: Message) throws(TransportError) {
    let frame = message.encode()
    guard frame.count - ProtocolLimits.lengthPrefixSize <= ProtocolLimits.maximumPayloadSize else {
      throw .protocolViolation(.frameTooLarge(
        length: UInt64(frame.count - ProtocolLimits.lengthPrefixSize), limit: ProtocolLimits.maximumPayloadSize))
    }
    try send(bytes: frame)
  }

  /// Sends raw bytes whole. A peer that went away gives EPIPE, never SIGPIPE.
  public func send(bytes: [UInt8]) throws(TransportError) {
    var offset = 0
    while offset < bytes.count {
      let written = bytes.withUnsafeBytes { buffer in
        Glibc.send(fileDescriptor, buffer.baseAddress! + offset, buffer.count - offset, Int32(MSG_NOSIGNAL))
      }
      if written >= 0 {
        offset += written
        continue
      }
      switch errno {
      case EINTR: continue
      case EAGAIN:
        _ = try SystemCalls.wait(fileDescriptor, for: Int16(POLLOUT), until: nil)
      case let error:
        throw .system(operation: "send", errno: error)
      }
    }
  }

  /// Sends `attachStream(token)`: from now on this connection carries the stream's raw bytes.
  public func attach(stream token: StreamToken) throws(TransportError) {
    try send(Message(.attachStream(token)))
  }

  /// Half-close: the peer reads EOF; we can still read what it sends.
  public func shutdownWrite() throws(TransportError) {
    try SystemCalls.check("shutdown") { shutdown(fileDescriptor, Int32(SHUT_WR)) }
  }

  // MARK: Receiving

  /// The next message, or nil when the peer closed cleanly between frames. Blocks until one
  /// arrives or `timeout` passes (then `timedOut`).
  public func receive(timeout: Duration? = nil) throws(TransportError) -> Message? {
    let deadline = timeout.map { ContinuousClock.now.advanced(by: $0) }
    while true {
      if let message = try nextBufferedMessage() { return message }
      guard try SystemCalls.wait(fileDescriptor, for: Int16(POLLIN), until: deadline) else {
        throw .timedOut(operation: "receive")
      }
      if try !readAvailable() {
        guard decoder.isAtFrameBoundary else { throw .connectionClosed(midFrame: true) }
        return nil
      }
    }
  }

  /// Like `receive`, but nil (a clean close) is an error.
  public func receiveMessage(timeout: Duration? = nil) throws(TransportError) -> Message {
    guard let message = try receive(timeout: timeout) else { throw .connectionClosed(midFrame: false) }
    return message
  }

  /// Reads exactly one frame and not a byte more, so that raw stream bytes after an
  /// `attachStream` frame stay in the socket for whoever gets the fd next. Use it for the first
  /// frame of every accepted connection.
  public func receiveSingleFrame(timeout: Duration? = nil) throws(TransportError) -> Message {
    precondition(decoder.isAtFrameBoundary, "receiveSingleFrame after buffered reads")
    let deadline = timeout.map { ContinuousClock.now.advanced(by: $0) }
    let prefix = try readExactly(ProtocolLimits.lengthPrefixSize, atFrameStart: true, until: deadline)
    let length = FrameDecoder.readLength(prefix)
    guard length <= UInt32(ProtocolLimits.maximumPayloadSize) else {
      throw .protocolViolation(.frameTooLarge(length: UInt64(length), limit: ProtocolLimits.maximumPayloadSize))
    }
    let payload = try readExactly(Int(length), atFrameStart: false, until: deadline)
    do {
      return try Message.decode(payload: payload[...])
    } catch {
      throw .protocolViolation(error)
    }
  }

  private func readExactly(
    _ count: Int, atFrameStart: Bool, until deadline: ContinuousClock.Instant?
  ) throws(TransportError) -> [UInt8] {
    var bytes = [UInt8](repeating: 0, count: count)
    var filled = 0
    while filled < count {
      guard try SystemCalls.wait(fileDescriptor, for: Int16(POLLIN), until: deadline) else {
        throw .timedOut(operation: "receive")
      }
      let n = bytes.withUnsafeMutableBytes { buffer in
        read(fileDescriptor, buffer.baseAddress! + filled, count - filled)
      }
      if n > 0 {
        filled += n
      } else if n == 0 {
        throw .connectionClosed(midFrame: !(atFrameStart && filled == 0))
      } else if errno != EINTR && errno != EAGAIN {
        throw .system(operation: "receive", errno: errno)
      }
    }
    return bytes
  }

  /// One read(2) into the frame buffer (at most what the decoder may hold). Returns false at
  /// EOF. On a non-blocking socket with nothing to read it returns true and reads nothing.
  public func readAvailable() throws(TransportError) -> Bool {
    let size = min(decoder.availableCapacity, 64 * 1024)
    guard size > 0 else { return true }  // a full frame is waiting to be taken
    var chunk = [UInt8](repeating: 0, count: size)
    while true {
      let n = chunk.withUnsafeMutableBytes { read(fileDescriptor, $0.baseAddress!, size) }
      if n > 0 {
        decoder.append(chunk[..<n])
        return true
      }
      if n == 0 { return false }
      switch errno {
      case EINTR: continue
      case EAGAIN: return true
      case let error: throw .system(operation: "receive", errno: error)
      }
    }
  }

  /// A complete message already read by `readAvailable()`, if any.
  public func nextBufferedMessage() throws(TransportError) -> Message? {
    do {
      return try decoder.nextMessage()
    } catch {
      throw .protocolViolation(error)
    }
  }

  /// Whether bytes of an incomplete frame are buffered (EOF now would cut a frame).
  public var hasPartialFrame: Bool { !decoder.isAtFrameBoundary }

  // MARK: The descriptor

  public func setNonBlocking(_ enabled: Bool) throws(TransportError) {
    try SystemCalls.setNonBlocking(fileDescriptor, enabled)
  }

  public func setCloseOnExec(_ enabled: Bool) throws(TransportError) {
    try SystemCalls.setCloseOnExec(fileDescriptor, enabled)
  }

  /// The uid, gid and pid of the peer (unix sockets only).
  public func peerCredentials() throws(TransportError) -> PeerCredentials {
    try PeerCredentials(of: fileDescriptor)
  }

  /// Gives up ownership of the fd (to make it a child's stdin, say); the connection is then
  /// closed without closing the fd.
  public func takeFileDescriptor() -> Int32 {
    defer { fileDescriptor = -1 }
    return fileDescriptor
  }

  public func close() {
    if fileDescriptor >= 0 { Glibc.close(fileDescriptor) }
    fileDescriptor = -1
  }
}
