// Words: unquoted text, backslash, single and double quotes (XCU 2.2, 2.3).

extension SyntaxReader {
    /// Scans an unquoted word up to the next blank, newline or operator character.
    func scanWord() throws(SyntaxError) -> Word {
        try enter()
        defer { leave() }
        var builder = PartsBuilder()
        while let b = byte(), !Byte.isDelimiter(b) {
            try scanUnquotedPiece(b, into: &builder)
        }
        return Word(builder.finish())
    }

    /// One piece of unquoted text starting with `b`: shared by words and `${x-word}` operands.
    func scanUnquotedPiece(_ b: UInt8, into builder: inout PartsBuilder) throws(SyntaxError) {
        switch b {
        case Byte.backslash:
            pos += 1
            guard let c = byte() else {
                builder.quoted([Byte.backslash])
                return
            }
            if c == Byte.newline {
                pos += 1
            } else {
                builder.quoted(takeCharacter())
            }
        case Byte.singleQuote:
            pos += 1
            builder.quoted(try scanUntilSingleQuote())
        case Byte.doubleQuote:
            pos += 1
            builder.append(.doubleQuoted(try scanDoubleQuoted()))
        case Byte.dollar:
            if byte(1) == Byte.singleQuote {
                pos += 2
                builder.quoted(try scanAnsiCQuoted())
            } else if byte(1) == Byte.doubleQuote {
                pos += 2
                builder.append(.doubleQuoted(try scanDoubleQuoted()))
            } else if let part = try scanDollar(inDoubleQuotes: false) {
                builder.append(part)
            } else {
                // A `$` that starts nothing is kept as quoted text, so it can never join the
                // next piece into an expansion when the word is written back.
                builder.quoted([Byte.dollar])
            }
        case Byte.backquote:
            pos += 1
            builder.append(try scanBackquoted(inDoubleQuotes: false))
        default:
            pos += 1
            builder.literal(b)
        }
    }

    /// The bytes of one whole character at `pos` (a UTF-8 sequence is never split).
    func takeCharacter() -> [UInt8] {
        guard let first = byte() else { return [] }
        var result = [first]
        pos += 1
        while let b = byte(), Byte.isContinuation(b) {
            result.append(b)
            pos += 1
        }
        return result
    }

    /// After `'`: the text up to the closing `'`.
    func scanUntilSingleQuote() throws(SyntaxError) -> [UInt8] {
        var text: [UInt8] = []
        while true {
            guard let b = byte() else { throw unexpectedEnd() }
            pos += 1
            if b == Byte.singleQuote { return text }
            text.append(b)
        }
    }

    /// After `"`: the parts up to the closing `"`.
    func scanDoubleQuoted() throws(SyntaxError) -> [WordPart] {
        try enter()
        defer { leave() }
        var builder = PartsBuilder()
        while true {
            guard let b = byte() else { throw unexpectedEnd() }
            if b == Byte.doubleQuote {
                pos += 1
                return builder.finish()
            }
            try scanDoubleQuotedPiece(b, into: &builder, specials: doubleQuoteEscapable)
        }
    }

    /// One piece of double-quote-like text (also here-document bodies and `"${x-word}"`
    /// operands): only `$`, `` ` `` and `\` before one of `specials` or a newline are special.
    func scanDoubleQuotedPiece(_ b: UInt8, into builder: inout PartsBuilder, specials: Set<UInt8>) throws(SyntaxError) {
        switch b {
        case Byte.backslash:
            let c = byte(1)
            if c == Byte.newline {
                pos += 2
            } else if let c, specials.contains(c) {
                pos += 2
                builder.literal(c)
            } else {
                pos += 1
                builder.literal(b)
            }
        case Byte.dollar:
            if let part = try scanDollar(inDoubleQuotes: true) {
                builder.append(part)
            } else {
                builder.literal(b)
            }
        case Byte.backquote:
            pos += 1
            builder.append(try scanBackquoted(inDoubleQuotes: true))
        default:
            pos += 1
            builder.literal(b)
        }
    }

