/// One frame's worth of protocol: a request id and what is said.
///
/// Requests carry a nonzero id chosen by the shell; the response to a request carries the same id.
/// Handshake messages, `attachStream` and events carry id 0.
public struct Message: Equatable, Sendable {
  public var requestID: UInt32
  public var body: Body

  public init(requestID: UInt32 = 0, _ body: Body) {
    self.requestID = requestID
    self.body = body
  }

  /// Everything either side can say. docs/protocol.md documents every field and when each
  /// message is allowed.
  public enum Body: Equatable, Sendable {
    // MARK: Handshake (control connection, request id 0)
    /// First frame of each side of a control connection.
    case hello(Hello)
    /// Agent → shell: prove you know the token: `authenticate(HMAC(token, context))`.
    case challenge(nonce: [UInt8])
    /// Shell → agent: the answer to `challenge`.
    case authenticate(proof: [UInt8])
    /// Agent → shell: the session is open.
    case welcome(SessionInfo)
    /// Either side: the connection is refused or ends; the sender closes after it.
    case refused(reason: [UInt8])

    // MARK: Data connections
    /// First and only frame of a data connection; raw bytes follow.
    case attachStream(StreamToken)

    // MARK: Requests (shell → shadow, request id ≠ 0)
    /// Start a host job. Answer: `jobStarted` or `error`.
    case runJob(JobSpec)
    /// `!cd`. Answer: `workingDirectory` (the new, physical cwd) or `error`.
    case changeDirectory(path: [UInt8])
    /// `!export NAME=value`. Answer: `ok` or `error`.
    case setEnvironment(name: [UInt8], value: [UInt8])
    /// `!unset NAME`. Answer: `ok` or `error`.
    case unsetEnvironment(name: [UInt8])
    /// `!umask [mask]`: set when given; either way answer `umask(previous)`.
    case setUmask(mask: UInt16?)
    /// Host pathname expansion of one pattern against the host cwd; with `globStar` (the shell's
    /// `shopt -s globstar`), a `**` component spans directories. Answer: `names` (sorted, empty
    /// when nothing matched) or `error`.
    case expandPattern(pattern: [UInt8], limit: UInt32, globStar: Bool)
    /// Completion: names in `path` starting with `prefix`, at most `limit`. Answer:
    /// `directoryEntries` or `error`.
    case listDirectory(path: [UInt8], prefix: [UInt8], limit: UInt32)
    /// Completion: executables in the host PATH (and host builtins) starting with `prefix`.
    /// Answer: `names`.
    case listCommands(prefix: [UInt8], limit: UInt32)
    /// Ask for `count` stream tokens. Answer: `streamTokens`.
    case openStreams(direction: StreamDirection, count: UInt32)
    /// Open a host file in the shadow and relay it to a new stream (`cat < !f`). Answer:
    /// `streamTokens` with one token, or `error` (the open failed: nothing to attach).
    case openHostFile(path: [UInt8], mode: OpenMode, permissions: UInt16)
    /// Send `signal` to the job's host process group. Answer: `ok` or `error`.
    case signalJob(jobID: UInt32, signal: Int32)
    /// The guest terminal's size changed: resize the session pty (`jobID` 0: whatever job runs).
    /// Answer: `ok` or `error`.
    case resizeTerminal(jobID: UInt32, rows: UInt16, columns: UInt16)
    /// `fg`/`bg`: make the job the foreground group of the session pty, or take the pty back
    /// from it. Answer: `ok` or `error`.
    case setForeground(jobID: UInt32, foreground: Bool)
    /// Liveness probe. Answer: `ok`.
    case ping
    /// Open the session's host pty (or reuse it) with the guest's `struct termios` (raw bytes,
    /// at most 256; applied when the size matches the host's) and window size. Answer:
    /// `terminalOpened` with the master's descriptor (unix connections) or `error`.
    case openTerminal(termios: [UInt8], rows: UInt16, columns: UInt16)

    // MARK: Responses (shadow → shell, request id of the request)
    case ok
    /// `code` is an errno value on the host (0 when none applies), `message` a human text.
    case error(code: Int32, message: [UInt8])
    /// The job runs. `jobID` names it in later requests and events.
    case jobStarted(jobID: UInt32, processGroup: Int32, processIDs: [Int32])
    case workingDirectory(path: [UInt8])
    case umask(previous: UInt16)
    /// `truncated` tells that more matched than `limit`.
    case names([[UInt8]], truncated: Bool)
    case directoryEntries([DirectoryEntry], truncated: Bool)
    case streamTokens([StreamToken])
    /// The answer to `openHostFile` over a unix connection: the opened file's descriptor is
    /// passed with this frame (SCM_RIGHTS). No fields.
    case hostFileOpened
    /// The answer to `openTerminal`: the pty master's descriptor is passed with this frame
    /// (SCM_RIGHTS). No fields.
    case terminalOpened

