#if canImport(Glibc)
import Glibc
#endif
import DoshProtocol

/// Why connecting, listening, sending, receiving or authenticating failed. `description` is one
/// line without the `dosh: ` prefix (the caller adds its own).
public enum TransportError: Error, Equatable, Sendable, CustomStringConvertible {
  /// A system call failed: `operation` names what was attempted ("connect unix:/run/x.sock").
  case system(operation: String, errno: Int32)
  case invalidAddress(String, reason: String)
  /// A live agent already answers on this unix socket.
  case addressInUse(String)
  /// Something that is not a socket sits where the socket should be.
  case notASocket(String)
  /// A tcp listener on a non-loopback address without `allowRemote`.
  case remoteNotAllowed(String)
  case timedOut(operation: String)
  /// The peer closed the connection (in the middle of a frame when `midFrame`).
  case connectionClosed(midFrame: Bool)
  case protocolViolation(ProtocolError)
  /// The peer said `refused(reason)`.
  case refused(String)
  case tokenFile(path: String, reason: String)
  case authenticationFailed(String)
  /// A listening fd handed over by the service manager is unusable.
  case invalidInheritedSocket(String)

  public var description: String {
    switch self {
    case .system(let operation, let errno):
      "\(operation): \(TransportError.message(for: errno))"
    case .invalidAddress(let text, let reason):
      "invalid address '\(text)': \(reason)"
    case .addressInUse(let path):
      "\(path): an agent is already listening there"
    case .notASocket(let path):
      "\(path): exists and is not a socket; not replacing it"
    case .remoteNotAllowed(let address):
      "\(address): refusing to listen on a non-loopback address without --allow-remote"
    case .timedOut(let operation):
      "\(operation): timed out"
    case .connectionClosed(let midFrame):
      midFrame ? "connection closed in the middle of a frame" : "connection closed by peer"
    case .protocolViolation(let error):
      "protocol error: \(error)"
    case .refused(let reason):
      "permission denied (\(reason))"
    case .tokenFile(let path, let reason):
      "token file \(path): \(reason)"
    case .authenticationFailed(let reason):
      "permission denied (\(reason))"
    case .invalidInheritedSocket(let reason):
      "inherited socket: \(reason)"
    }
  }

  /// strerror's text for an errno value.
  public static func message(for errno: Int32) -> String {
    guard let text = strerror(errno) else { return "error \(errno)" }
    return String(cString: text)
  }
}
