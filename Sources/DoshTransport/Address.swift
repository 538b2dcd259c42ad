#if canImport(Glibc)
import Glibc
#endif

/// Where an agent listens and a shell connects: `unix:/path`, `tcp:HOST:PORT`, `vsock:CID:PORT`,
/// `local` (a private shadow over a socketpair) or `none` (no host).
public enum Address: Equatable, Hashable, Sendable, CustomStringConvertible {
  case unix(path: String)
  /// `host` is a numeric IPv4 or IPv6 address (`localhost` is stored as 127.0.0.1).
  case tcp(host: String, port: UInt16)
  case vsock(cid: UInt32, port: UInt32)
  case local
  case none

  /// VMADDR_CID_ANY: listen on every cid.
  public static let vsockAnyCID: UInt32 = 0xFFFF_FFFF
  /// VMADDR_CID_HOST: the hypervisor host, as seen from a VM.
  public static let vsockHostCID: UInt32 = 2
  /// The longest unix socket path (sun_path holds 108 bytes with the NUL).
  public static let maximumUnixPathLength = 107

  /// Parses the textual form. Errors read `invalid address 'TEXT': WHY`.
  public init(parsing text: String) throws(TransportError) {
    func invalid(_ reason: String) -> TransportError { .invalidAddress(text, reason: reason) }
    if text == "local" { self = .local; return }
    if text == "none" { self = .none; return }
    guard let colon = text.firstIndex(of: ":") else {
      throw invalid("expected unix:PATH, tcp:HOST:PORT, vsock:CID:PORT, local or none")
    }
    let scheme = text[..<colon]
    let rest = String(text[text.index(after: colon)...])
    switch scheme {
    case "unix":
      guard !rest.isEmpty else { throw invalid("empty socket path") }
      guard !rest.utf8.contains(0) else { throw invalid("the path contains a NUL byte") }
      guard rest.utf8.count <= Address.maximumUnixPathLength else {
        throw invalid("socket path longer than \(Address.maximumUnixPathLength) bytes")
      }
      self = .unix(path: rest)
    case "tcp":
      guard let portColon = rest.lastIndex(of: ":") else { throw invalid("expected tcp:HOST:PORT") }
      let hostText = String(rest[..<portColon])
      guard let port = UInt16(rest[rest.index(after: portColon)...]) else {
        throw invalid("the port must be a number from 0 to 65535")
      }
      self = .tcp(host: try Address.numericHost(hostText, invalid), port: port)
    case "vsock":
      guard let portColon = rest.lastIndex(of: ":") else { throw invalid("expected vsock:CID:PORT") }
      let cidText = rest[..<portColon]
      let cid: UInt32
      switch cidText {
      case "any": cid = Address.vsockAnyCID
      case "host": cid = Address.vsockHostCID
      default:
        guard let number = UInt32(cidText) else {
          throw invalid("the cid must be a number, 'host' or 'any'")
        }
        cid = number
      }
      guard let port = UInt32(rest[rest.index(after: portColon)...]) else {
        throw invalid("the port must be a number from 0 to 4294967295")
      }
      self = .vsock(cid: cid, port: port)
    default:
      throw invalid("unknown transport '\(scheme)' (expected unix, tcp, vsock, local or none)")
    }
  }

  private static func numericHost(
    _ text: String, _ invalid: (String) -> TransportError
  ) throws(TransportError) -> String {
    if text == "localhost" { return "127.0.0.1" }
    if text.hasPrefix("[") {
      guard text.hasSuffix("]"), text.count > 2 else { throw invalid("unclosed '[' in IPv6 address") }
      let inner = String(text.dropFirst().dropLast())
      var address = in6_addr()
      guard inet_pton(AF_INET6, inner, &address) == 1 else {
        throw invalid("'\(inner)' is not an IPv6 address")
      }
      return inner
    }
    if text.isEmpty { throw invalid("missing host") }
    var address = in_addr()
    guard inet_pton(AF_INET, text, &address) == 1 else {
      if text.contains(":") { throw invalid("write IPv6 addresses in brackets: tcp:[::1]:PORT") }
      throw invalid("'\(text)' is not an IPv4 address (host names other than localhost are not resolved)")
    }
    return text
  }

  public var description: String {
    switch self {
    case .unix(let path): "unix:\(path)"
    case .tcp(let host, let port): host.contains(":") ? "tcp:[\(host)]:\(port)" : "tcp:\(host):\(port)"
    case .vsock(let cid, let port): "vsock:\(cid):\(port)"
    case .local: "local"
    case .none: "none"
    }
  }

  /// Whether a tcp address is a loopback one (127.0.0.0/8 or ::1). Other kinds: false.
  public var isLoopback: Bool {
    guard case .tcp(let host, _) = self else { return false }
    if host.contains(":") {
      var address = in6_addr()
      guard inet_pton(AF_INET6, host, &address) == 1 else { return false }
      return withUnsafeBytes(of: &address) { $0.elementsEqual([UInt8](repeating: 0, count: 15) + [1]) }
    }
    var address = in_addr()
    guard inet_pton(AF_INET, host, &address) == 1 else { return false }
    return withUnsafeBytes(of: &address) { $0.first == 127 }
  }

  /// Whether connecting needs the shared-token challenge (tcp and vsock).
  public var requiresToken: Bool {
    switch self {
    case .tcp, .vsock: true
    default: false
    }
  }
}

/// The agent's usual socket: `$XDG_RUNTIME_DIR/dosh/doshd.sock`, or `/tmp/dosh-UID/doshd.sock`
/// when XDG_RUNTIME_DIR is unset or empty.
public func defaultAgentSocketPath(
  runtimeDirectory: String? = getenv("XDG_RUNTIME_DIR").map { String(cString: $0) },
  userID: uid_t = getuid()
) -> String {
  if let runtimeDirectory, !runtimeDirectory.isEmpty {
    return "\(runtimeDirectory)/dosh/doshd.sock"
  }
  return "/tmp/dosh-\(userID)/doshd.sock"
}
