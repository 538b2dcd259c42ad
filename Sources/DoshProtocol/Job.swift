/// How a host file is opened for a redirection such as `> !f` or `< !f`.
public enum OpenMode: UInt8, Sendable, CaseIterable {
  /// `< !f`: O_RDONLY.
  case read = 1
  /// `> !f` (noclobber off) and `>| !f`: O_WRONLY|O_CREAT|O_TRUNC.
  case write = 2
  /// `> !f` under `set -C`: like `write`, but fails with EEXIST if `f` is an existing regular file.
  case writeNoClobber = 3
  /// `>> !f`: O_WRONLY|O_CREAT|O_APPEND.
  case append = 4
  /// `<> !f`: O_RDWR|O_CREAT.
  case readWrite = 5

  /// Whether the opened file is read (so its stream flows host → guest).
  public var reads: Bool { self == .read || self == .readWrite }
}

/// Where one file descriptor of a host process comes from.
public enum DescriptorSource: Equatable, Sendable {
  /// A data connection attached with this token.
  case stream(StreamToken)
  /// A host file opened by the shadow process, relative to its cwd. `permissions` is the create
  /// mode (umask applies), e.g. 0o666.
  case file(path: [UInt8], mode: OpenMode, permissions: UInt16)
  /// The write end of the pipe to the next process of the job.
  case pipeToNext
  /// The read end of the pipe from the previous process of the job.
  case pipeFromPrevious
  /// A copy of another fd of the same process as set up so far (`2>&1`).
  case duplicate(Int32)
  /// The fd is closed (`<&-`).
  case closed
  /// The slave of the session's host pty (opened with `openTerminal`; see `TerminalSpec`).
  case terminal
  /// A descriptor passed with the `runJob` frame itself (SCM_RIGHTS over a unix connection):
  /// the index into the descriptors that arrived with it. No bytes are copied: a guest pipe end,
  /// file or socket becomes the host process's fd as it is.
  case passed(index: UInt32)
}

/// One fd setting, applied in order like the shell's redirections.
public struct DescriptorSetting: Equatable, Sendable {
  public var descriptor: Int32
  public var source: DescriptorSource

  public init(_ descriptor: Int32, _ source: DescriptorSource) {
    self.descriptor = descriptor
    self.source = source
  }
}

/// A change to the environment a host process inherits from the shadow process.
public enum EnvironmentChange: Equatable, Sendable {
  case set(name: [UInt8], value: [UInt8])
  case unset(name: [UInt8])
}

/// One process of a host job.
public struct ProcessSpec: Equatable, Sendable {
  /// argv; argv[0] is looked up in the host PATH unless it contains a slash. Not empty.
  public var arguments: [[UInt8]]
  /// Applied to the shadow's environment for this process only (`X=1 !cmd`).
  public var environment: [EnvironmentChange]
  /// No other fd of the shadow is inherited; 0, 1 or 2 left unset are opened on /dev/null.
  public var descriptors: [DescriptorSetting]

  public init(
    arguments: [[UInt8]], environment: [EnvironmentChange] = [], descriptors: [DescriptorSetting]
  ) {
    self.arguments = arguments
    self.environment = environment
    self.descriptors = descriptors
  }

  public init(arguments: [String], descriptors: [DescriptorSetting]) {
    self.init(arguments: arguments.map { Array($0.utf8) }, descriptors: descriptors)
  }
}

/// How a job uses the session's host pty (one per session, opened with `openTerminal`; its
/// modes and size are set there and by `resizeTerminal`).
public struct TerminalSpec: Equatable, Sendable {
  /// Whether the job starts as the pty's foreground process group: it owns the terminal before
  /// its first process runs. A job that is not in the foreground and reads the pty stops with
  /// SIGTTIN.
  public var foreground: Bool

  public init(foreground: Bool) {
    self.foreground = foreground
  }
}

/// A host job: the processes of one host pipeline, in one new host process group.
public struct JobSpec: Equatable, Sendable {
  /// 1 to `ProtocolLimits.maximumProcessesPerJob` processes, left to right.
  public var processes: [ProcessSpec]
  /// The job's use of the session pty; absent: it stays in the background of the pty (its
  /// `.terminal` fds, if any, still work, and reading them stops it with SIGTTIN).
  public var terminal: TerminalSpec?

  /// What the shadow writes before a message about a process it could not start (on that
  /// process's stderr): the shell's own prefix, e.g. `dosh: line 3: ` or `build.sh: line 3: `.
  /// At most `ProtocolLimits.maximumMessagePrefixSize` bytes.
  public var messagePrefix: [UInt8]

  public init(processes: [ProcessSpec], terminal: TerminalSpec? = nil, messagePrefix: [UInt8] = Array("dosh: ".utf8)) {
    self.processes = processes
    self.terminal = terminal
    self.messagePrefix = messagePrefix
  }
}

/// How a host process ended.
public enum ExitStatus: Equatable, Sendable {
  case exited(code: Int32)
  case signaled(signal: Int32, coreDumped: Bool)

  /// The shell's `$?` for it: the code, or 128 + the signal number.
  public var shellStatus: Int32 {
    switch self {
    case .exited(let code): code & 0xFF
    case .signaled(let signal, _): 128 &+ signal
    }
  }
}

/// One name from a host directory listing.
public struct DirectoryEntry: Equatable, Sendable {
  public enum Kind: UInt8, Sendable, CaseIterable {
    case other = 0
    case regular = 1
    case directory = 2
    case symbolicLink = 3
    /// A regular file (or link to one) with an execute bit that the host user may run.
    case executable = 4
  }

  public var name: [UInt8]
  public var kind: Kind

  public init(name: [UInt8], kind: Kind) {
    self.name = name
    self.kind = kind
  }
}