    // MARK: Events (shadow → shell, request id 0)
    case jobStopped(jobID: UInt32, signal: Int32)
    case jobContinued(jobID: UInt32)
    /// Process `index` (position in the job's spec) ended.
    case processExited(jobID: UInt32, index: UInt32, status: ExitStatus)
    /// Every process of the job ended; `statuses` in spec order. The job id is free again.
    /// `terminalOutput`: the bytes the session pty's master gave since the job started, all of
    /// them sent on its data connection ahead of this message (0 where the shell holds the
    /// master itself), so the shell knows when the job's last output has landed.
    case jobFinished(jobID: UInt32, statuses: [ExitStatus], terminalOutput: UInt64)
  }
}

/// The type byte of each message.
public enum MessageType: UInt8, Sendable, CaseIterable {
  case hello = 0x01
  case challenge = 0x02
  case authenticate = 0x03
  case welcome = 0x04
  case refused = 0x05
  case attachStream = 0x08

  case runJob = 0x10
  case changeDirectory = 0x11
  case setEnvironment = 0x12
  case unsetEnvironment = 0x13
  case setUmask = 0x14
  case expandPattern = 0x15
  case listDirectory = 0x16
  case listCommands = 0x17
  case openStreams = 0x18
  case openHostFile = 0x19
  case signalJob = 0x1A
  case resizeTerminal = 0x1B
  case setForeground = 0x1C
  case ping = 0x1D
  case openTerminal = 0x1E

  case ok = 0x40
  case error = 0x41
  case jobStarted = 0x42
  case workingDirectory = 0x43
  case umask = 0x44
  case names = 0x45
  case directoryEntries = 0x46
  case streamTokens = 0x47
  case hostFileOpened = 0x48
  case terminalOpened = 0x49

  case jobStopped = 0x60
  case jobContinued = 0x61
  case processExited = 0x62
  case jobFinished = 0x63

  /// The name used in docs/protocol.md and in error messages.
  public var name: String { "\(self)" }

  /// Requests are sent by the shell with a nonzero id and get exactly one response.
  public var isRequest: Bool { (0x10..<0x40).contains(rawValue) }
  public var isResponse: Bool { (0x40..<0x60).contains(rawValue) }
  public var isEvent: Bool { rawValue >= 0x60 }
}

extension Message.Body {
  /// The type byte this body is sent with.
  public var type: MessageType {
    switch self {
    case .hello: .hello
    case .challenge: .challenge
    case .authenticate: .authenticate
    case .welcome: .welcome
    case .refused: .refused
    case .attachStream: .attachStream
    case .runJob: .runJob
    case .changeDirectory: .changeDirectory
    case .setEnvironment: .setEnvironment
    case .unsetEnvironment: .unsetEnvironment
    case .setUmask: .setUmask
    case .expandPattern: .expandPattern
    case .listDirectory: .listDirectory
    case .listCommands: .listCommands
    case .openStreams: .openStreams
    case .openHostFile: .openHostFile
    case .signalJob: .signalJob
    case .resizeTerminal: .resizeTerminal
    case .setForeground: .setForeground
    case .ping: .ping
    case .openTerminal: .openTerminal
    case .ok: .ok
    case .error: .error
    case .jobStarted: .jobStarted
    case .workingDirectory: .workingDirectory
    case .umask: .umask
    case .names: .names
    case .directoryEntries: .directoryEntries
    case .streamTokens: .streamTokens
    case .hostFileOpened: .hostFileOpened
    case .terminalOpened: .terminalOpened
    case .jobStopped: .jobStopped
    case .jobContinued: .jobContinued
    case .processExited: .processExited
    case .jobFinished: .jobFinished
    }
  }
}

extension Message {
  /// An `error` response with a text message.
  public static func error(requestID: UInt32, code: Int32, _ message: String) -> Message {
    Message(requestID: requestID, .error(code: code, message: Array(message.utf8)))
  }

  /// A `refused` message with a text reason.
  public static func refused(_ reason: String) -> Message {
    Message(.refused(reason: Array(reason.utf8)))
  }
}
