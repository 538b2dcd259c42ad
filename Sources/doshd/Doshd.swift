import ArgumentParser
import DoshShadow
import DoshSystem
import DoshTransport
import Logging

#if canImport(Glibc)
import Glibc
#endif

/// `doshd`: the host agent of dosh.
@main
struct Doshd: ParsableCommand {
  static let version = "0.1"

  static let configuration = CommandConfiguration(
    commandName: "doshd",
    abstract: "The host agent of dosh: one shadow process per connected shell.",
    discussion: """
      Listens on unix:$XDG_RUNTIME_DIR/dosh/doshd.sock (or /tmp/dosh-UID/doshd.sock) unless \
      --listen is given or the service manager hands over sockets (LISTEN_FDS). tcp and vsock \
      addresses need --token-file.
      """)

  @Option(name: .customLong("listen"), help: ArgumentHelp("An address to listen on: unix:PATH, tcp:HOST:PORT or vsock:CID:PORT.", valueName: "address"))
  var listen: [String] = []

  @Option(
    name: .customLong("token-file"), help: ArgumentHelp("The shared secret for tcp and vsock (mode 0600).", valueName: "file"),
    completion: .file())
  var tokenFile: String?

  @Option(name: .customLong("allow-uid"), help: ArgumentHelp("Also accept unix connections from this user id.", valueName: "uid"))
  var allowUID: [UInt32] = []

  @Flag(name: .customLong("allow-remote"), help: "Let tcp listen on a non-loopback address.")
  var allowRemote = false

  @Option(
    name: .customLong("log-level"), help: ArgumentHelp("trace, debug, info, notice, warning, error or critical.", valueName: "level"),
    completion: .list(Logger.Level.allCases.map(\.rawValue)))
  var logLevel: String = "info"

  @Flag(
    name: .customLong("stdio"),
    help: "Serve one shell over standard input and output (ssh, a serial port); no listener, no token. With --listen unix:PATH, serve each connection there as such a channel (a VM's chardev).")
  var standardIO = false

  /// A private agent of `--stdio`: it ends with the process that started it.
  @Option(name: .customLong("end-with-parent"), help: .hidden)
  var parentPID: Int32?

  @Flag(name: .customLong("version"), help: "Print the version and exit.")
  var printVersion = false

  /// Shadow mode: serve one shell on this inherited fd (started by the agent itself).
  @Option(name: .customLong("shadow-fd"), help: .hidden)
  var shadowFD: Int32?

  /// Shadow mode over tcp or vsock: the agent hands over data connections on this fd.
  @Option(name: .customLong("streams-fd"), help: .hidden)
  var streamsFD: Int32?

  func validate() throws {
    guard Logger.Level(rawValue: logLevel) != nil else {
      throw ValidationError("unknown log level '\(logLevel)'")
    }
  }

  mutating func run() throws {
    if printVersion {
      print("doshd \(Doshd.version)")
      return
    }
    if let shadowFD {
      var authenticator: Authenticator?
      if let tokenFile {
        do { authenticator = try Authenticator.load(tokenFile: tokenFile) } catch {
          fail("\(error)")
        }
      }
      Glibc.exit(runShadow(onDescriptor: shadowFD, handshake: .pending(authenticator: authenticator), streamsFD: streamsFD))
    }
    if standardIO && !listen.isEmpty {
      let allowed = Set(allowUID.map { uid_t($0) }).union([getuid()])
      Glibc.exit(ChannelListener.serve(addresses: listen, allowedUIDs: allowed, logLevel: logLevel))
    }
    if standardIO { Glibc.exit(StandardIOChannel.serve(logLevel: logLevel)) }
    if let parentPID, !ParentDeath.deliver(SIGTERM, whenParentEnds: parentPID) { Glibc.exit(0) }
    let level = Logger.Level(rawValue: logLevel) ?? .info
    LoggingSystem.bootstrap { label in
      var handler = StreamLogHandler.standardError(label: label)
      handler.logLevel = level
      return handler
    }
    var agent = Agent(
      logger: Logger(label: "doshd"), tokenFile: tokenFile,
      allowedUIDs: Set(allowUID.map { uid_t($0) }).union([getuid()]), allowRemote: allowRemote)
    do {
      try agent.start(listening: listen)
    } catch {
      fail("\(error)")
    }
    Glibc.exit(agent.serve())
  }
}

/// One line on stderr and exit status 1.
func fail(_ message: String) -> Never {
  writeLine("doshd: \(message)")
  exit(1)
}

/// `text` and a newline on stderr, in one write.
func writeLine(_ text: String) {
  var line = Array((text + "\n").utf8)
  _ = line.withUnsafeMutableBytes { write(2, $0.baseAddress, $0.count) }
}
