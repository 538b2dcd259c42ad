import DoshProtocol
import DoshSystem
import DoshTransport
import Logging

#if canImport(Glibc)
import Glibc
#endif

/// Why the agent cannot start.
struct AgentError: Error, CustomStringConvertible {
  var description: String
}

/// The agent: listens, checks who connects, and starts one shadow process per control
/// connection. A poll(2) loop; the handshake itself runs in the shadow so that a slow or hostile
/// peer never holds up the agent.
///
/// On tcp and vsock a connection is either a session's control connection (first frame
/// `hello`) or one of its data connections (`attachStream`). The agent peeks at the first frame
/// without reading it and hands a data connection to the shadow its token routes to.
struct Agent {
  /// Most shadow processes at once.
  static let maximumShadows = 512
  /// Most tcp or vsock connections whose first frame has not arrived yet.
  static let maximumUnsorted = 128
  /// How long a connection may take to send its first frame.
  static let firstFrameTimeout: Duration = .seconds(10)

  let logger: Logger
  private(set) var tokenFile: String?
  let allowedUIDs: Set<uid_t>
  let allowRemote: Bool
  private var listeners: [(listener: Listener, address: Address)] = []
  /// Every shadow process, with the agent's end of its data connection channel (tcp, vsock).
  private var shadows: [pid_t: StreamHandOff?] = [:]
  /// tcp and vsock connections not yet known to be control or data connections.
  private var unsorted: [(connection: Connection, address: Address, deadline: ContinuousClock.Instant)] = []
  /// Shadows are this same program; the kernel link survives the file being replaced.
  private var executable = "/proc/self/exe"

  init(logger: Logger, tokenFile: String?, allowedUIDs: Set<uid_t>, allowRemote: Bool) {
    self.logger = logger
    self.tokenFile = tokenFile
    self.allowedUIDs = allowedUIDs
    self.allowRemote = allowRemote
  }

  mutating func start(listening addresses: [String]) throws {
    var parsed: [Address] = []
    for text in addresses { parsed.append(try Address(parsing: text)) }
    if parsed.contains(where: \.requiresToken) {
      guard let tokenFile else {
        let address = parsed.first(where: \.requiresToken)!
        throw AgentError(description: "\(address): refusing to listen on tcp or vsock without --token-file")
      }
      _ = try Authenticator.load(tokenFile: tokenFile)  // refuse loose permissions now, not per connection
    }
    // Shadows read the token file after the agent moved to the home directory.
    if let tokenFile, !tokenFile.hasPrefix("/"), let resolved = realpath(tokenFile, nil) {
      self.tokenFile = String(cString: resolved)
      free(resolved)
    }
    // Sessions start in the home directory, like a login.
    if let home = getenv("HOME") { _ = chdir(home) }
    // Whoever started us may have blocked signals (threads of a test runner do): we need them.
    var none = sigset_t()
    sigemptyset(&none)
    sigprocmask(SIG_SETMASK, &none, nil)
    for signal in [SIGCHLD, SIGTERM, SIGINT] { try Signals.setDisposition(signal, .catchPending) }
    try Signals.setDisposition(SIGPIPE, .ignore)
    if parsed.isEmpty {
      let inherited = try Listener.inherited()
      // Meant for this process only: shadows and the host commands they run inherit the
      // environment, and must not see sockets that are not theirs (as sd_listen_fds(3) does).
      for name in ["LISTEN_PID", "LISTEN_FDS", "LISTEN_FDNAMES"] { unsetenv(name) }
      for listener in inherited {
        let address = try listener.localAddress()
        if address.requiresToken && tokenFile == nil {
          throw AgentError(description: "\(address): refusing a tcp or vsock socket without --token-file")
        }
        listeners.append((listener, address))
        logger.info("listening on \(address) (socket activation)")
      }
      if listeners.isEmpty { parsed = [.unix(path: defaultAgentSocketPath())] }
    }
    for address in parsed {
      let listener = try Listener.listen(on: address, options: Listener.Options(allowRemote: allowRemote))
      let bound = (try? listener.localAddress()) ?? address
      listeners.append((listener, address))
      logger.info("listening on \(bound)")
    }
  }

