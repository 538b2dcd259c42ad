#if canImport(Glibc)
import Glibc
#endif
import Crypto
import DoshProtocol

/// The shared secret of tcp and vsock connections, and the challenge–response built on it.
///
/// The token never crosses the wire. The agent sends a random nonce; the shell answers
/// HMAC-SHA256(token, "dosh-auth-v1 shell" ‖ 0 ‖ agentNonce ‖ shellNonce); the agent proves
/// itself back in `welcome` with HMAC-SHA256(token, "dosh-auth-v1 agent" ‖ 0 ‖ shellNonce ‖
/// agentNonce). The role label keeps one side's proof from being replayed as the other's, and
/// each side's fresh nonce keeps old proofs from being replayed at all.
public struct Authenticator: Sendable {
  private let secret: [UInt8]

  /// The fewest bytes a token may have.
  public static let minimumTokenLength = 16
  /// The most bytes read from a token file.
  public static let maximumTokenLength = 4096

  public init(secret: [UInt8]) {
    self.secret = secret
  }

  /// Loads the token from a file that only its owner can read: refuses a file readable or
  /// writable by group or others, one owned by another user, and one that is not a regular
  /// file. Surrounding whitespace (a trailing newline) is not part of the token.
  public static func load(tokenFile path: String) throws(TransportError) -> Authenticator {
    func refuse(_ reason: String) -> TransportError { .tokenFile(path: path, reason: reason) }
    let fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK)
    guard fd >= 0 else { throw refuse(TransportError.message(for: errno)) }
    defer { close(fd) }
    var status = stat()
    guard fstat(fd, &status) == 0 else { throw refuse(TransportError.message(for: errno)) }
    guard status.st_mode & S_IFMT == S_IFREG else { throw refuse("not a regular file") }
    guard status.st_uid == geteuid() else { throw refuse("owned by another user") }
    let permissions = status.st_mode & 0o777
    guard permissions & 0o077 == 0 else {
      throw refuse("accessible by group or others (mode \(String(permissions, radix: 8))); run chmod 600 \(path)")
    }
    var contents = [UInt8](repeating: 0, count: maximumTokenLength + 1)
    var filled = 0
    while filled < contents.count {
      let n = contents.withUnsafeMutableBytes { read(fd, $0.baseAddress! + filled, $0.count - filled) }
      if n > 0 { filled += n; continue }
      if n == 0 { break }
      if errno == EINTR { continue }
      throw refuse(TransportError.message(for: errno))
    }
    guard filled <= maximumTokenLength else { throw refuse("longer than \(maximumTokenLength) bytes") }
    let isSpace: (UInt8) -> Bool = { $0 == 0x20 || $0 == 0x09 || $0 == 0x0A || $0 == 0x0D }
    var token = Array(contents[..<filled])
    while let last = token.last, isSpace(last) { token.removeLast() }
    while let first = token.first, isSpace(first) { token.removeFirst() }
    guard token.count >= minimumTokenLength else {
      throw refuse("the token must be at least \(minimumTokenLength) bytes")
    }
    return Authenticator(secret: token)
  }

  /// A fresh 32-byte nonce from the system's random number generator (getrandom(2)).
  public static func makeNonce() -> [UInt8] {
    var generator = SystemRandomNumberGenerator()
    var nonce: [UInt8] = []
    nonce.reserveCapacity(ProtocolLimits.nonceSize)
    while nonce.count < ProtocolLimits.nonceSize {
      var word = generator.next()
      for _ in 0..<8 {
        nonce.append(UInt8(truncatingIfNeeded: word))
        word >>= 8
      }
    }
    return nonce
  }

  /// The proof `role` sends: the shell answers the agent's challenge, the agent answers in
  /// `welcome`.
  public func proof(by role: PeerRole, agentNonce: [UInt8], shellNonce: [UInt8]) -> [UInt8] {
    var context = Array((role == .shell ? "dosh-auth-v1 shell" : "dosh-auth-v1 agent").utf8)
    context.append(0)
    if role == .shell {
      context += agentNonce + shellNonce
    } else {
      context += shellNonce + agentNonce
    }
    return Array(HMAC<SHA256>.authenticationCode(for: context, using: SymmetricKey(data: secret)))
  }

  /// Checks a received proof in constant time.
  public func verify(
    _ proof: [UInt8], by role: PeerRole, agentNonce: [UInt8], shellNonce: [UInt8]
  ) -> Bool {
    var context = Array((role == .shell ? "dosh-auth-v1 shell" : "dosh-auth-v1 agent").utf8)
    context.append(0)
    context += role == .shell ? agentNonce + shellNonce : shellNonce + agentNonce
    // swift-crypto compares in constant time.
    return HMAC<SHA256>.isValidAuthenticationCode(proof, authenticating: context, using: SymmetricKey(data: secret))
  }
}
