/// dosh's history file: one record per line, so that shells can append to it concurrently.
///
/// A record is an entry with each backslash doubled and each newline written as `\n`; any other
/// byte stands for itself. libedit's own H_SAVE format cannot be appended to.
enum HistoryFileFormat {
    /// The record for `entry`, with its final newline.
    static func record(for entry: String) -> [UInt8] {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(entry.utf8.count + 1)
        for byte in entry.utf8 {
            switch byte {
            case UInt8(ascii: "\\"): bytes += [UInt8(ascii: "\\"), UInt8(ascii: "\\")]
            case UInt8(ascii: "\n"): bytes += [UInt8(ascii: "\\"), UInt8(ascii: "n")]
            default: bytes.append(byte)
            }
        }
        bytes.append(UInt8(ascii: "\n"))
        return bytes
    }

    /// The entry a record (without its newline) stands for. Unknown escapes are kept as written.
    static func entry(fromRecord record: some Collection<UInt8>) -> String {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(record.count)
        var escaped = false
        for byte in record {
            if escaped {
                switch byte {
                case UInt8(ascii: "n"): bytes.append(UInt8(ascii: "\n"))
                case UInt8(ascii: "\\"): bytes.append(UInt8(ascii: "\\"))
                default: bytes += [UInt8(ascii: "\\"), byte]
                }
                escaped = false
            } else if byte == UInt8(ascii: "\\") {
                escaped = true
            } else {
                bytes.append(byte)
            }
        }
        if escaped { bytes.append(UInt8(ascii: "\\")) }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// The entries in a file's contents, oldest first. A last line without its newline counts
    /// (a file edited by hand); empty lines are skipped.
    static func entries(inFile contents: [UInt8]) -> [String] {
        contents.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: true)
            .map { entry(fromRecord: $0) }
    }
}
