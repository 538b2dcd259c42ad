import DoshTestSupport
import DoshProtocol
import DoshTransport
import Foundation
import Testing

/// Data connections over tcp: tokens route to their session, attach once, and a cut
/// connection ends the job instead of hanging it.
@Suite struct StreamTests {
  /// An agent on tcp with a token, and one shell session on it.
  final class TCPSession {
    let agent: AgentProcess
    let address: Address
    let control: Connection
    let directory: String
    private var nextID: UInt32 = 1

    init() throws {
      directory = try makeScratchPath()
      let tokenFile = directory + "/token"
      let secret = "a-stream-test-token-of-enough-length"
      #expect(FileManager.default.createFile(atPath: tokenFile, contents: Data(secret.utf8), attributes: [.posixPermissions: 0o600]))
      agent = try AgentProcess(["--listen", "tcp:127.0.0.1:0", "--token-file", tokenFile])
      guard let line = agent.waitForLine(containing: "listening on tcp:"),
        let port = line.split(separator: ":").last.flatMap({ UInt16($0.trimmingCharacters(in: .whitespaces)) })
      else { throw TestFailure("no listening line: \(agent.stderrText)") }
      address = .tcp(host: "127.0.0.1", port: port)
      (control, _) = try connectShell(address, token: Authenticator(secret: Array(secret.utf8)))
    }

    deinit {
      control.close()
      _ = agent.terminate()
      try? FileManager.default.removeItem(atPath: directory)
    }

    /// Sends a request and returns its answer, skipping events.
    func request(_ body: Message.Body) throws -> Message.Body {
      let id = nextID
      nextID += 1
      try control.send(Message(requestID: id, body))
      while true {
        let message = try control.receiveMessage(timeout: .seconds(10))
        if message.requestID == id { return message.body }
      }
    }

    func tokens(_ direction: StreamDirection, _ count: UInt32) throws -> [StreamToken] {
      guard case .streamTokens(let tokens) = try request(.openStreams(direction: direction, count: count)) else {
        throw TestFailure("no tokens")
      }
      return tokens
    }

    /// A new data connection attached with `token`.
    func attach(_ token: StreamToken) throws -> Connection {
      let connection = try Connection.connect(to: address)
      try connection.attach(stream: token)
      return connection
    }

    /// Waits for the `jobFinished` of `jobID`.
    func waitForJob(_ jobID: UInt32) throws -> [DoshProtocol.ExitStatus] {
      while true {
        let message = try control.receiveMessage(timeout: .seconds(10))
        if case .jobFinished(jobID, let statuses, _) = message.body { return statuses }
      }
    }
  }

  /// Everything `connection` yields until EOF (or an error: then what came before it).
  func readAll(_ connection: Connection, timeout: Int32 = 10_000) -> (bytes: [UInt8], endedByEOF: Bool) {
    var bytes: [UInt8] = []
    var chunk = [UInt8](repeating: 0, count: 65536)
    while true {
      var descriptor = pollfd(fd: connection.fileDescriptor, events: Int16(POLLIN), revents: 0)
      guard poll(&descriptor, 1, timeout) > 0 else { return (bytes, false) }
      let count = read(connection.fileDescriptor, &chunk, chunk.count)
      if count == 0 { return (bytes, true) }
      if count < 0 { return (bytes, true) }
      bytes += chunk[..<count]
    }
  }

  /// Over a data connection the shell cannot see the pty's master: `jobFinished` says how many
  /// bytes the master gave during the job, and they are all on their way by then.
  @Test func aTerminalJobsEndCountsItsOutputOnThePtyConnection() throws {
    let session = try TCPSession()
    guard case .streamTokens(let tokens) = try session.request(.openTerminal(termios: [], rows: 24, columns: 80)),
      let token = tokens.first
    else {
      Issue.record("no pty token")
      return
    }
    let pty = try session.attach(token)
    let spec = JobSpec(
      processes: [ProcessSpec(arguments: ["sh", "-c", "head -c 100000 /dev/zero | tr '\\0' x"], descriptors: [
        DescriptorSetting(0, .terminal), DescriptorSetting(1, .terminal), DescriptorSetting(2, .terminal),
      ])],
      terminal: TerminalSpec(foreground: true))
    guard case .jobStarted(let jobID, _, _) = try session.request(.runJob(spec)) else {
      Issue.record("the job did not start")
      return
    }
    var told: UInt64?
    while told == nil {
      if case .jobFinished(jobID, _, let output) = try session.control.receiveMessage(timeout: .seconds(10)).body { told = output }
    }
    #expect(told == 100_000)
    // All of it arrives, and nothing more (the pty has no other writer).
    var received = 0
    var chunk = [UInt8](repeating: 0, count: 65536)
    while received < 100_000 {
      var descriptor = pollfd(fd: pty.fileDescriptor, events: Int16(POLLIN), revents: 0)
      guard poll(&descriptor, 1, 10_000) > 0 else { break }
      let count = read(pty.fileDescriptor, &chunk, chunk.count)
      guard count > 0 else { break }
      #expect(chunk[..<count].allSatisfy { $0 == UInt8(ascii: "x") })
      received += count
    }
    #expect(received == 100_000)
  }

