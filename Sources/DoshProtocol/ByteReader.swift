/// Reads fields of one frame's payload. Every read checks the remaining length first, and every
/// length or count is checked against what remains before anything is allocated.
public struct ByteReader {
  private let storage: ArraySlice<UInt8>
  private var position: Int

  public init(_ payload: ArraySlice<UInt8>) {
    storage = payload
    position = payload.startIndex
  }

  /// Bytes not read yet.
  public var remaining: Int { storage.endIndex - position }

  public mutating func readUInt8(_ field: String) throws(ProtocolError) -> UInt8 {
    guard remaining >= 1 else { throw .truncatedField(field) }
    defer { position += 1 }
    return storage[position]
  }

  public mutating func readBool(_ field: String) throws(ProtocolError) -> Bool {
    switch try readUInt8(field) {
    case 0: return false
    case 1: return true
    case let other: throw .invalidFieldValue(field: field, reason: "\(other) is not a boolean (0 or 1)")
    }
  }

  public mutating func readUInt16(_ field: String) throws(ProtocolError) -> UInt16 {
    guard remaining >= 2 else { throw .truncatedField(field) }
    defer { position += 2 }
    return UInt16(storage[position]) << 8 | UInt16(storage[position + 1])
  }

  public mutating func readUInt32(_ field: String) throws(ProtocolError) -> UInt32 {
    guard remaining >= 4 else { throw .truncatedField(field) }
    defer { position += 4 }
    var value: UInt32 = 0
    for index in position..<position + 4 { value = value << 8 | UInt32(storage[index]) }
    return value
  }

  public mutating func readInt32(_ field: String) throws(ProtocolError) -> Int32 {
    Int32(bitPattern: try readUInt32(field))
  }

  public mutating func readUInt64(_ field: String) throws(ProtocolError) -> UInt64 {
    let high = try readUInt32(field)
    let low = try readUInt32(field)
    return UInt64(high) << 32 | UInt64(low)
  }

  /// Exactly `count` bytes, no length prefix.
  public mutating func readFixed(_ count: Int, _ field: String) throws(ProtocolError) -> [UInt8] {
    guard count >= 0, remaining >= count else { throw .truncatedField(field) }
    defer { position += count }
    return Array(storage[position..<position + count])
  }

  /// A byte string: u32 length (at most `limit` and at most what remains), then the bytes.
  public mutating func readBytes(_ field: String, limit: Int = .max) throws(ProtocolError) -> [UInt8] {
    let length = try readUInt32(field)
    guard UInt64(length) <= UInt64(remaining) else { throw .truncatedField(field) }
    guard Int(length) <= limit else {
      throw .invalidFieldValue(field: field, reason: "\(length) bytes, at most \(limit) allowed")
    }
    return try readFixed(Int(length), field)
  }

  /// An array: u32 count, then elements. Each element takes at least `minimumElementSize` bytes,
  /// so a count that cannot fit in the rest of the frame is refused before anything is reserved.
  public mutating func readArray<Element>(
    _ field: String, minimumElementSize: Int, limit: Int = .max,
    _ readElement: (inout ByteReader) throws(ProtocolError) -> Element
  ) throws(ProtocolError) -> [Element] {
    let count = try readUInt32(field)
    let needed = UInt64(count) * UInt64(max(minimumElementSize, 1))
    guard needed <= UInt64(remaining) else { throw .truncatedField(field) }
    guard Int(count) <= limit else {
      throw .invalidFieldValue(field: field, reason: "\(count) elements, at most \(limit) allowed")
    }
    var elements: [Element] = []
    elements.reserveCapacity(Int(count))
    for _ in 0..<count { elements.append(try readElement(&self)) }
    return elements
  }

  /// An optional: 0 for none, 1 then the value.
  public mutating func readOptional<Value>(
    _ field: String, _ readValue: (inout ByteReader) throws(ProtocolError) -> Value
  ) throws(ProtocolError) -> Value? {
    try readBool(field) ? try readValue(&self) : nil
  }
}
