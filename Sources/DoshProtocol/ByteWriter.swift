/// Appends fields in the wire encoding: big-endian integers, u32-length byte strings, u32-count
/// arrays, 0/1 optionals.
public struct ByteWriter: Sendable {
  public private(set) var bytes: [UInt8]

  public init(reservingCapacity capacity: Int = 64) {
    bytes = []
    bytes.reserveCapacity(capacity)
  }

  public mutating func write(_ value: UInt8) { bytes.append(value) }
  public mutating func write(_ value: Bool) { bytes.append(value ? 1 : 0) }
  public mutating func write(_ value: UInt16) {
    bytes.append(UInt8(truncatingIfNeeded: value >> 8))
    bytes.append(UInt8(truncatingIfNeeded: value))
  }
  public mutating func write(_ value: UInt32) {
    for shift in stride(from: 24, through: 0, by: -8) {
      bytes.append(UInt8(truncatingIfNeeded: value >> UInt32(shift)))
    }
  }
  public mutating func write(_ value: Int32) { write(UInt32(bitPattern: value)) }
  public mutating func write(_ value: UInt64) {
    write(UInt32(truncatingIfNeeded: value >> 32))
    write(UInt32(truncatingIfNeeded: value))
  }

  /// A byte string: u32 length, then the bytes.
  public mutating func writeBytes(_ value: some Collection<UInt8>) {
    write(UInt32(truncatingIfNeeded: value.count))
    bytes.append(contentsOf: value)
  }
  /// Bytes with a length fixed by the protocol (tokens, nonces): no prefix.
  public mutating func writeFixed(_ value: some Collection<UInt8>) {
    bytes.append(contentsOf: value)
  }
  /// An array: u32 count, then each element.
  public mutating func writeArray<Element>(
    _ values: [Element], _ writeElement: (inout ByteWriter, Element) -> Void
  ) {
    write(UInt32(truncatingIfNeeded: values.count))
    for value in values { writeElement(&self, value) }
  }
  /// An optional: 0, or 1 then the value.
  public mutating func writeOptional<Value>(
    _ value: Value?, _ writeValue: (inout ByteWriter, Value) -> Void
  ) {
    if let value {
      write(UInt8(1))
      writeValue(&self, value)
    } else {
      write(UInt8(0))
    }
  }

  /// Overwrites four bytes at `offset` with `value` (used for the length prefix).
  mutating func patch(_ value: UInt32, at offset: Int) {
    bytes[offset] = UInt8(truncatingIfNeeded: value >> 24)
    bytes[offset + 1] = UInt8(truncatingIfNeeded: value >> 16)
    bytes[offset + 2] = UInt8(truncatingIfNeeded: value >> 8)
    bytes[offset + 3] = UInt8(truncatingIfNeeded: value)
  }
}
