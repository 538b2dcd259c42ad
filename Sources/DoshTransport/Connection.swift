#if canImport(Glibc)
import Glibc
#endif
import DoshProtocol
import CDoshSystem

/// A connected stream socket: a control connection carrying frames, or a data connection after
/// its `attachStream` frame. Close-on-exec unless told otherwise; closed on deinit.
///
/// The helpers block (optionally with a deadline). For a poll(2) loop use `fileDescriptor` with
/// `readAvailable()` and `nextBufferedMessage()`.
public final class Connection {
  /// The socket, or -1 once closed or taken.
  public private(set) var fileDescriptor: Int32
  private var decoder = FrameDecoder()
  /// Bytes appended to the decoder since the connection began (stream offset of its end).
  private var receivedByteCount: UInt64 = 0
  /// Descriptors received but not yet handed out with a frame, each batch with the stream
  /// offset just past the read that delivered it (see `takeDescriptors`).
  private var pendingDescriptors: [(end: UInt64, descriptors: [Int32])] = []

  /// Takes ownership of a connected socket fd.
  public init(adopting fileDescriptor: Int32) {
    self.fileDescriptor = fileDescriptor
  }

  deinit {
    if fileDescriptor >= 0 { Glibc.close(fileDescriptor) }
    discardPendingDescriptors()
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

  /// Sends one message with open descriptors attached (SCM_RIGHTS; unix sockets only). The
  /// receiver gets its own copies; the caller still owns and closes `descriptors`.
  public func send(_ message: Message, descriptors: [Int32]) throws(TransportError) {
    guard !descriptors.isEmpty else { return try send(message) }
    guard descriptors.count <= Connection.maximumPassedDescriptors else {
      throw .system(operation: "send \(descriptors.count) descriptors", errno: EINVAL)
    }
    let frame = message.encode()
    guard frame.count - ProtocolLimits.lengthPrefixSize <= ProtocolLimits.maximumPayloadSize else {
      throw .protocolViolation(.frameTooLarge(
        length: UInt64(frame.count - ProtocolLimits.lengthPrefixSize), limit: ProtocolLimits.maximumPayloadSize))
    }
    // The descriptors ride on the first byte; whatever a short send leaves goes plainly.
    while true {
      let sent = frame.withUnsafeBytes { buffer in
        descriptors.withUnsafeBufferPointer { fds in
          dosh_send_with_descriptors(fileDescriptor, buffer.baseAddress!, buffer.count, fds.baseAddress!, fds.count)
        }
      }
      if sent > 0 {
        if sent < frame.count { try send(bytes: Array(frame[sent...])) }
        return
      }
      switch errno {
      case EINTR: continue
      case EAGAIN: _ = try SystemCalls.wait(fileDescriptor, for: Int16(POLLOUT), until: nil)
      case let error: throw .system(operation: "send", errno: error)
      }
    }
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
    guard let frame = try receiveFrame(timeout: timeout) else { return nil }
    for fd in frame.descriptors { Glibc.close(fd) }
    return frame.message
  }

  /// Like `receive`, with the descriptors passed with the message (the caller closes them).
  public func receiveFrame(timeout: Duration? = nil) throws(TransportError) -> ReceivedMessage? {
    let deadline = timeout.map { ContinuousClock.now.advanced(by: $0) }
    while true {
      if let frame = try nextBufferedFrame() { return frame }
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

  /// One read into the frame buffer (at most what the decoder may hold). Returns false at
  /// EOF. On a non-blocking socket with nothing to read it returns true and reads nothing.
  /// Descriptors passed with the bytes (SCM_RIGHTS, unix sockets) are kept for the frame they
  /// belong to; see `nextBufferedFrame()`.
  public func readAvailable() throws(TransportError) -> Bool {
    let size = min(decoder.availableCapacity, 64 * 1024)
    guard size > 0 else { return true }  // a full frame is waiting to be taken
    var chunk = [UInt8](repeating: 0, count: size)
    var descriptors = [Int32](repeating: -1, count: Int(DOSH_MAX_PASSED_DESCRIPTORS))
    while true {
      var count = 0
      let n = chunk.withUnsafeMutableBytes { buffer in
        descriptors.withUnsafeMutableBufferPointer { fds in
          dosh_receive_with_descriptors(fileDescriptor, buffer.baseAddress!, size, fds.baseAddress!, fds.count, &count)
        }
      }
      if n > 0 {
        decoder.append(chunk[..<n])
        receivedByteCount &+= UInt64(n)
        if count > 0 { pendingDescriptors.append((receivedByteCount, Array(descriptors[..<count]))) }
        return true
      }
      for fd in descriptors[..<count] { Glibc.close(fd) }
      if n == 0 { return false }
      switch errno {
      case EINTR: continue
      case EAGAIN: return true
      case let error: throw .system(operation: "receive", errno: error)
      }
    }
  }

  /// A complete message already read by `readAvailable()`, if any. Descriptors that came with
  /// it are closed; use `nextBufferedFrame()` to keep them.
  public func nextBufferedMessage() throws(TransportError) -> Message? {
    guard let frame = try nextBufferedFrame() else { return nil }
    for fd in frame.descriptors { Glibc.close(fd) }
    return frame.message
  }

  /// A complete message already read by `readAvailable()` with the descriptors passed with it
  /// (close-on-exec, at most `maximumPassedDescriptors`; the caller owns and must close them).
  ///
  /// The sender attaches descriptors to the first byte of a frame. A unix stream socket never
  /// returns bytes past the message that carried descriptors in the same read, so they belong to
  /// the frame that holds the last byte of that read.
  public func nextBufferedFrame() throws(TransportError) -> ReceivedMessage? {
    let start = receivedByteCount &- UInt64(decoder.bufferedByteCount)
    let message: Message?
    do {
      message = try decoder.nextMessage()
    } catch {
      discardPendingDescriptors()
      throw .protocolViolation(error)
    }
    guard let message else { return nil }
    let end = receivedByteCount &- UInt64(decoder.bufferedByteCount)
    var taken: [Int32] = []
    var kept: [(end: UInt64, descriptors: [Int32])] = []
    for batch in pendingDescriptors {
      if batch.end > end {
        kept.append(batch)
      } else if batch.end > start {
        taken.append(contentsOf: batch.descriptors)
      } else {
        for fd in batch.descriptors { Glibc.close(fd) }  // belongs to no frame: drop it
      }
    }
    pendingDescriptors = kept
    if taken.count > Connection.maximumPassedDescriptors {
      for fd in taken[Connection.maximumPassedDescriptors...] { Glibc.close(fd) }
      taken.removeSubrange(Connection.maximumPassedDescriptors...)
    }
    return ReceivedMessage(message: message, descriptors: taken)
  }

  /// The most descriptors one frame carries.
  public static let maximumPassedDescriptors = Int(DOSH_MAX_PASSED_DESCRIPTORS)

  private func discardPendingDescriptors() {
    for batch in pendingDescriptors { for fd in batch.descriptors { Glibc.close(fd) } }
    pendingDescriptors = []
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
  /// Whether this is a unix-domain socket (getsockname(2)), where descriptors may travel.
  public var isUnixDomain: Bool {
    var storage = sockaddr_storage()
    var length = socklen_t(MemoryLayout<sockaddr_storage>.size)
    let result = withUnsafeMutablePointer(to: &storage) {
      $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fileDescriptor, $0, &length) }
    }
    return result == 0 && Int32(storage.ss_family) == AF_UNIX
  }

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

/// A message with the descriptors that were passed with it. The receiver owns the descriptors:
/// it must close each one it does not keep.
public struct ReceivedMessage {
  public var message: Message
  public var descriptors: [Int32]

  public init(message: Message, descriptors: [Int32]) {
    self.message = message
    self.descriptors = descriptors
  }
}
