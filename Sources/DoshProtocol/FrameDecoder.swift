/// Cuts a byte stream into messages. Feed it whatever read(2) returned, then take messages until
/// it returns nil.
///
/// It never buffers more than one largest frame (`capacity`): read at most `availableCapacity`
/// bytes at a time. A length prefix above the limit is refused as soon as its 4 bytes arrive,
/// before anything is allocated for the frame.
public struct FrameDecoder: Sendable {
  /// The most bytes this decoder holds at once: one largest frame with its length prefix.
  public let capacity: Int
  public let maximumPayloadSize: Int

  private var buffer: [UInt8] = []
  private var start = 0
  private var failure: ProtocolError?

  public init(maximumPayloadSize: Int = ProtocolLimits.maximumPayloadSize) {
    self.maximumPayloadSize = maximumPayloadSize
    capacity = maximumPayloadSize + ProtocolLimits.lengthPrefixSize
  }

  /// Bytes received but not yet taken as messages.
  public var bufferedByteCount: Int { buffer.count - start }

  /// How many more bytes `append` accepts now.
  public var availableCapacity: Int { capacity - bufferedByteCount }

  /// Whether the buffered bytes end exactly between frames (EOF now is a clean close).
  public var isAtFrameBoundary: Bool { bufferedByteCount == 0 }

  /// Adds received bytes. Appending more than `availableCapacity` puts the decoder in a failed
  /// state: the next `nextMessage()` throws `frameTooLarge`.
  public mutating func append(_ bytes: some Collection<UInt8>) {
    guard failure == nil else { return }
    guard bytes.count <= availableCapacity else {
      failure = .frameTooLarge(length: UInt64(bufferedByteCount) + UInt64(bytes.count), limit: capacity)
      buffer = []
      start = 0
      return
    }
    if start > 0, start >= buffer.count / 2 {
      buffer.removeFirst(start)
      start = 0
    }
    buffer.append(contentsOf: bytes)
  }

  /// The next complete message, or nil when more bytes are needed. After an error the decoder
  /// stays failed (the stream cannot be resynchronised): close the connection.
  public mutating func nextMessage() throws(ProtocolError) -> Message? {
    if let failure { throw failure }
    do {
      guard let payload = try nextPayload() else { return nil }
      return try Message.decode(payload: payload)
    } catch {
      failure = error
      buffer = []
      start = 0
      throw error
    }
  }

  /// The next complete payload, undecoded.
  private mutating func nextPayload() throws(ProtocolError) -> ArraySlice<UInt8>? {
    guard bufferedByteCount >= ProtocolLimits.lengthPrefixSize else { return nil }
    let length = FrameDecoder.readLength(buffer[start..<start + ProtocolLimits.lengthPrefixSize])
    guard length <= UInt32(maximumPayloadSize) else {
      throw .frameTooLarge(length: UInt64(length), limit: maximumPayloadSize)
    }
    let frameEnd = start + ProtocolLimits.lengthPrefixSize + Int(length)
    guard buffer.count >= frameEnd else { return nil }
    let payload = buffer[start + ProtocolLimits.lengthPrefixSize..<frameEnd]
    start = frameEnd
    if start == buffer.count {
      // Keep the storage for the next frame, but let go of a payload we no longer need.
      defer {
        buffer.removeAll(keepingCapacity: buffer.capacity <= 64 * 1024)
        start = 0
      }
      return ArraySlice(Array(payload))
    }
    return payload
  }

  /// The payload length announced by a 4-byte big-endian prefix.
  public static func readLength(_ prefix: some Collection<UInt8>) -> UInt32 {
    prefix.reduce(0) { $0 << 8 | UInt32($1) }
  }
}
