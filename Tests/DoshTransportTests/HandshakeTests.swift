import DoshProtocol
import DoshTransport
import Testing

@Suite struct HandshakeTests {
  static let session = SessionInfo(
    hostName: Array("host".utf8), workingDirectory: Array("/home/me".utf8),
    homeDirectory: Array("/home/me".utf8), userName: Array("me".utf8),
    environment: [EnvironmentVariable(name: "HOME", value: "/home/me")], shadowProcessID: 99)

  /// Runs the agent side on a thread over one end of a socketpair.
  func agent(_ fd: Int32, token: String?) -> Background<UInt16> {
    Background {
      let connection = Connection(adopting: fd)
      let first = try connection.receiveSingleFrame(timeout: .seconds(5))
      guard case .hello(let hello) = first.body else { throw TransportError.refused("no hello") }
      let (version, proof) = try AgentHandshake.authenticate(
        connection, shellHello: hello, software: "doshd test",
        authenticator: token.map { Authenticator(secret: Array($0.utf8)) })
      var session = HandshakeTests.session
      session.agentProof = proof
      try connection.send(Message(.welcome(session)))
      return version
    }
  }

  @Test func withoutToken() throws {
    let (shell, agentEnd) = try Connection.pair()
    let agent = agent(agentEnd.takeFileDescriptor(), token: nil)
    let outcome = try ShellHandshake.perform(on: shell, software: "dosh test", authenticator: nil)
    #expect(outcome.session == Self.session)
    #expect(outcome.version == ProtocolVersion.current)
    #expect(try agent.wait() == ProtocolVersion.current)
  }

  @Test func challengeResponseSucceeds() throws {
    let (shell, agentEnd) = try Connection.pair()
    let agent = agent(agentEnd.takeFileDescriptor(), token: "0123456789abcdef-secret")
    let session = try ShellHandshake.perform(
      on: shell, software: "dosh test", authenticator: Authenticator(secret: Array("0123456789abcdef-secret".utf8))).session
    #expect(session.hostName == Self.session.hostName)
    #expect(session.agentProof?.count == 32)
    _ = try agent.wait()
  }

  @Test func wrongTokenIsRefused() throws {
    let (shell, agentEnd) = try Connection.pair()
    let agent = agent(agentEnd.takeFileDescriptor(), token: "0123456789abcdef-secret")
    #expect(throws: TransportError.refused("authentication failed")) {
      try ShellHandshake.perform(
        on: shell, software: "dosh test", authenticator: Authenticator(secret: Array("0123456789abcdef-WRONG!".utf8)))
    }
    #expect(throws: TransportError.authenticationFailed("wrong token")) { try agent.wait() }
  }

  @Test func missingTokenOnTheShell() throws {
    let (shell, agentEnd) = try Connection.pair()
    let agent = agent(agentEnd.takeFileDescriptor(), token: "0123456789abcdef-secret")
    #expect(throws: TransportError.authenticationFailed("the agent asks for a token; none is configured")) {
      try ShellHandshake.perform(on: shell, software: "dosh test", authenticator: nil)
    }
    shell.close()
    #expect(throws: TransportError.self) { try agent.wait() }
  }

  @Test func fakeAgentWithoutProofIsRejected() throws {
    // An agent that challenges but cannot prove it knows the token.
    let (shell, agentEnd) = try Connection.pair()
    let fd = agentEnd.takeFileDescriptor()
    let fake = Background { () -> Bool in
      let connection = Connection(adopting: fd)
      _ = try connection.receiveSingleFrame(timeout: .seconds(5))
      try connection.send(Message(.hello(Hello(role: .agent, versions: 1...1, software: []))))
      try connection.send(Message(.challenge(nonce: Authenticator.makeNonce())))
      _ = try connection.receiveMessage(timeout: .seconds(5))
      try connection.send(Message(.welcome(HandshakeTests.session)))
      return true
    }
    #expect(throws: TransportError.authenticationFailed("the agent did not prove that it knows the token")) {
      try ShellHandshake.perform(
        on: shell, software: "dosh", authenticator: Authenticator(secret: Array("0123456789abcdef".utf8)))
    }
    _ = try fake.wait()
  }

  @Test func versionMismatchIsRefused() throws {
    let (shell, agentEnd) = try Connection.pair()
    let agent = agent(agentEnd.takeFileDescriptor(), token: nil)
    try shell.send(Message(.hello(Hello(role: .shell, versions: 7...9, software: []))))
    let reply = try shell.receiveMessage(timeout: .seconds(5))
    #expect(reply.body == .refused(reason: Array(
      "protocol version mismatch: this side speaks version 1, the peer versions 7-9".utf8)))
    #expect(throws: TransportError.self) { try agent.wait() }
  }
}
