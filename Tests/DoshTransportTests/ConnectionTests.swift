#if canImport(Glibc)
import Glibc
#endif
import DoshProtocol
import DoshTransport
import Testing

@Suite struct ConnectionTests {
  let ping = Message(requestID: 1, .ping)
  let answer = Message(requestID: 1, .ok)

  @Test func unixListenerModesCredentialsAndFrames() throws {
    let directory = TemporaryDirectory()
    defer { directory.remove() }
    let path = directory.path + "/run/dosh/doshd.sock"
    let listener = try Listener.listen(on: .unix(path: path))
    #expect(fileMode(directory.path + "/run/dosh") == 0o700)
    #expect(fileMode(directory.path + "/run") == 0o700)
    #expect(fileMode(path) == 0o600)
    #expect(try listener.accept() == nil)  // non-blocking: nobody yet

    let client = try Connection.connect(to: .unix(path: path))
    let server = try #require(try listener.accept(timeout: .seconds(5)))
    let credentials = try server.peerCredentials()
    #expect(credentials.userID == getuid())
    #expect(credentials.groupID == getgid())
    #expect(credentials.processID == getpid())

    try client.send(ping)
    #expect(try server.receive(timeout: .seconds(5)) == ping)
    try server.send(answer)
    #expect(try client.receive(timeout: .seconds(5)) == answer)

    // Half-close: the server sees a clean EOF, and can still answer.
    try client.shutdownWrite()
    #expect(try server.receive(timeout: .seconds(5)) == nil)
    try server.send(answer)
    #expect(try client.receive(timeout: .seconds(5)) == answer)

    listener.close()
    #expect(access(path, F_OK) != 0)
  }

  @Test func closeOnExecByDefault() throws {
    let (a, b) = try Connection.pair()
    #expect(fcntl(a.fileDescriptor, F_GETFD) & FD_CLOEXEC != 0)
    #expect(fcntl(b.fileDescriptor, F_GETFD) & FD_CLOEXEC != 0)
    try b.setCloseOnExec(false)
    #expect(fcntl(b.fileDescriptor, F_GETFD) & FD_CLOEXEC == 0)
  }

  @Test func staleSocketIsReplacedLiveOneRefused() throws {
    let directory = TemporaryDirectory()
    defer { directory.remove() }
    let path = directory.path + "/doshd.sock"
    // A socket file nobody listens on, as left by an agent that crashed.
    let stale = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
    var unixAddress = sockaddr_un()
    unixAddress.sun_family = sa_family_t(AF_UNIX)
    withUnsafeMutableBytes(of: &unixAddress.sun_path) { $0.copyBytes(from: Array(path.utf8)) }
    let bound = withUnsafePointer(to: &unixAddress) {
      $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(stale, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
    }
    #expect(bound == 0)
    close(stale)

    let listener = try Listener.listen(on: .unix(path: path))
    #expect(throws: TransportError.addressInUse(path)) {
      try Listener.listen(on: .unix(path: path))
    }
    // The refused attempt must not have removed the live socket.
    _ = try Connection.connect(to: .unix(path: path))
    #expect(try listener.accept(timeout: .seconds(5)) != nil)
    #expect(TransportError.addressInUse(path).description == "\(path): an agent is already listening there")
  }

  @Test func somethingElseAtThePathIsKept() throws {
    let directory = TemporaryDirectory()
    defer { directory.remove() }
    let path = directory.path + "/file"
    close(open(path, O_WRONLY | O_CREAT, 0o600))
    #expect(throws: TransportError.notASocket(path)) { try Listener.listen(on: .unix(path: path)) }
    #expect(access(path, F_OK) == 0)
  }

  @Test func tcpOnEphemeralLoopbackPort() throws {
    let listener = try Listener.listen(on: .tcp(host: "127.0.0.1", port: 0))
    guard case .tcp(let host, let port) = try listener.localAddress() else {
      Issue.record("not a tcp address")
      return
    }
    #expect(host == "127.0.0.1")
    #expect(port != 0)
    let client = try Connection.connect(to: .tcp(host: "127.0.0.1", port: port))
    let server = try #require(try listener.accept(timeout: .seconds(5)))
    try client.send(ping)
    #expect(try server.receive(timeout: .seconds(5)) == ping)
  }