  /// Runs until SIGTERM or SIGINT; returns the exit status.
  mutating func serve() -> Int32 {
    defer {
      for entry in listeners { entry.listener.close() }
      logger.info("stopped")
    }
    while true {
      var descriptors = listeners.map { pollfd(fd: $0.listener.fileDescriptor, events: Int16(POLLIN), revents: 0) }
      if let wakeup = Signals.wakeupDescriptor { descriptors.append(pollfd(fd: wakeup, events: Int16(POLLIN), revents: 0)) }
      let firstUnsorted = descriptors.count
      for entry in unsorted { descriptors.append(pollfd(fd: entry.connection.fileDescriptor, events: Int16(POLLIN), revents: 0)) }
      let timeout = unsorted.isEmpty ? -1 : 100
      if poll(&descriptors, nfds_t(descriptors.count), Int32(timeout)) < 0 && errno != EINTR {
        logger.error("poll: \(errorText(errno))")
        return 1
      }
      Signals.drainWakeup()
      if Signals.takePending(SIGTERM) || Signals.takePending(SIGINT) { return 0 }
      if Signals.takePending(SIGCHLD) { reapShadows() }
      sortConnections(ready: Set(unsorted.indices.filter { descriptors[firstUnsorted + $0].revents != 0 }))
      for (index, entry) in listeners.enumerated() where descriptors[index].revents != 0 {
        while let connection = (try? entry.listener.accept()) ?? nil {
          if entry.address.requiresToken {
            wait(forFirstFrameOf: connection, on: entry.address)
          } else {
            admit(connection, on: entry.address)
          }
        }
      }
    }
  }

  // MARK: Control or data connection

  /// The shortest first frame: `attachStream` (length, type, id, token). `hello` is longer.
  private static let firstFrameSize = ProtocolLimits.lengthPrefixSize + ProtocolLimits.payloadHeaderSize + ProtocolLimits.streamTokenSize

  private mutating func wait(forFirstFrameOf connection: Connection, on address: Address) {
    guard unsorted.count < Agent.maximumUnsorted else {
      logger.warning("refused a connection on \(address): \(Agent.maximumUnsorted) connections waiting already")
      return
    }
    // poll(2) reports it readable only once the whole first frame is there: no busy wait on a
    // peer that sends byte by byte.
    var lowWater = Int32(Agent.firstFrameSize)
    setsockopt(connection.fileDescriptor, SOL_SOCKET, SO_RCVLOWAT, &lowWater, socklen_t(MemoryLayout<Int32>.size))
    unsorted.append((connection, address, .now.advanced(by: Agent.firstFrameTimeout)))
  }

  /// Looks at the first frame of each ready connection (peeking: the bytes stay for the shadow)
  /// and starts a session or routes a data connection; drops those past their deadline.
  private mutating func sortConnections(ready: Set<Int>) {
    let now = ContinuousClock.now
    var waiting: [(connection: Connection, address: Address, deadline: ContinuousClock.Instant)] = []
    for (index, entry) in unsorted.enumerated() {
      guard ready.contains(index) else {
        if entry.deadline > now { waiting.append(entry) } else { logger.info("dropped a connection on \(entry.address): no first frame") }
        continue
      }
      var head = [UInt8](repeating: 0, count: Agent.firstFrameSize)
      let peeked = recv(entry.connection.fileDescriptor, &head, head.count, Int32(MSG_PEEK | MSG_DONTWAIT))
      if peeked < 0 && (errno == EAGAIN || errno == EINTR) {
        waiting.append(entry)
        continue
      }
      guard peeked == head.count else { continue }  // closed or failed: dropped
      var lowWater: Int32 = 1
      setsockopt(entry.connection.fileDescriptor, SOL_SOCKET, SO_RCVLOWAT, &lowWater, socklen_t(MemoryLayout<Int32>.size))
      let length = head[0..<4].reduce(UInt32(0)) { $0 << 8 | UInt32($1) }
      switch head[4] {
      case MessageType.hello.rawValue:
        admit(entry.connection, on: entry.address)
      case MessageType.attachStream.rawValue where Int(length) == ProtocolLimits.payloadHeaderSize + ProtocolLimits.streamTokenSize:
        route(entry.connection, token: StreamToken(bytes: head[9...])!)
      default:
        logger.info("dropped a connection on \(entry.address): its first frame is neither hello nor attachStream")
      }
    }
    unsorted = waiting
  }

