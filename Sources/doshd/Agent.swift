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

/// The agent: listens, checks who connects, and starts one shadow process per connection.
/// A poll(2) loop; the handshake itself runs in the shadow so that a slow or hostile peer never
/// holds up the agent.
struct Agent {
  /// Most shadow processes at once.
  static let maximumShadows = 512

  let logger: Logger
  let tokenFile: String?
  let allowedUIDs: Set<uid_t>
  let allowRemote: Bool
  private var listeners: [(listener: Listener, address: Address)] = []
  private var shadows: Set<pid_t> = []
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
    // Sessions start in the home directory, like a login.
    if let home = getenv("HOME") { _ = chdir(home) }
    // Whoever started us may have blocked signals (threads of a test runner do): we need them.
    var none = sigset_t()
    sigemptyset(&none)
    sigprocmask(SIG_SETMASK, &none, nil)
    for signal in [SIGCHLD, SIGTERM, SIGINT] { try Signals.setDisposition(signal, .catchPending) }
    try Signals.setDisposition(SIGPIPE, .ignore)
    if parsed.isEmpty {
      for listener in try Listener.inherited() {
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
      if poll(&descriptors, nfds_t(descriptors.count), -1) < 0 && errno != EINTR {
        logger.error("poll: \(errorText(errno))")
        return 1
      }
      Signals.drainWakeup()
      if Signals.takePending(SIGTERM) || Signals.takePending(SIGINT) { return 0 }
      if Signals.takePending(SIGCHLD) { reapShadows() }
      for (index, entry) in listeners.enumerated() where descriptors[index].revents != 0 {
        while let connection = (try? entry.listener.accept()) ?? nil {
          admit(connection, on: entry.address)
        }
      }
    }
  }

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
    if address.requiresToken, let tokenFile { arguments += ["--token-file", tokenFile] }
    var options = SpawnOptions()
    options.fdActions = [.duplicate(source: connection.fileDescriptor, target: 3)]
    options.defaultSignals = [SIGPIPE]
    do {
      let pid = try Spawn.spawn(
        path: executable, arguments: arguments, environment: ProcessEnvironment.current(), options: options)
      shadows.insert(pid)
      logger.info("session on \(address): shadow \(pid)")
    } catch {
      logger.error("cannot start a shadow process: \(error.message)")
      try? connection.send(Message.refused("the agent cannot start a session"))
    }
    connection.close()
  }

  private mutating func reapShadows() {
    while let (pid, status) = (try? Wait.wait(-1, options: [.noHang])) ?? nil {
      shadows.remove(pid)
      logger.debug("shadow \(pid) ended: \(status)")
    }
  }
}

func errorText(_ code: Int32) -> String {
  guard let text = strerror(code) else { return "error \(code)" }
  return String(cString: text)
}
