/// The framing of the single-channel mode (docs/protocol.md, *Single channel*): every connection
/// a session makes (its control connection, each data connection) is a numbered stream inside
/// one byte channel, such as ssh's standard input and output or a serial port.
///
/// A frame is `type` (1 byte), `stream` (4 bytes, big-endian), `length` (4 bytes, big-endian)
/// and `length` bytes of payload. Each side first writes `ChannelFrame.greeting`, so a channel
/// that carries something else (a login banner, a shell's error) is told apart at once.
public enum ChannelFrame: Equatable, Sendable {
  /// The shell side opens a stream (a new connection to the agent).
  case open(stream: UInt32)
  /// Bytes of a stream, at most `maximumPayload`, never more than the peer's window allows.
  case data(stream: UInt32, bytes: [UInt8])
  /// The receiver wrote `credit` more bytes of the stream on: the sender may send that many more.
  case window(stream: UInt32, credit: UInt32)
  /// No more bytes this way (a half close: the other way goes on).
  case end(stream: UInt32)
  /// The stream is gone on the sender's side (its socket failed or was closed outright):
  /// what is still queued toward it is dropped, as a socket's peer would see a reset.
  case reset(stream: UInt32)

  public static let greeting: [UInt8] = Array("DOSH-CHANNEL 1\n".utf8)
  public static let maximumPayload = 64 * 1024
  /// Bytes a sender may have in flight per stream before the receiver grants more.
  public static let initialWindow = 1024 * 1024
  static let headerSize = 9

  var type: UInt8 {
    switch self {
    case .open: 1
    case .data: 2
    case .window: 3
    case .end: 4
    case .reset: 5
    }
  }

  public var stream: UInt32 {
    switch self {
    case .open(let stream), .data(let stream, _), .window(let stream, _), .end(let stream), .reset(let stream): stream
    }
  }

  /// Appends the frame's bytes to `output`.
  public func encode(into output: inout [UInt8]) {
    var payload: [UInt8] = []
    switch self {
    case .data(_, let bytes): payload = bytes
    case .window(_, let credit): payload = ChannelFrame.bigEndian(credit)
    default: break
    }
    output.append(type)
    output += ChannelFrame.bigEndian(stream)
    output += ChannelFrame.bigEndian(UInt32(payload.count))
    output += payload
  }

  static func bigEndian(_ value: UInt32) -> [UInt8] {
    [UInt8(value >> 24), UInt8(value >> 16 & 0xFF), UInt8(value >> 8 & 0xFF), UInt8(value & 0xFF)]
  }
}

/// Why a channel's bytes are not frames of this protocol.
public struct ChannelFrameError: Error, Equatable, Sendable, CustomStringConvertible {
  public var description: String
}

/// Cuts the bytes read from a channel into frames, checking each: a peer that sends garbage
/// gets an error, never a crash or an unbounded buffer.
public struct ChannelFrameDecoder: Sendable {
  private var buffer: [UInt8] = []
  private var start = 0
  private var greeted = false
  /// Whether the peer's greeting has come: the far side speaks dosh.
  public var hasGreeted: Bool { greeted }

  public init() {}

  public mutating func feed(_ bytes: some Collection<UInt8>) {
    if start > 0 && start == buffer.count {
      buffer.removeAll(keepingCapacity: true)
      start = 0
    }
    buffer += bytes
  }

  /// The next complete frame, or nil until more bytes come.
  public mutating func next() throws(ChannelFrameError) -> ChannelFrame? {
    if !greeted {
      let greeting = ChannelFrame.greeting
      let available = buffer.count - start
      let compared = min(available, greeting.count)
      guard buffer[start..<start + compared].elementsEqual(greeting[0..<compared]) else {
        throw ChannelFrameError(description: "the channel does not speak dosh (it said \(quoted(buffer[start...].prefix(40))))")
      }
      guard available >= greeting.count else { return nil }
      start += greeting.count
      greeted = true
    }
    guard buffer.count - start >= ChannelFrame.headerSize else { return nil }
    let type = buffer[start]
    let stream = readUInt32(at: start + 1)
    let length = Int(readUInt32(at: start + 5))
    guard (1...5).contains(type) else { throw ChannelFrameError(description: "unknown channel frame type \(type)") }
    guard length <= ChannelFrame.maximumPayload else {
      throw ChannelFrameError(description: "a channel frame of \(length) bytes (at most \(ChannelFrame.maximumPayload))")
    }
    let expected: Int? = switch type {
    case 2: nil
    case 3: 4
    default: 0
    }
    if let expected, length != expected {
      throw ChannelFrameError(description: "a channel frame of type \(type) with \(length) bytes of payload")
    }
    guard buffer.count - start >= ChannelFrame.headerSize + length else { return nil }
    let payloadStart = start + ChannelFrame.headerSize
    let payload = buffer[payloadStart..<payloadStart + length]
    let frame: ChannelFrame = switch type {
    case 1: .open(stream: stream)
    case 2: .data(stream: stream, bytes: Array(payload))
    case 3: .window(stream: stream, credit: payload.reduce(0) { $0 << 8 | UInt32($1) })
    case 4: .end(stream: stream)
    default: .reset(stream: stream)
    }
    start = payloadStart + length
    // Consumed bytes are dropped now and then, not per frame.
    if start > 1 << 20 {
      buffer.removeFirst(start)
      start = 0
    }
    return frame
  }

  private func readUInt32(at index: Int) -> UInt32 {
    buffer[index..<index + 4].reduce(0) { $0 << 8 | UInt32($1) }
  }

  private func quoted(_ bytes: some Collection<UInt8>) -> String {
    var text = "'"
    for byte in bytes {
      if byte >= 0x20 && byte < 0x7F && byte != 0x27 { text.append(Character(Unicode.Scalar(byte))) } else if byte == 0x0A {
        text += "\\n"
      } else {
        text += "\\x" + String(byte, radix: 16)
      }
    }
    return text + "'"
  }
}