  /// Hands a data connection to the shadow its token names; the shadow checks the token.
  private func route(_ connection: Connection, token: StreamToken) {
    guard let handOff = shadows[pid_t(bitPattern: token.route)] ?? nil else {
      logger.info("dropped a data connection: no session \(token.route)")
      return
    }
    do {
      try handOff.send(connection.fileDescriptor)
    } catch {
      logger.warning("cannot hand a data connection to shadow \(token.route): \(error)")
    }
  }

  // MARK: Sessions

  private mutating func admit(_ connection: Connection, on address: Address) {
    if case .unix = address {
      guard let credentials = try? connection.peerCredentials() else {
        logger.warning("refused a connection: no peer credentials")
        return
      }
      guard allowedUIDs.contains(credentials.userID) else {
        logger.warning("refused uid \(credentials.userID) (pid \(credentials.processID))")
        try? connection.send(Message.refused("user \(credentials.userID) is not allowed on this agent"))
        return
      }
    }
    guard shadows.count < Agent.maximumShadows else {
      logger.warning("refused a connection: \(Agent.maximumShadows) sessions already")
      try? connection.send(Message.refused("too many sessions"))
      return
    }
    var arguments = ["doshd", "--shadow-fd", "3"]
    var options = SpawnOptions()
    options.fdActions = [.duplicate(source: connection.fileDescriptor, target: 3)]
    options.defaultSignals = [SIGPIPE]
    var channel: (ours: Connection, theirs: Connection)?
    if address.requiresToken, let tokenFile {
      arguments += ["--token-file", tokenFile]
      do {
        let pair = try Connection.pair()
        try pair.0.setNonBlocking(true)  // a shadow that stops reading loses connections, never stalls us
        channel = (pair.0, pair.1)
        arguments += ["--streams-fd", "4"]
        options.fdActions.append(.duplicate(source: pair.1.fileDescriptor, target: 4))
      } catch {
        logger.error("cannot make a data connection channel: \(error)")
        try? connection.send(Message.refused("the agent cannot start a session"))
        return
      }
    }
    defer { channel?.theirs.close() }
    do {
      let pid = try Spawn.spawn(
        path: executable, arguments: arguments, environment: ProcessEnvironment.current(), options: options)
      shadows[pid] = channel.map { StreamHandOff(fileDescriptor: $0.ours.takeFileDescriptor()) }
      logger.info("session on \(address): shadow \(pid)")
    } catch {
      logger.error("cannot start a shadow process: \(error.message)")
      try? connection.send(Message.refused("the agent cannot start a session"))
    }
    connection.close()
  }

  private mutating func reapShadows() {
    while let (pid, status) = (try? Wait.wait(-1, options: [.noHang])) ?? nil {
      if let handOff = shadows.removeValue(forKey: pid) ?? nil { close(handOff.fileDescriptor) }
      logger.debug("shadow \(pid) ended: \(status)")
      if case .signaled = status {
        // It could not hang up its jobs itself.
        let groups = SessionHangUp.hangUp(session: pid)
        if groups > 0 { logger.info("hung up \(groups) job(s) of killed shadow \(pid)") }
      }
    }
  }
}

func errorText(_ code: Int32) -> String {
  guard let text = strerror(code) else { return "error \(code)" }
  return String(cString: text)
}
