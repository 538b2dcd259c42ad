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

  @Test func sha256Vectors() {
    #expect(hex(SHA256.hash(Array("abc".utf8))) == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
    #expect(hex(SHA256.hash([])) == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
    #expect(hex(SHA256.hash(Array("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq".utf8)))
      == "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1")
  }

  @Test func hmacRFC4231() {
    // Test case 1 and 2.
    #expect(hex(HMACSHA256.authenticationCode(key: [UInt8](repeating: 0x0b, count: 20), message: Array("Hi There".utf8)))
      == "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7")
    #expect(hex(HMACSHA256.authenticationCode(key: Array("Jefe".utf8), message: Array("what do ya want for nothing?".utf8)))
      == "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843")
    // Test case 6: a key longer than the block.
    #expect(hex(HMACSHA256.authenticationCode(
      key: [UInt8](repeating: 0xaa, count: 131),
      message: Array("Test Using Larger Than Block-Size Key - Hash Key First".utf8)))
      == "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54")
  }

  @Test func hmacAgreesWithSwiftCrypto() {
    var generator = SystemRandomNumberGenerator()
    for length in [0, 1, 55, 56, 63, 64, 65, 119, 120, 128, 1000] {
      for keyLength in [1, 16, 32, 64, 65, 200] {
        let key = (0..<keyLength).map { _ in UInt8.random(in: 0...255, using: &generator) }
        let message = (0..<length).map { _ in UInt8.random(in: 0...255, using: &generator) }
        let reference = Array(HMAC<Crypto.SHA256>.authenticationCode(for: message, using: SymmetricKey(data: key)))
        #expect(HMACSHA256.authenticationCode(key: key, message: message) == reference)
      }
    }
  }

  @Test func constantTimeComparison() {
    #expect(constantTimeEqual([1, 2, 3], [1, 2, 3]))
    #expect(!constantTimeEqual([1, 2, 3], [1, 2, 4]))
    #expect(!constantTimeEqual([1, 2, 3], [1, 2]))
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
