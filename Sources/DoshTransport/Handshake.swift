import DoshProtocol

/// The shell's side of opening a control connection: hello, optional challenge, welcome.
public enum ShellHandshake {
  /// Runs the handshake; returns the session and the negotiated version. `authenticator` is
  /// required when the agent challenges (tcp, vsock); a missing or wrong agent proof fails.
  public static func perform(
    on connection: Connection, software: String, authenticator: Authenticator?,
    timeout: Duration = .seconds(5)
  ) throws(TransportError) -> (session: SessionInfo, version: UInt16) {
    let shellNonce = Authenticator.makeNonce()
    do {
      try connection.send(Message(.hello(Hello(role: .shell, software: Array(software.utf8), nonce: shellNonce))))
    } catch {
      // An agent that refuses us at once (another uid) may have closed before our hello got
      // there: its `refused` says why, and is worth more than EPIPE.
      if let answer = try? connection.receive(timeout: .milliseconds(500)), case .refused(let reason) = answer.body {
        throw .refused(String(decoding: reason, as: UTF8.self))
      }
      throw error
    }
    let hello = try expect(connection, timeout, "hello") { body -> Hello? in
      if case .hello(let hello) = body, hello.role == .agent { return hello }
      return nil
    }
    let version: UInt16
    do { version = try ProtocolVersion.negotiate(remote: hello.versions) } catch { throw .protocolViolation(error) }
    var agentNonce: [UInt8]?
    var next = try connection.receiveMessage(timeout: timeout)
    if case .challenge(let nonce) = next.body {
      guard let authenticator else {
        throw .authenticationFailed("the agent asks for a token; none is configured")
      }
      agentNonce = nonce
      try connection.send(Message(.authenticate(
        proof: authenticator.proof(by: .shell, agentNonce: nonce, shellNonce: shellNonce))))
      next = try connection.receiveMessage(timeout: timeout)
    }
    switch next.body {
    case .welcome(let session):
      if let agentNonce, let authenticator {
        guard let proof = session.agentProof,
          authenticator.verify(proof, by: .agent, agentNonce: agentNonce, shellNonce: shellNonce)
        else { throw .authenticationFailed("the agent did not prove that it knows the token") }
      }
      return (session, version)
    case .refused(let reason):
      throw .refused(String(decoding: reason, as: UTF8.self))
    default:
      throw .protocolViolation(.unexpectedMessage(received: next.body.type.name, expected: "welcome"))
    }
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
