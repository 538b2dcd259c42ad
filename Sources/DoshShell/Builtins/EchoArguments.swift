/// The `echo` builtin's rendering, as bash does it.
///
/// Leading words made only of the letters `n`, `e` and `E` after a `-` are options: `-n` drops the
/// trailing newline, `-e` turns on backslash escapes, `-E` turns them off again (the default).
/// The first word that is not such an option ends option parsing; `--` is printed like any word.
public enum EchoArguments {
    /// The bytes `echo` writes for `arguments` (the words after `echo`).
    public static func render(_ arguments: [String]) -> [UInt8] {
        var trailingNewline = true
        var interpretsEscapes = false
        var first = 0
        while first < arguments.count, let letters = optionLetters(arguments[first]) {
            for letter in letters {
                switch letter {
                case UInt8(ascii: "n"): trailingNewline = false
                case UInt8(ascii: "e"): interpretsEscapes = true
                default: interpretsEscapes = false
                }
            }
            first += 1
        }

        var output: [UInt8] = []
        for (position, argument) in arguments[first...].enumerated() {
            if position > 0 { output.append(UInt8(ascii: " ")) }
            let bytes = Array(argument.utf8)
            guard interpretsEscapes else {
                output.append(contentsOf: bytes)
                continue
            }
            var index = 0
            while index < bytes.count {
                guard bytes[index] == UInt8(ascii: "\\") else {
                    output.append(bytes[index])
                    index += 1
                    continue
                }
                let step = BackslashEscapes.decode(bytes, at: index, dialect: .echo, into: &output)
                // `\c` ends all output, the newline included.
                if step.stopsOutput { return output }
                index = step.next
            }
        }
        if trailingNewline { output.append(UInt8(ascii: "\n")) }
        return output
    }

    /// The option letters of `word` if it is an option word (`-n`, `-eE`, …), else nil.
    private static func optionLetters(_ word: String) -> ArraySlice<UInt8>? {
        let bytes = Array(word.utf8)
        guard bytes.count >= 2, bytes[0] == UInt8(ascii: "-") else { return nil }
        let letters = bytes[1...]
        let allowed: Set<UInt8> = [UInt8(ascii: "n"), UInt8(ascii: "e"), UInt8(ascii: "E")]
        return letters.allSatisfy(allowed.contains) ? letters : nil
    }
}

/// Backslash escape sequences as `echo -e`, printf formats and printf's `%b` read them.
///
/// The three dialects differ only in small ways, all copied from bash: which octal forms are
/// accepted, whether `\c` stops output, and whether `\'`, `\"` and `\?` are escapes.
enum BackslashEscapes {
    enum Dialect {
        /// A printf format: `\NNN` (1–3 octal digits), `\'`, `\"`, `\?`; `\c` is not an escape.
        case printfFormat
        /// A `%b` argument: `\0NNN` or `\NNN`; `\c` stops all output.
        case printfArgument
        /// `echo -e`: only `\0NNN` is octal; `\c` stops all output.
        case echo
    }

    struct Step: Equatable {
        /// Index just after the escape sequence.
        var next: Int
        /// True for `\c` where it ends output.
        var stopsOutput: Bool = false
        /// A diagnostic (without the command name), e.g. for `\x` without digits.
        var error: String? = nil
    }

