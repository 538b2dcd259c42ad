#if canImport(Glibc)
import Glibc
#endif
import CDoshSystem

/// A listening socket. Its fd is non-blocking and close-on-exec, ready for a poll(2) loop:
/// `accept()` returns nil when nobody is waiting.
public final class Listener {
  public struct Options: Sendable {
    /// Let tcp listen on a non-loopback address.
    public var allowRemote = false
    public var backlog: Int32 = 64
    public init(allowRemote: Bool = false, backlog: Int32 = 64) {
      self.allowRemote = allowRemote
      self.backlog = backlog
    }
  }

  /// The listening socket, or -1 once closed.
  public private(set) var fileDescriptor: Int32
  /// The unix socket path this listener created (and removes on close), if any.
  public private(set) var socketPath: String?

  /// Takes ownership of a listening socket fd.
  public init(adopting fileDescriptor: Int32, socketPath: String? = nil) {
    self.fileDescriptor = fileDescriptor
    self.socketPath = socketPath
  }

  deinit { close() }

  /// Binds and listens. unix: creates a missing parent directory with mode 0700, gives the
  /// socket mode 0600, replaces a stale socket and refuses when a live agent answers. tcp:
  /// refuses non-loopback addresses unless `options.allowRemote`. vsock: binds AF_VSOCK.
  public static func listen(
    on address: Address, options: Options = Options()
  ) throws(TransportError) -> Listener {
    let socketAddress = try SocketAddress(address)
    var path: String?
    switch address {
    case .unix(let socketPath):
      try prepareUnixPath(socketPath)
      path = socketPath
    case .tcp:
      guard options.allowRemote || address.isLoopback else {
        throw .remoteNotAllowed(address.description)
      }
    default:
      break
    }
    let fd = try SystemCalls.check("socket for \(address)") {
      socket(socketAddress.family, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue) | Int32(SOCK_NONBLOCK.rawValue), 0)
    }
    let listener = Listener(adopting: fd)
    if case .tcp = address {
      var on: Int32 = 1
      setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, socklen_t(MemoryLayout<Int32>.size))
    }
    try SystemCalls.check("bind \(address)") { socketAddress.withSockaddr { bind(fd, $0, $1) } }
    listener.socketPath = path
    if let path {
      // The directory is private already; 0600 also keeps out anyone who reaches it another way.
      try SystemCalls.check("chmod \(path)") { chmod(path, 0o600) }
    }
    try SystemCalls.check("listen \(address)") { Glibc.listen(fd, options.backlog) }
    return listener
  }

  /// Sockets handed over by the service manager (systemd socket activation): fds 3 … 3+N-1 when
  /// `LISTEN_PID` is this process and `LISTEN_FDS` is N. Empty when there are none. Each must be
  /// a listening stream socket; they become non-blocking and close-on-exec.
  public static func inherited(
    listenPID: String? = getenv("LISTEN_PID").map { String(cString: $0) },
    listenFDs: String? = getenv("LISTEN_FDS").map { String(cString: $0) },
    processID: pid_t = getpid()
  ) throws(TransportError) -> [Listener] {
    guard let listenPID, let pid = pid_t(listenPID), pid == processID else { return [] }
    guard let countText = listenFDs, let count = Int32(countText), (0...64).contains(count) else {
      throw .invalidInheritedSocket("LISTEN_FDS is not a number from 0 to 64")
    }
    var listeners: [Listener] = []
    for fd in 3..<(3 + count) {
      var accepting: Int32 = 0
      var length = socklen_t(MemoryLayout<Int32>.size)
      guard getsockopt(fd, SOL_SOCKET, SO_ACCEPTCONN, &accepting, &length) == 0, accepting == 1 else {
        throw .invalidInheritedSocket("fd \(fd) is not a listening socket")
      }
      try SystemCalls.setCloseOnExec(fd, true)
      try SystemCalls.setNonBlocking(fd, true)
      listeners.append(Listener(adopting: fd))
    }
    return listeners
  }

  /// The bound address (to learn the port of a tcp listener bound to port 0).
  public func localAddress() throws(TransportError) -> Address {
    var storage = sockaddr_storage()
    var length = socklen_t(MemoryLayout<sockaddr_storage>.size)
    try SystemCalls.check("getsockname") {
      withUnsafeMutablePointer(to: &storage) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fileDescriptor, $0, &length) }
      }
    }
    guard let address = SocketAddress(storage: storage, length: length).address else {
      throw .invalidInheritedSocket("unsupported address family")
    }
    return address
  }

  /// The next waiting connection (blocking, close-on-exec), or nil when none is waiting.
  public func accept() throws(TransportError) -> Connection? {
    while true {
      let fd = dosh_accept_cloexec(fileDescriptor)
      if fd >= 0 {
        // Frames are small and answered at once: as on the connecting side, do not let Nagle hold
        // them back (with the peer's delayed ACK every reply waited 40 ms). Fails, harmlessly, on
        // sockets that are not tcp.
        var on: Int32 = 1
        _ = setsockopt(fd, Int32(IPPROTO_TCP), TCP_NODELAY, &on, socklen_t(MemoryLayout<Int32>.size))
        return Connection(adopting: fd)
      }
      switch errno {
      case EINTR: continue
      // Errors of one connection that died in the queue: nothing to accept now.
      case EAGAIN, ECONNABORTED, EPROTO: return nil
      case let error: throw .system(operation: "accept", errno: error)
      }
    }
  }

  /// Waits up to `timeout` for a connection.
  public func accept(timeout: Duration) throws(TransportError) -> Connection? {
    let deadline = ContinuousClock.now.advanced(by: timeout)
    repeat {
      if let connection = try accept() { return connection }
    } while try SystemCalls.wait(fileDescriptor, for: Int16(POLLIN), until: deadline)
    return nil
  }

  /// Gives up the descriptor (handed to another process) without removing the socket file.
  public func takeFileDescriptor() -> Int32 {
    let fd = fileDescriptor
    fileDescriptor = -1
    socketPath = nil
    return fd
  }

  /// Stops listening and removes the socket file this listener created.
  public func close() {
    guard fileDescriptor >= 0 else { return }
    Glibc.close(fileDescriptor)
    fileDescriptor = -1
    if let socketPath { unlink(socketPath) }
    socketPath = nil
  }

  /// Makes the parent directory if missing (0700) and clears a stale socket.
  private static func prepareUnixPath(_ path: String) throws(TransportError) {
    if let slash = path.lastIndex(of: "/"), slash != path.startIndex {
      try makeDirectories(String(path[..<slash]))
    }
    var status = stat()
    guard lstat(path, &status) == 0 else {
      if errno == ENOENT { return }
      throw .system(operation: "stat \(path)", errno: errno)
    }
    guard status.st_mode & S_IFMT == S_IFSOCK else { throw .notASocket(path) }
    // Someone answering means a live agent; a refused connect means a leftover socket.
    do {
      _ = try Connection.connect(to: .unix(path: path), timeout: .seconds(1))
    } catch let error {
      guard case .system(_, let code) = error, code == ECONNREFUSED else {
        throw .addressInUse(path)
      }
      try SystemCalls.check("unlink stale socket \(path)") { unlink(path) }
      return
    }
    throw .addressInUse(path)
  }

  /// `mkdir -p` with mode 0700 for the directories it creates.
  private static func makeDirectories(_ path: String) throws(TransportError) {
    var status = stat()
    if stat(path, &status) == 0 {
      guard status.st_mode & S_IFMT == S_IFDIR else {
        throw .system(operation: "socket directory \(path)", errno: ENOTDIR)
      }
      return
    }
    if let slash = path.lastIndex(of: "/"), slash != path.startIndex {
      try makeDirectories(String(path[..<slash]))
    }
    if mkdir(path, 0o700) != 0 && errno != EEXIST {
      throw .system(operation: "mkdir \(path)", errno: errno)
    }
  }
}
