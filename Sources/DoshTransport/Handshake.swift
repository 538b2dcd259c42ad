#if canImport(Glibc)
import Glibc
#endif
import DoshProtocol

/// The shell's side of opening a control connection: hello, optional challenge, welcome.
public enum ShellHandshake {
  /// What the shell learns.
  public struct Outcome {
    public var session: SessionInfo
    public var version: UInt16
    /// Whether descriptors cross this connection (SCM_RIGHTS): a unix socket to the agent
    /// itself, not one forwarded by ssh or socat, which carry only bytes.
    public var passesDescriptors: Bool
  }

  /// Runs the handshake. `authenticator` is required when the agent challenges (tcp, vsock); a
  /// missing or wrong agent proof fails. Over a unix socket `hello` carries a descriptor, and
  /// `welcome` brings one back when ours arrived: the probe for `passesDescriptors`.
  public static func perform(
    on connection: Connection, software: String, authenticator: Authenticator?,
    timeout: Duration = .seconds(5)
  ) throws(TransportError) -> Outcome {
    let shellNonce = Authenticator.makeNonce()
    let hello = Message(.hello(Hello(role: .shell, software: Array(software.utf8), nonce: shellNonce)))
    do {
      if connection.isUnixDomain {
        let probe = try SystemCalls.check("open /dev/null") { open("/dev/null", O_RDONLY | O_CLOEXEC) }
        defer { close(probe) }
        try connection.send(hello, descriptors: [probe])
      } else {
        try connection.send(hello)
      }
    } catch {
      // An agent that refuses us at once (another uid) may have closed before our hello got
      // there: its `refused` says why, and is worth more than EPIPE.
      if let answer = try? connection.receive(timeout: .milliseconds(500)), case .refused(let reason) = answer.body {
        throw .refused(String(decoding: reason, as: UTF8.self))
      }
      throw error
    }
    let agentHello = try expect(connection, timeout, "hello") { body -> Hello? in
      if case .hello(let hello) = body, hello.role == .agent { return hello }
      return nil
    }
    let version: UInt16
    do { version = try ProtocolVersion.negotiate(remote: agentHello.versions) } catch { throw .protocolViolation(error) }
    var agentNonce: [UInt8]?
    var next = try receiveCountingDescriptors(connection, timeout)
    if case .challenge(let nonce) = next.message.body {
      guard let authenticator else {
        throw .authenticationFailed("the agent asks for a token; none is configured")
      }
      agentNonce = nonce
      try connection.send(Message(.authenticate(
        proof: authenticator.proof(by: .shell, agentNonce: nonce, shellNonce: shellNonce))))
      next = try receiveCountingDescriptors(connection, timeout)
    }
    switch next.message.body {
    case .welcome(let session):
      if let agentNonce, let authenticator {
        guard let proof = session.agentProof,
          authenticator.verify(proof, by: .agent, agentNonce: agentNonce, shellNonce: shellNonce)
        else { throw .authenticationFailed("the agent did not prove that it knows the token") }
      }
      return Outcome(session: session, version: version, passesDescriptors: next.descriptorCount > 0)
    case .refused(let reason):
      throw .refused(String(decoding: reason, as: UTF8.self))
    default:
      throw .protocolViolation(.unexpectedMessage(received: next.message.body.type.name, expected: "welcome"))
    }
  }

  /// The next message and how many descriptors came with it (closed here).
  private static func receiveCountingDescriptors(
    _ connection: Connection, _ timeout: Duration
  ) throws(TransportError) -> (message: Message, descriptorCount: Int) {
    guard let frame = try connection.receiveFrame(timeout: timeout) else { throw .connectionClosed(midFrame: false) }
    for fd in frame.descriptors { close(fd) }
    return (frame.message, frame.descriptors.count)
  }

  static func expect<T>(
    _ connection: Connection, _ timeout: Duration, _ expected: String, _ match: (Message.Body) -> T?
  ) throws(TransportError) -> T {
    let message = try connection.receiveMessage(timeout: timeout)
    if let value = match(message.body) { return value }
    if case .refused(let reason) = message.body { throw .refused(String(decoding: reason, as: UTF8.self)) }
    throw .protocolViolation(.unexpectedMessage(received: message.body.type.name, expected: expected))
  }
}

/// The agent's side, after it read the shell's `hello` (with `receiveSingleFrame`): version
/// choice, optional challenge. On success the caller sends `welcome` with `agentProof` set to
/// the returned proof. On failure it has already sent `refused`; close the connection.
public enum AgentHandshake {
  public static func authenticate(
    _ connection: Connection, shellHello: Hello, software: String, authenticator: Authenticator?,
    timeout: Duration = .seconds(10)
  ) throws(TransportError) -> (version: UInt16, agentProof: [UInt8]?) {
    func refuse(_ error: TransportError, _ reason: String) -> TransportError {
      try? connection.send(Message.refused(reason))
      return error
    }
    guard shellHello.role == .shell else {
      throw refuse(.protocolViolation(.unexpectedMessage(received: "hello from an agent", expected: "hello from a shell")), "expected a shell")
    }
    let version: UInt16
    do {
      version = try ProtocolVersion.negotiate(remote: shellHello.versions)
    } catch {
      throw refuse(.protocolViolation(error), error.description)
    }
    try connection.send(Message(.hello(Hello(role: .agent, versions: version...version, software: Array(software.utf8)))))
    guard let authenticator else { return (version, nil) }
    guard shellHello.nonce.count == ProtocolLimits.nonceSize else {
      throw refuse(.authenticationFailed("the shell sent no nonce"), "authentication failed")
    }
    let agentNonce = Authenticator.makeNonce()
    try connection.send(Message(.challenge(nonce: agentNonce)))
    let message = try connection.receiveMessage(timeout: timeout)
    guard case .authenticate(let proof) = message.body else {
      throw refuse(.protocolViolation(.unexpectedMessage(received: message.body.type.name, expected: "authenticate")), "expected authenticate")
    }
    guard authenticator.verify(proof, by: .shell, agentNonce: agentNonce, shellNonce: shellHello.nonce) else {
      throw refuse(.authenticationFailed("wrong token"), "authentication failed")
    }
    return (version, authenticator.proof(by: .agent, agentNonce: agentNonce, shellNonce: shellHello.nonce))
  }
}
