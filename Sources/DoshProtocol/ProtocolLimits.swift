/// Fixed numbers of the wire protocol. Both programs must agree on them; see docs/protocol.md.
public enum ProtocolLimits {
  /// The largest payload (type + request id + fields) of one frame: 1 MiB.
  public static let maximumPayloadSize = 1 << 20
  /// Bytes of the big-endian length prefix.
  public static let lengthPrefixSize = 4
  /// Bytes of message type plus request id at the start of every payload.
  public static let payloadHeaderSize = 5
  /// Bytes of a stream token.
  public static let streamTokenSize = 16
  /// Bytes of an authentication nonce.
  public static let nonceSize = 32
  /// Bytes of an HMAC-SHA256 proof.
  public static let proofSize = 32
  /// Most processes in one host job.
  public static let maximumProcessesPerJob = 1024
  /// Most streams one `openStreams` request may ask for.
  public static let maximumStreamsPerRequest = 64
  /// Most descriptors passed with one frame (SCM_RIGHTS over unix connections).
  public static let maximumPassedDescriptors = 64
  /// Most bytes of `runJob`'s `messagePrefix`.
  public static let maximumMessagePrefixSize = 256
  /// Most bytes of a `struct termios` sent in `openTerminal`.
  public static let maximumTermiosSize = 256
  /// Seconds a stream token stays valid after it was issued if nobody attaches with it.
  public static let streamTokenLifetimeSeconds = 30
}

/// The protocol versions this build speaks.
public enum ProtocolVersion {
  public static let current: UInt16 = 1
  public static let supported: ClosedRange<UInt16> = 1...1

  /// The highest version both sides speak.
  public static func negotiate(
    local: ClosedRange<UInt16> = supported, remote: ClosedRange<UInt16>
  ) throws(ProtocolError) -> UInt16 {
    let low = max(local.lowerBound, remote.lowerBound)
    let high = min(local.upperBound, remote.upperBound)
    guard low <= high else { throw .versionMismatch(local: local, remote: remote) }
    return high
  }
}
