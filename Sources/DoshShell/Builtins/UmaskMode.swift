/// Why a `umask` argument was rejected.
public struct UmaskError: Error, Equatable, Sendable {
    /// The reason, without the command name, e.g. `8: octal number out of range`.
    public var message: String

    public init(_ message: String) {
        self.message = message
    }
}

/// The file-creation mask as `umask` reads and prints it (bash behaviour).
///
/// A symbolic mode names the permissions *allowed* (`u=rwx,g=rx,o=`), so it edits the
/// complement of the mask: `g-w` adds group write to the mask, `a+r` removes read from it.
/// Each comma-separated clause is `[ugoa]*[+-=][rwx]*`; a clause without `ugoa` applies to all.
public enum UmaskMode {
    /// Parses an octal mask (`022`) or a symbolic mode (`u=rwx,g=rx,o=`, `g-w`, `a+r`) relative
    /// to the current mask; nil if invalid.
    public static func parse(_ text: String, current: UInt32) -> UInt32? {
        try? mask(from: text, current: current)
    }

    /// Like `parse`, with the reason when the text is invalid.
    public static func mask(from text: String, current: UInt32) throws(UmaskError) -> UInt32 {
        let bytes = Array(text.utf8)
        if let first = bytes.first, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(first) {
            return try octalMask(bytes, text: text)
        }
        return try symbolicMask(bytes, current: current)
    }

    /// `0022`: four octal digits, as bash prints it.
    public static func octal(_ mask: UInt32) -> String {
        let digits = String(mask & 0o7777, radix: 8)
        return String(repeating: "0", count: max(0, 4 - digits.count)) + digits
    }

    /// `u=rwx,g=rx,o=rx`: the permissions the mask allows (for `umask -S`).
    public static func symbolic(_ mask: UInt32) -> String {
        let allowed = ~mask & 0o777
        return [("u", UInt32(6)), ("g", 3), ("o", 0)].map { who, shift in
            let bits = (allowed >> shift) & 7
            var text = who + "="
            if bits & 4 != 0 { text += "r" }
            if bits & 2 != 0 { text += "w" }
            if bits & 1 != 0 { text += "x" }
            return text
        }.joined(separator: ",")
    }

    private static func octalMask(_ bytes: [UInt8], text: String) throws(UmaskError) -> UInt32 {
        var value: UInt32 = 0
        for byte in bytes {
            guard (UInt8(ascii: "0")...UInt8(ascii: "7")).contains(byte) else {
                throw UmaskError("\(text): octal number out of range")
            }
            value = value * 8 + UInt32(byte - UInt8(ascii: "0"))
            guard value <= 0o7777 else { throw UmaskError("\(text): octal number out of range") }
        }
        return value & 0o777
    }

    private static func symbolicMask(_ bytes: [UInt8], current: UInt32) throws(UmaskError)
        -> UInt32
    {
        var allowed = ~current & 0o777
        var index = 0
        repeat {
            var who: UInt32 = 0
            scanWho: while index < bytes.count {
                switch bytes[index] {
                case UInt8(ascii: "u"): who |= 0o700
                case UInt8(ascii: "g"): who |= 0o070
                case UInt8(ascii: "o"): who |= 0o007
                case UInt8(ascii: "a"): who |= 0o777
                default: break scanWho
                }
                index += 1
            }
            if who == 0 { who = 0o777 }

            let op = index < bytes.count ? bytes[index] : UInt8(ascii: " ")
            guard op == UInt8(ascii: "+") || op == UInt8(ascii: "-") || op == UInt8(ascii: "=")
            else {
                throw UmaskError("`\(character(op))': invalid symbolic mode operator")
            }
            index += 1

            var permissions: UInt32 = 0
            scanPermissions: while index < bytes.count {
                switch bytes[index] {
                case UInt8(ascii: "r"): permissions |= 0o444
                case UInt8(ascii: "w"): permissions |= 0o222
                case UInt8(ascii: "x"): permissions |= 0o111
                case UInt8(ascii: ","): break scanPermissions
                default:
                    throw UmaskError("`\(character(bytes[index]))': invalid symbolic mode character")
                }
                index += 1
            }
            let bits = permissions & who
            switch op {
            case UInt8(ascii: "+"): allowed |= bits
            case UInt8(ascii: "-"): allowed &= ~bits
            default: allowed = (allowed & ~who) | bits
            }
            // Step over the comma; a trailing comma leaves an empty clause, which is invalid.
            if index < bytes.count { index += 1 } else { break }
        } while true
        return ~allowed & 0o777
    }

    private static func character(_ byte: UInt8) -> String {
        byte < 0x80 ? String(UnicodeScalar(byte)) : String(decoding: [byte], as: UTF8.self)
    }
}