  @Test func aJobReadsAndWritesThroughDataConnections() throws {
    let session = try TCPSession()
    let input = try session.tokens(.guestToHost, 1)[0]
    let output = try session.tokens(.hostToGuest, 1)[0]
    let toHost = try session.attach(input)
    let fromHost = try session.attach(output)
    let spec = JobSpec(processes: [
      ProcessSpec(arguments: ["tr", "a-z", "A-Z"], descriptors: [DescriptorSetting(0, .stream(input)), DescriptorSetting(1, .stream(output))])
    ])
    guard case .jobStarted(let jobID, _, _) = try session.request(.runJob(spec)) else {
      Issue.record("the job did not start")
      return
    }
    try toHost.send(bytes: Array("hello, host\n".utf8))
    try toHost.shutdownWrite()
    let (bytes, eof) = readAll(fromHost)
    #expect(String(decoding: bytes, as: UTF8.self) == "HELLO, HOST\n")
    #expect(eof)
    #expect(try session.waitForJob(jobID) == [DoshProtocol.ExitStatus.exited(code: 0)])
  }

  @Test func aTokenAttachesOnlyOnce() throws {
    let session = try TCPSession()
    let token = try session.tokens(.guestToHost, 1)[0]
    let first = try session.attach(token)
    let second = try session.attach(token)
    // The second connection is closed by the shadow (used token): EOF, no bytes.
    let (bytes, eof) = readAll(second)
    #expect(bytes.isEmpty && eof)
    // A job naming it again after it was claimed is refused.
    let spec = JobSpec(processes: [ProcessSpec(arguments: ["true"], descriptors: [DescriptorSetting(0, .stream(token))])])
    guard case .jobStarted(let jobID, _, _) = try session.request(.runJob(spec)) else {
      Issue.record("the first job did not start")
      return
    }
    _ = try session.waitForJob(jobID)
    guard case .error(let code, _) = try session.request(.runJob(spec)) else {
      Issue.record("a used token was accepted")
      return
    }
    #expect(code == EBADF)
    first.close()
  }

  @Test func unknownTokensAndGarbageAreDropped() throws {
    let session = try TCPSession()
    // Routed to no session.
    let stray = try session.attach(StreamToken.random(route: 1))
    #expect(readAll(stray).endedByEOF)
    // Routed to this session's shadow, but never issued.
    let real = try session.tokens(.both, 1)[0]
    var forged = real.bytes
    forged[15] ^= 0xFF
    let forgery = try session.attach(StreamToken(bytes: forged)!)
    #expect(readAll(forgery).endedByEOF)
    // A first frame that is neither hello nor attachStream.
    let garbage = try Connection.connect(to: session.address)
    try garbage.send(bytes: [UInt8](repeating: 0x7F, count: 64))
    #expect(readAll(garbage).endedByEOF)
    // The session still works.
    #expect(try session.request(.ping) == .ok)
  }

  @Test func aCutDataConnectionEndsTheJob() throws {
    let session = try TCPSession()
    let output = try session.tokens(.hostToGuest, 1)[0]
    let fromHost = try session.attach(output)
    let spec = JobSpec(processes: [
      ProcessSpec(arguments: ["cat", "/dev/zero"], descriptors: [DescriptorSetting(1, .stream(output))])
    ])
    guard case .jobStarted(let jobID, _, _) = try session.request(.runJob(spec)) else {
      Issue.record("the job did not start")
      return
    }
    var chunk = [UInt8](repeating: 0, count: 65536)
    #expect(read(fromHost.fileDescriptor, &chunk, chunk.count) > 0)
    // Cut it: a reset, not a clean close.
    var linger = Glibc.linger(l_onoff: 1, l_linger: 0)
    setsockopt(fromHost.fileDescriptor, SOL_SOCKET, SO_LINGER, &linger, socklen_t(MemoryLayout<Glibc.linger>.size))
    fromHost.close()
    // The writer is ended by SIGPIPE, as with a local pipe whose reader went away.
    #expect(try session.waitForJob(jobID) == [DoshProtocol.ExitStatus.signaled(signal: SIGPIPE, coreDumped: false)])
  }
}
