/// A LineSource over a string in memory.
public struct StringLineSource: LineSource {
    private let bytes: [UInt8]
    private var offset = 0

    public init(_ text: String) { bytes = Array(text.utf8) }

    public mutating func nextLine(continuation: Bool) -> String? {
        guard offset < bytes.count else { return nil }
        var end = offset
        while end < bytes.count, bytes[end] != UInt8(ascii: "\n") { end += 1 }
        if end < bytes.count { end += 1 }
        defer { offset = end }
        return String(decoding: bytes[offset..<end], as: UTF8.self)
    }
}
