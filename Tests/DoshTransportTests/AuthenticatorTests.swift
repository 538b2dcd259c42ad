#if canImport(Glibc)
import Glibc
#endif
import Crypto
import DoshProtocol
import DoshTransport
import Testing

@Suite struct AuthenticatorTests {
  func hex(_ bytes: [UInt8]) -> String {
    bytes.map { ($0 < 16 ? "0" : "") + String($0, radix: 16) }.joined()
  }

  @Test func proofIsTheDocumentedHMAC() throws {
    // HMAC-SHA256(token, "dosh-auth-v1 shell" ‖ 0 ‖ agentNonce ‖ shellNonce), computed independently.
    let authenticator = Authenticator(secret: Array("0123456789abcdef0123456789abcdef".utf8))
    let agentNonce = (0..<32).map { UInt8($0) }
    let shellNonce = (32..<64).map { UInt8($0) }
    let proof = authenticator.proof(by: .shell, agentNonce: agentNonce, shellNonce: shellNonce)
    #expect(hex(proof) == "4b7554c08501274f9d174eefd3eb471798bc338b4f8ef2ddc713c944e53562de")
    #expect(authenticator.verify(proof, by: .shell, agentNonce: agentNonce, shellNonce: shellNonce))
    #expect(!authenticator.verify(proof, by: .agent, agentNonce: agentNonce, shellNonce: shellNonce))
  }

  @Test func proofsDependOnRoleTokenAndNonces() {
    let a = Authenticator(secret: Array("correct horse battery staple".utf8))
    let b = Authenticator(secret: Array("wrong horse battery staple!!".utf8))
    let agentNonce = Authenticator.makeNonce()
    let shellNonce = Authenticator.makeNonce()
    #expect(agentNonce.count == 32 && agentNonce != shellNonce)
    let proof = a.proof(by: .shell, agentNonce: agentNonce, shellNonce: shellNonce)
    #expect(a.verify(proof, by: .shell, agentNonce: agentNonce, shellNonce: shellNonce))
    #expect(!b.verify(proof, by: .shell, agentNonce: agentNonce, shellNonce: shellNonce))
    #expect(!a.verify(proof, by: .agent, agentNonce: agentNonce, shellNonce: shellNonce))
    #expect(!a.verify(proof, by: .shell, agentNonce: shellNonce, shellNonce: agentNonce))
  }

  @Test func tokenFilePermissions() throws {
    let directory = TemporaryDirectory()
    defer { directory.remove() }
    let path = directory.path + "/token"
    let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
    #expect(fd >= 0)
    let text = Array("  0123456789abcdef0123456789abcdef\n".utf8)
    #expect(write(fd, text, text.count) == text.count)
    close(fd)

    let loaded = try Authenticator.load(tokenFile: path)
    let expected = Authenticator(secret: Array("0123456789abcdef0123456789abcdef".utf8))
    let nonce = Authenticator.makeNonce()
    #expect(loaded.proof(by: .shell, agentNonce: nonce, shellNonce: nonce)
      == expected.proof(by: .shell, agentNonce: nonce, shellNonce: nonce))

    chmod(path, 0o644)
    #expect(throws: TransportError.tokenFile(
      path: path, reason: "accessible by group or others (mode 644); run chmod 600 \(path)")) {
      try Authenticator.load(tokenFile: path)
    }
    chmod(path, 0o640)
    #expect(throws: TransportError.self) { try Authenticator.load(tokenFile: path) }
    chmod(path, 0o400)
    #expect(throws: Never.self) { try Authenticator.load(tokenFile: path) }

    #expect(throws: TransportError.tokenFile(path: directory.path + "/missing", reason: "No such file or directory")) {
      try Authenticator.load(tokenFile: directory.path + "/missing")
    }
    let short = directory.path + "/short"
    let shortFD = open(short, O_WRONLY | O_CREAT, 0o600)
    _ = write(shortFD, "abc\n", 4)
    close(shortFD)
    #expect(throws: TransportError.tokenFile(path: short, reason: "the token must be at least 16 bytes")) {
      try Authenticator.load(tokenFile: short)
    }
  }
}
