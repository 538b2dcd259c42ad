/// Why a frame could not be accepted. Every malformed, hostile or out-of-place frame ends in one
/// of these, never in a crash or an allocation larger than one frame.
public enum ProtocolError: Error, Equatable, Sendable, CustomStringConvertible {
  /// The length prefix announces more than `limit` bytes (or the decoder was fed more bytes than it
  /// may hold before its frames were taken).
  case frameTooLarge(length: UInt64, limit: Int)
  /// The frame ended in the middle of `field`.
  case truncatedField(String)
  /// The message type byte is not one this version knows.
  case unknownMessageType(UInt8)
  /// `field` was read whole but its value is not allowed.
  case invalidFieldValue(field: String, reason: String)
  /// The message was complete but `count` bytes of the frame were left over.
  case trailingBytes(count: Int, messageType: String)
  /// The peer speaks no protocol version this side does.
  case versionMismatch(local: ClosedRange<UInt16>, remote: ClosedRange<UInt16>)
  /// A well-formed message arrived where the protocol does not allow it.
  case unexpectedMessage(received: String, expected: String)

  public var description: String {
    switch self {
    case .frameTooLarge(let length, let limit):
      "frame too large: \(length) bytes (limit \(limit))"
    case .truncatedField(let field):
      "truncated frame: it ends inside field '\(field)'"
    case .unknownMessageType(let type):
      "unknown message type \(type)"
    case .invalidFieldValue(let field, let reason):
      "invalid value for field '\(field)': \(reason)"
    case .trailingBytes(let count, let messageType):
      "\(count) unexpected trailing bytes after a '\(messageType)' message"
    case .versionMismatch(let local, let remote):
      "protocol version mismatch: this side speaks \(Self.describe(local)), the peer \(Self.describe(remote))"
    case .unexpectedMessage(let received, let expected):
      "unexpected message '\(received)' (expected \(expected))"
    }
  }

  private static func describe(_ range: ClosedRange<UInt16>) -> String {
    range.lowerBound == range.upperBound
      ? "version \(range.lowerBound)" : "versions \(range.lowerBound)-\(range.upperBound)"
  }
}
