/// A single-use secret naming one data stream: the shadow issues it, the shell presents it as the
/// first frame of a new connection (`attachStream`), and from then on that connection carries the
/// stream's raw bytes.
public struct StreamToken: Hashable, Sendable, CustomStringConvertible {
  /// Exactly `ProtocolLimits.streamTokenSize` (16) bytes.
  public let bytes: [UInt8]

  /// Wraps 16 bytes; nil for any other length.
  public init?(bytes: some Collection<UInt8>) {
    guard bytes.count == ProtocolLimits.streamTokenSize else { return nil }
    self.bytes = Array(bytes)
  }

  /// A fresh token from the system's random number generator (getrandom(2)).
  public static func random() -> StreamToken {
    var generator = SystemRandomNumberGenerator()
    return random(using: &generator)
  }

  public static func random(using generator: inout some RandomNumberGenerator) -> StreamToken {
    var bytes: [UInt8] = []
    bytes.reserveCapacity(ProtocolLimits.streamTokenSize)
    for _ in 0..<ProtocolLimits.streamTokenSize / 8 {
      var word = generator.next()
      for _ in 0..<8 {
        bytes.append(UInt8(truncatingIfNeeded: word))
        word >>= 8
      }
    }
    return StreamToken(bytes: bytes)!
  }

  /// A fresh token that the agent routes to session `route` (the issuing shadow's pid): the
  /// route is its first 4 bytes (big-endian), the other 12 (96 bits) come from the system's
  /// random number generator. Only the issuing shadow accepts it; the route is no secret.
  public static func random(route: UInt32) -> StreamToken {
    var bytes = random().bytes
    bytes[0] = UInt8(truncatingIfNeeded: route >> 24)
    bytes[1] = UInt8(truncatingIfNeeded: route >> 16)
    bytes[2] = UInt8(truncatingIfNeeded: route >> 8)
    bytes[3] = UInt8(truncatingIfNeeded: route)
    return StreamToken(bytes: bytes)!
  }

  /// The session the agent hands a connection attached with this token to.
  public var route: UInt32 {
    bytes[0..<4].reduce(0) { $0 << 8 | UInt32($1) }
  }

  /// Hexadecimal, for logs of the side that issued it.
  public var description: String {
    let digits = Array("0123456789abcdef".utf8)
    var text: [UInt8] = []
    for byte in bytes {
      text.append(digits[Int(byte >> 4)])
      text.append(digits[Int(byte & 0xF)])
    }
    return String(decoding: text, as: UTF8.self)
  }
}

/// Which way a stream's bytes flow. The socket itself is bidirectional; the direction tells the
/// shadow which half it closes and which end of a host file or process it connects.
public enum StreamDirection: UInt8, Sendable, CaseIterable {
  /// Guest writes, host reads (`a | !b`: the host process's stdin).
  case guestToHost = 1
  /// Host writes, guest reads (`!a | b`: the host process's stdout).
  case hostToGuest = 2
  /// Both ways (a terminal relay).
  case both = 3
}
