/// Which program sent a `hello`.
public enum PeerRole: UInt8, Sendable, CaseIterable {
  /// `dosh`, the guest shell.
  case shell = 1
  /// `doshd` (or a shadow process speaking for it).
  case agent = 2
}

/// The first frame of a control connection, sent by each side.
public struct Hello: Equatable, Sendable {
  public var role: PeerRole
  /// The protocol versions the sender speaks. The agent answers with the single version chosen.
  public var versions: ClosedRange<UInt16>
  /// Free text such as "dosh 0.1", for logs and error messages only.
  public var software: [UInt8]
  /// The shell's random nonce (32 bytes) for the agent's proof; empty in the agent's hello.
  public var nonce: [UInt8]

  public init(
    role: PeerRole, versions: ClosedRange<UInt16> = ProtocolVersion.supported,
    software: [UInt8], nonce: [UInt8] = []
  ) {
    self.role = role
    self.versions = versions
    self.software = software
    self.nonce = nonce
  }
}

/// One `NAME=value` of an environment, both raw bytes (names and values need not be UTF-8).
public struct EnvironmentVariable: Equatable, Sendable {
  public var name: [UInt8]
  public var value: [UInt8]

  public init(name: [UInt8], value: [UInt8]) {
    self.name = name
    self.value = value
  }

  public init(name: String, value: String) {
    self.init(name: Array(name.utf8), value: Array(value.utf8))
  }
}

/// What the shell learns about its host session on connecting, so that it can show the host cwd
/// and expand host variables without a round trip.
public struct SessionInfo: Equatable, Sendable {
  public var hostName: [UInt8]
  /// The shadow process's working directory.
  public var workingDirectory: [UInt8]
  /// The host user's home directory (for `~` in host words).
  public var homeDirectory: [UInt8]
  public var userName: [UInt8]
  /// The shadow process's environment at the time of the welcome.
  public var environment: [EnvironmentVariable]
  /// The shadow process's pid on the host (for `$$`-like display and diagnostics).
  public var shadowProcessID: Int32
  /// HMAC proof that the agent knows the shared token (present when the connection was
  /// authenticated with a challenge; see docs/protocol.md).
  public var agentProof: [UInt8]?

  public init(
    hostName: [UInt8], workingDirectory: [UInt8], homeDirectory: [UInt8], userName: [UInt8],
    environment: [EnvironmentVariable], shadowProcessID: Int32, agentProof: [UInt8]? = nil
  ) {
    self.hostName = hostName
    self.workingDirectory = workingDirectory
    self.homeDirectory = homeDirectory
    self.userName = userName
    self.environment = environment
    self.shadowProcessID = shadowProcessID
    self.agentProof = agentProof
  }
}