    /// Decodes the escape that starts with the backslash at `bytes[index]` and appends its bytes.
    static func decode(_ bytes: [UInt8], at index: Int, dialect: Dialect, into output: inout [UInt8])
        -> Step
    {
        let backslash = UInt8(ascii: "\\")
        let letterIndex = index + 1
        guard letterIndex < bytes.count else {
            output.append(backslash)
            return Step(next: letterIndex)
        }
        let letter = bytes[letterIndex]
        let afterLetter = letterIndex + 1
        // Not an escape: the backslash stands for itself and the next byte is read afresh
        // (in a printf format, `\%d` is a backslash and a conversion).
        func literal() -> Step {
            output.append(backslash)
            return Step(next: letterIndex)
        }
        func single(_ byte: UInt8) -> Step {
            output.append(byte)
            return Step(next: afterLetter)
        }
        func missingDigits(_ message: String) -> Step {
            var step = literal()
            if dialect != .echo { step.error = message }
            return step
        }

        switch letter {
        case UInt8(ascii: "a"): return single(0x07)
        case UInt8(ascii: "b"): return single(0x08)
        case UInt8(ascii: "e"), UInt8(ascii: "E"): return single(0x1B)
        case UInt8(ascii: "f"): return single(0x0C)
        case UInt8(ascii: "n"): return single(0x0A)
        case UInt8(ascii: "r"): return single(0x0D)
        case UInt8(ascii: "t"): return single(0x09)
        case UInt8(ascii: "v"): return single(0x0B)
        case backslash: return single(backslash)
        case UInt8(ascii: "'"), UInt8(ascii: "\""), UInt8(ascii: "?"):
            return dialect == .printfFormat ? single(letter) : literal()
        case UInt8(ascii: "c"):
            return dialect == .printfFormat ? literal() : Step(next: afterLetter, stopsOutput: true)
        case UInt8(ascii: "0")...UInt8(ascii: "7"):
            let start: Int
            switch dialect {
            case .printfFormat:
                start = letterIndex
            case .printfArgument:
                start = letter == UInt8(ascii: "0") ? afterLetter : letterIndex
            case .echo:
                guard letter == UInt8(ascii: "0") else { return literal() }
                start = afterLetter
            }
            let (value, end) = digits(bytes, from: start, maximum: 3, radix: 8)
            output.append(UInt8(truncatingIfNeeded: value))
            return Step(next: end)
        case UInt8(ascii: "x"):
            let (value, end) = digits(bytes, from: afterLetter, maximum: 2, radix: 16)
            guard end > afterLetter else { return missingDigits("missing hex digit for \\x") }
            output.append(UInt8(truncatingIfNeeded: value))
            return Step(next: end)
        case UInt8(ascii: "u"), UInt8(ascii: "U"):
            let maximum = letter == UInt8(ascii: "u") ? 4 : 8
            let (value, end) = digits(bytes, from: afterLetter, maximum: maximum, radix: 16)
            guard end > afterLetter else {
                let name = letter == UInt8(ascii: "u") ? "u" : "U"
                return missingDigits("missing unicode digit for \\\(name)")
            }
            appendUTF8(value, to: &output)
            return Step(next: end)
        default:
            return literal()
        }
    }

    /// Reads up to `maximum` digits of `radix` from `start`; returns the value and the end index.
    private static func digits(_ bytes: [UInt8], from start: Int, maximum: Int, radix: UInt32)
        -> (value: UInt32, end: Int)
    {
        var value: UInt32 = 0
        var index = start
        while index < bytes.count, index - start < maximum,
            let digit = digitValue(bytes[index]), digit < radix
        {
            value = value &* radix &+ digit
            index += 1
        }
        return (value, index)
    }

    static func digitValue(_ byte: UInt8) -> UInt32? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return UInt32(byte - UInt8(ascii: "0"))
        case UInt8(ascii: "a")...UInt8(ascii: "f"): return UInt32(byte - UInt8(ascii: "a") + 10)
        case UInt8(ascii: "A")...UInt8(ascii: "F"): return UInt32(byte - UInt8(ascii: "A") + 10)
        default: return nil
        }
    }

    /// Encodes `value` the way bash does for `\u`/`\U`: plain UTF-8 bit packing, so surrogates
    /// and values past U+10FFFF still produce bytes rather than being dropped.
    static func appendUTF8(_ value: UInt32, to output: inout [UInt8]) {
        switch value {
        case 0..<0x80:
            output.append(UInt8(value))
        case 0x80..<0x800:
            output.append(UInt8(0xC0 | (value >> 6)))
            output.append(UInt8(0x80 | (value & 0x3F)))
        case 0x800..<0x10000:
            output.append(UInt8(0xE0 | (value >> 12)))
            output.append(UInt8(0x80 | ((value >> 6) & 0x3F)))
            output.append(UInt8(0x80 | (value & 0x3F)))
        case 0x10000..<0x200000:
            output.append(UInt8(0xF0 | (value >> 18)))
            output.append(UInt8(0x80 | ((value >> 12) & 0x3F)))
            output.append(UInt8(0x80 | ((value >> 6) & 0x3F)))
            output.append(UInt8(0x80 | (value & 0x3F)))
        case 0x200000..<0x4000000:
            output.append(UInt8(0xF8 | (value >> 24)))
            output.append(UInt8(0x80 | ((value >> 18) & 0x3F)))
            output.append(UInt8(0x80 | ((value >> 12) & 0x3F)))
            output.append(UInt8(0x80 | ((value >> 6) & 0x3F)))
            output.append(UInt8(0x80 | (value & 0x3F)))
        default:
            output.append(UInt8(0xFC | ((value >> 30) & 0x01)))
            output.append(UInt8(0x80 | ((value >> 24) & 0x3F)))
            output.append(UInt8(0x80 | ((value >> 18) & 0x3F)))
            output.append(UInt8(0x80 | ((value >> 12) & 0x3F)))
            output.append(UInt8(0x80 | ((value >> 6) & 0x3F)))
            output.append(UInt8(0x80 | (value & 0x3F)))
        }
    }
}
