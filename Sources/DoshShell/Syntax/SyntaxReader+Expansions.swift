// `$…` expansions and backquotes (XCU 2.6.2–2.6.4), parsed as the word is read.

extension SyntaxReader {
    /// At `$`: consumes it and returns the expansion it starts, or nil when it starts none
    /// (the caller keeps the `$` as text).
    func scanDollar(inDoubleQuotes: Bool) throws(SyntaxError) -> WordPart? {
        pos += 1
        guard let b = byte() else { return nil }
        if b == Byte.openBrace {
            pos += 1
            return .parameter(try scanBracedParameter(inDoubleQuotes: inDoubleQuotes))
        }
        if b == Byte.openParen {
            if byte(1) == Byte.openParen, isArithmeticAhead() {
                pos += 2
                return try scanArithmetic()
            }
            pos += 1
            return .commandSubstitution(try scanCommandSubstitution())
        }
        if Byte.isNameStart(b) {
            let start = pos
            while let c = byte(), Byte.isNameChar(c) { pos += 1 }
            return .parameter(ParameterExpansion(name: text(start..<pos)))
        }
        if Byte.isDigit(b) || specialParameters.contains(b) {
            pos += 1
            return .parameter(ParameterExpansion(name: String(UnicodeScalar(b))))
        }
        return nil
    }

    /// A name, a positional number, or one special parameter character.
    private func scanParameterName() -> String? {
        guard let b = byte() else { return nil }
        let start = pos
        if Byte.isNameStart(b) {
            while let c = byte(), Byte.isNameChar(c) { pos += 1 }
        } else if Byte.isDigit(b) {
            while let c = byte(), Byte.isDigit(c) { pos += 1 }
        } else if specialParameters.contains(b) {
            pos += 1
        } else {
            return nil
        }
        return text(start..<pos)
    }

    private func badSubstitution() -> SyntaxError { error("syntax error: bad substitution") }

    /// After `${`.
    func scanBracedParameter(inDoubleQuotes: Bool) throws(SyntaxError) -> ParameterExpansion {
        try enter()
        defer { leave() }
        if byte() == Byte.hash {
            if byte(1) == Byte.closeBrace {
                pos += 2
                return ParameterExpansion(name: "#")
            }
            let save = pos
            pos += 1
            if let name = scanParameterName(), byte() == Byte.closeBrace {
                pos += 1
                return ParameterExpansion(name: name, operation: .length)
            }
            pos = save
        }
        guard let name = scanParameterName() else {
            throw byte() == nil ? unexpectedEnd() : badSubstitution()
        }
        guard var op = byte() else { throw unexpectedEnd() }
        pos += 1
        if op == Byte.closeBrace { return ParameterExpansion(name: name) }
        let colon = op == UInt8(ascii: ":")
        if colon {
            guard let b = byte() else { throw unexpectedEnd() }
            op = b
            pos += 1
        }
        let operation: ParameterOperation
        switch op {
        case UInt8(ascii: "-"): operation = .useDefault(try scanOperand(inDoubleQuotes), colon: colon)
        case UInt8(ascii: "="): operation = .assignDefault(try scanOperand(inDoubleQuotes), colon: colon)
        case UInt8(ascii: "?"): operation = .errorIfUnset(try scanOperand(inDoubleQuotes), colon: colon)
        case UInt8(ascii: "+"): operation = .useAlternative(try scanOperand(inDoubleQuotes), colon: colon)
        case Byte.hash where !colon, UInt8(ascii: "%") where !colon:
            let longest = byte() == op
            if longest { pos += 1 }
            let pattern = try scanOperand(inDoubleQuotes)
            operation = op == Byte.hash ? .removePrefix(pattern, longest: longest) : .removeSuffix(pattern, longest: longest)
        default:
            throw badSubstitution()
        }
        return ParameterExpansion(name: name, operation: operation)
    }

    /// The word after the operator in `${x-word}`, up to the `}` that closes the expansion
    /// (inner `{ }` pairs are counted, as POSIX requires).
    private func scanOperand(_ inDoubleQuotes: Bool) throws(SyntaxError) -> Word {
        var builder = PartsBuilder()
        var braces = 0
        while true {
            guard let b = byte() else { throw unexpectedEnd() }
            if b == Byte.closeBrace {
                pos += 1
                if braces == 0 { break }
                braces -= 1
                builder.literal(b)
            } else if b == Byte.openBrace {
                pos += 1
                braces += 1
                builder.literal(b)
            } else if inDoubleQuotes {
                if b == Byte.doubleQuote {
                    pos += 1
                    builder.append(.doubleQuoted(try scanDoubleQuoted()))
                } else {
                    try scanDoubleQuotedPiece(b, into: &builder, specials: doubleQuotedOperandEscapable)
                }
            } else {
                try scanUnquotedPiece(b, into: &builder)
            }
        }
        let word = Word(builder.finish())
        return inDoubleQuotes ? word : applyingTilde(word)
    }