  @Test func tcpRefusesRemoteUnlessAllowed() throws {
    #expect(throws: TransportError.remoteNotAllowed("tcp:0.0.0.0:0")) {
      try Listener.listen(on: .tcp(host: "0.0.0.0", port: 0))
    }
    let allowed = try Listener.listen(on: .tcp(host: "0.0.0.0", port: 0), options: .init(allowRemote: true))
    allowed.close()
  }

  @Test func unreachableAgentFailsAtOnce() throws {
    let directory = TemporaryDirectory()
    defer { directory.remove() }
    let start = ContinuousClock.now
    #expect(throws: TransportError.system(operation: "connect unix:\(directory.path)/nobody.sock", errno: ENOENT)) {
      try Connection.connect(to: .unix(path: directory.path + "/nobody.sock"), timeout: .seconds(5))
    }
    // A loopback port nobody listens on: refused at once too.
    let listener = try Listener.listen(on: .tcp(host: "127.0.0.1", port: 0))
    let address = try listener.localAddress()
    listener.close()
    #expect(throws: TransportError.self) { try Connection.connect(to: address, timeout: .seconds(5)) }
    #expect(start.duration(to: .now) < .seconds(2))
    #expect(TransportError.system(operation: "connect unix:/x", errno: ENOENT).description
      == "connect unix:/x: No such file or directory")
  }

  @Test func receiveTimesOut() throws {
    let (a, b) = try Connection.pair()
    defer { b.close() }
    let start = ContinuousClock.now
    #expect(throws: TransportError.timedOut(operation: "receive")) { try a.receive(timeout: .milliseconds(100)) }
    #expect(start.duration(to: .now) >= .milliseconds(100))
  }

  @Test func eofInsideAFrame() throws {
    let (a, b) = try Connection.pair()
    try a.send(bytes: Array(ping.encode().dropLast()))
    a.close()
    #expect(throws: TransportError.connectionClosed(midFrame: true)) { try b.receive(timeout: .seconds(5)) }
  }

  @Test func malformedFrameIsAProtocolViolation() throws {
    let (a, b) = try Connection.pair()
    try a.send(bytes: [0xFF, 0xFF, 0xFF, 0xFF])
    #expect(throws: TransportError.protocolViolation(.frameTooLarge(length: 0xFFFF_FFFF, limit: ProtocolLimits.maximumPayloadSize))) {
      try b.receive(timeout: .seconds(5))
    }
  }

  @Test func attachFrameIsReadWithoutTheRawBytesBehindIt() throws {
    let (shell, agent) = try Connection.pair()
    let token = StreamToken.random()
    try shell.attach(stream: token)
    try shell.send(bytes: Array("raw stream bytes".utf8))
    try shell.shutdownWrite()
    #expect(try agent.receiveSingleFrame(timeout: .seconds(5)) == Message(.attachStream(token)))
    // The raw bytes are still in the socket for whoever gets the fd.
    let fd = agent.takeFileDescriptor()
    defer { close(fd) }
    var buffer = [UInt8](repeating: 0, count: 64)
    let n = read(fd, &buffer, buffer.count)
    #expect(n > 0 && Array(buffer[..<n]) == Array("raw stream bytes".utf8))
  }

  @Test func writerGetsEPIPEWhenReaderIsGone() throws {
    let (a, b) = try Connection.pair()
    b.close()
    #expect(throws: TransportError.system(operation: "send", errno: EPIPE)) { try a.send(ping) }
  }

  @Test func pollLoopStyle() throws {
    let (a, b) = try Connection.pair()
    try b.setNonBlocking(true)
    #expect(try b.readAvailable())  // nothing yet, not EOF
    #expect(try b.nextBufferedMessage() == nil)
    for id in 1...50 { try a.send(Message(requestID: UInt32(id), .ping)) }
    var received: [UInt32] = []
    while received.count < 50 {
      var descriptor = pollfd(fd: b.fileDescriptor, events: Int16(POLLIN), revents: 0)
      _ = poll(&descriptor, 1, 5000)
      #expect(try b.readAvailable())
      while let message = try b.nextBufferedMessage() { received.append(message.requestID) }
    }
    #expect(received == Array(1...50))
    a.close()
    #expect(try !b.readAvailable())
  }

  @Test func inheritedSocketsOnlyForThisProcess() throws {
    #expect(try Listener.inherited(listenPID: nil, listenFDs: "1").isEmpty)
    #expect(try Listener.inherited(listenPID: "1", listenFDs: "1", processID: 2).isEmpty)
    #expect(throws: TransportError.self) {
      try Listener.inherited(listenPID: "2", listenFDs: "many", processID: 2)
    }
  }

  @Test func adoptsAListeningDescriptor() throws {
    let original = try Listener.listen(on: .tcp(host: "127.0.0.1", port: 0))
    let address = try original.localAddress()
    let adopted = Listener(adopting: dup(original.fileDescriptor))
    original.close()
    _ = try Connection.connect(to: address)
    #expect(try adopted.accept(timeout: .seconds(5)) != nil)
  }
}