    /// After `$'`: bash's ANSI-C quoting, decoded.
    func scanAnsiCQuoted() throws(SyntaxError) -> [UInt8] {
        var out: [UInt8] = []
        var truncated = false  // bash ends the string at a NUL
        func emit(_ bs: [UInt8]) {
            if truncated { return }
            for b in bs {
                if b == 0 { truncated = true; return }
                out.append(b)
            }
        }
        func hexValue(_ b: UInt8) -> UInt32? {
            switch b {
            case 0x30...0x39: UInt32(b - 0x30)
            case 0x41...0x46: UInt32(b - 0x41 + 10)
            case 0x61...0x66: UInt32(b - 0x61 + 10)
            default: nil
            }
        }
        while true {
            guard let b = byte() else { throw unexpectedEnd() }
            pos += 1
            if b == Byte.singleQuote { return out }
            guard b == Byte.backslash else {
                emit([b])
                continue
            }
            guard let c = byte() else { throw unexpectedEnd() }
            pos += 1
            switch c {
            case UInt8(ascii: "n"): emit([0x0A])
            case UInt8(ascii: "t"): emit([0x09])
            case UInt8(ascii: "r"): emit([0x0D])
            case UInt8(ascii: "a"): emit([0x07])
            case UInt8(ascii: "b"): emit([0x08])
            case UInt8(ascii: "e"), UInt8(ascii: "E"): emit([0x1B])
            case UInt8(ascii: "f"): emit([0x0C])
            case UInt8(ascii: "v"): emit([0x0B])
            case Byte.backslash, Byte.singleQuote, Byte.doubleQuote, UInt8(ascii: "?"): emit([c])
            case UInt8(ascii: "0")...UInt8(ascii: "7"):
                var value = UInt32(c - 0x30)
                var count = 1
                while count < 3, let d = byte(), d >= 0x30, d <= 0x37 {
                    value = value * 8 + UInt32(d - 0x30)
                    pos += 1
                    count += 1
                }
                emit([UInt8(truncatingIfNeeded: value)])
            case UInt8(ascii: "x"), UInt8(ascii: "u"), UInt8(ascii: "U"):
                let maxDigits = c == UInt8(ascii: "x") ? 2 : (c == UInt8(ascii: "u") ? 4 : 8)
                var value: UInt32 = 0
                var count = 0
                while count < maxDigits, let d = byte(), let v = hexValue(d) {
                    value = value &* 16 &+ v
                    pos += 1
                    count += 1
                }
                if count == 0 {
                    emit([Byte.backslash, c])
                } else if c == UInt8(ascii: "x") {
                    emit([UInt8(truncatingIfNeeded: value)])
                } else {
                    let scalar = Unicode.Scalar(value) ?? "\u{FFFD}"
                    emit(Array(String(Character(scalar)).utf8))
                }
            case UInt8(ascii: "c"):
                guard let d = byte() else { throw unexpectedEnd() }
                pos += 1
                emit([d == UInt8(ascii: "?") ? 0x7F : d & 0x1F])  // bash: `\c?` is DEL
            default:
                emit([Byte.backslash, c])
            }
        }
    }
}

/// After `\` inside double quotes these stand for themselves.
let doubleQuoteEscapable: Set<UInt8> = [Byte.dollar, Byte.backquote, Byte.doubleQuote, Byte.backslash]
/// Inside a here-document body.
let hereDocumentEscapable: Set<UInt8> = [Byte.dollar, Byte.backquote, Byte.backslash]
/// Inside a `${x-word}` operand within double quotes.
let doubleQuotedOperandEscapable: Set<UInt8> = [Byte.dollar, Byte.backquote, Byte.doubleQuote, Byte.backslash, Byte.closeBrace]