    /// At `$((`: whether it closes with `))` (arithmetic) rather than being `$(` followed by a
    /// subshell, decided like bash by looking for the matching parentheses.
    func isArithmeticAhead() -> Bool {
        var i = pos + 2
        var depth = 0
        func skipQuoted(until close: UInt8, escapes: Bool) {
            i += 1
            while ensure(i), bytes[i] != close {
                i += escapes && bytes[i] == Byte.backslash ? 2 : 1
            }
            i += 1
        }
        while ensure(i) {
            switch bytes[i] {
            case Byte.backslash: i += 2
            case Byte.singleQuote: skipQuoted(until: Byte.singleQuote, escapes: false)
            case Byte.doubleQuote: skipQuoted(until: Byte.doubleQuote, escapes: true)
            case Byte.backquote: skipQuoted(until: Byte.backquote, escapes: true)
            case Byte.dollar where ensure(i + 1) && bytes[i + 1] == Byte.openBrace:
                i += 2
                var braces = 0
                while ensure(i) {
                    if bytes[i] == Byte.closeBrace {
                        if braces == 0 { break }
                        braces -= 1
                    } else if bytes[i] == Byte.openBrace {
                        braces += 1
                    }
                    i += 1
                }
                i += 1
            case Byte.openParen:
                depth += 1
                i += 1
            case Byte.closeParen:
                if depth == 0 { return ensure(i + 1) && bytes[i + 1] == Byte.closeParen }
                depth -= 1
                i += 1
            default: i += 1
            }
        }
        return true
    }

    /// After `$((`: the expression up to the matching `))`.
    func scanArithmetic() throws(SyntaxError) -> WordPart {
        try enter()
        defer { leave() }
        var builder = PartsBuilder()
        var depth = 0
        while true {
            guard let b = byte() else { throw unexpectedEnd() }
            switch b {
            case Byte.openParen:
                depth += 1
                pos += 1
                builder.literal(b)
            case Byte.closeParen:
                if depth == 0 {
                    guard byte(1) == Byte.closeParen else { throw error("syntax error near ')'") }
                    pos += 2
                    return .arithmetic(Word(builder.finish()))
                }
                depth -= 1
                pos += 1
                builder.literal(b)
            case Byte.backslash:
                if byte(1) == Byte.newline {
                    pos += 2
                } else {
                    pos += 1
                    guard byte() != nil else { throw unexpectedEnd() }
                    builder.literal(b)
                    builder.literal(takeCharacter())
                }
            case Byte.dollar:
                guard let part = try scanDollar(inDoubleQuotes: true) else { throw error("syntax error near '$'") }
                builder.append(part)
            case Byte.backquote:
                pos += 1
                builder.append(try scanBackquoted(inDoubleQuotes: false))
            case Byte.doubleQuote:
                pos += 1
                builder.append(.doubleQuoted(try scanDoubleQuoted()))
            case Byte.singleQuote:
                pos += 1
                builder.quoted(try scanUntilSingleQuote())
            default:
                pos += 1
                builder.literal(b)
            }
        }
    }

    /// After `$(`: a command list up to the matching `)`, with its own here-documents.
    func scanCommandSubstitution() throws(SyntaxError) -> CommandList {
        try enter()
        defer { leave() }
        let outerHereDocuments = hereDocuments
        let outerPeeked = peeked
        hereDocuments = HereDocumentScope()
        peeked = nil
        defer {
            hereDocuments = outerHereDocuments
            peeked = outerPeeked
        }
        var list = try parseCompoundList()
        let close = try next()
        guard close.token == .op(.closeParen) else { throw unexpected(close) }
        fillHereDocuments(in: &list)
        return list
    }

    /// After `` ` ``: the text up to the closing backquote, unescaped and parsed on its own.
    func scanBackquoted(inDoubleQuotes: Bool) throws(SyntaxError) -> WordPart {
        let firstLine = currentLine
        var text: [UInt8] = []
        while true {
            guard let b = byte() else { throw unexpectedEnd() }
            pos += 1
            if b == Byte.backquote { break }
            if b == Byte.backslash, let c = byte(),
                c == Byte.dollar || c == Byte.backquote || c == Byte.backslash || (inDoubleQuotes && c == Byte.doubleQuote)
            {
                text.append(c)
                pos += 1
                continue
            }
            text.append(b)
        }
        let inner = SyntaxReader(
            source: StringLineSource(String(decoding: text, as: UTF8.self)), aliases: aliases,
            firstLine: firstLine, depth: depth + 1)
        guard inner.depth <= maximumNestingDepth else { throw error("syntax error: nesting too deep") }
        inner.readingContinuation = true
        return .commandSubstitution(try inner.parseProgram())
    }
}

let specialParameters: Set<UInt8> = Set("@*#?-$!".utf8)
