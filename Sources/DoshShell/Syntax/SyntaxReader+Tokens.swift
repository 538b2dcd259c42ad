// Token recognition (XCU 2.3): operators, newlines, words and IO numbers.

enum Operator: String {
    case pipe = "|", orIf = "||", ampersand = "&", andIf = "&&", semicolon = ";", doubleSemicolon = ";;"
    case openParen = "(", closeParen = ")"
    case less = "<", greater = ">", doubleGreater = ">>", clobber = ">|", lessGreater = "<>"
    case lessAmpersand = "<&", greaterAmpersand = ">&", doubleLess = "<<", doubleLessDash = "<<-", tripleLess = "<<<"
    case ampersandGreater = "&>", ampersandDoubleGreater = "&>>"

    var isRedirection: Bool {
        switch self {
        case .less, .greater, .doubleGreater, .clobber, .lessGreater, .lessAmpersand, .greaterAmpersand,
            .doubleLess, .doubleLessDash, .tripleLess, .ampersandGreater, .ampersandDoubleGreater:
            true
        default: false
        }
    }
}

enum Token: Equatable {
    case word(Word)
    case ioNumber(Int32)
    case op(Operator)
    case newline
    case end
}

struct ScannedToken {
    var token: Token
    var start: Int
    var end: Int
    var line: Int

    /// The text of a word made of one unquoted literal, as reserved words and aliases need.
    var plainText: String? {
        if case .word(let w) = token, w.parts.count == 1, case .literal(let s) = w.parts[0] { return s }
        return nil
    }
}

extension SyntaxReader {
    func peek() throws(SyntaxError) -> ScannedToken {
        if let peeked { return peeked }
        let t = try scanToken()
        peeked = t
        return t
    }

    @discardableResult
    func next() throws(SyntaxError) -> ScannedToken {
        let t = try peek()
        consume()
        return t
    }

    /// Drops the token just peeked. Out of line: see `nextTokenPosition`.
    @inline(never)
    func consume() {
        if let end = peeked?.end { lastConsumedEnd = end }
        peeked = nil
    }

    /// Where the next token starts and its line. Out of line on purpose: the token stays in this
    /// small frame instead of the frames of the recursive grammar, which nest 1,000 deep.
    @inline(never)
    func nextTokenPosition() throws(SyntaxError) -> (start: Int, line: Int) {
        let t = try peek()
        return (t.start, t.line)
    }

    /// The text from `start` to the end of the last token consumed, as typed.
    @inline(never)
    func typedText(from start: Int) -> String {
        guard start < lastConsumedEnd, lastConsumedEnd <= bytes.count else { return "" }
        return text(start..<lastConsumedEnd)
    }

    /// Whether the next token is the unquoted reserved word `word`.
    func peekIsReserved(_ word: String) throws(SyntaxError) -> Bool {
        try peek().plainText == word
    }

    /// Whether the next token ends a pipeline: a newline, the end, `;`, `&`, `&&`, `||`, `;;`, `)`.
    func peekEndsPipeline() throws(SyntaxError) -> Bool {
        switch try peek().token {
        case .newline, .end: true
        case .op(let op): [.semicolon, .ampersand, .andIf, .orIf, .doubleSemicolon, .closeParen].contains(op)
        default: false
        }
    }

    func peekIs(_ op: Operator) throws(SyntaxError) -> Bool {
        try peek().token == .op(op)
    }

    /// An error about an unexpected token, the way shells word it.
    func unexpected(_ t: ScannedToken) -> SyntaxError {
        switch t.token {
        case .end: return SyntaxError(line: t.line, message: "syntax error: unexpected end of file")
        case .newline: return SyntaxError(line: t.line, message: "syntax error near 'newline'")
        default: return SyntaxError(line: t.line, message: "syntax error near '\(text(t.start..<t.end))'")
        }
    }

    /// Skips blanks, line continuations and a comment.
    func skipBlanks() {
        while let b = byte() {
            if Byte.isBlank(b) {
                pos += 1
            } else if b == Byte.backslash, byte(1) == Byte.newline {
                pos += 2
            } else if b == Byte.hash {
                while let c = byte(), c != Byte.newline { pos += 1 }
            } else {
                return
            }
        }
    }

    func scanToken() throws(SyntaxError) -> ScannedToken {
        skipBlanks()
        let start = pos
        let line = currentLine
        guard let b = byte() else { return ScannedToken(token: .end, start: start, end: start, line: line) }
        if b == Byte.newline {
            pos += 1
            try readPendingHereDocuments()
            return ScannedToken(token: .newline, start: start, end: start + 1, line: line)
        }
        if let op = scanOperator() {
            return ScannedToken(token: .op(op), start: start, end: pos, line: line)
        }
        let word = try scanWord()
        if let next = byte(), next == Byte.less || next == Byte.greater,
            word.parts.count == 1, case .literal(let digits) = word.parts[0],
            digits.utf8.allSatisfy(Byte.isDigit), let fd = Int32(digits)
        {
            return ScannedToken(token: .ioNumber(fd), start: start, end: pos, line: line)
        }
        return ScannedToken(token: .word(word), start: start, end: pos, line: line)
    }

    private func scanOperator() -> Operator? {
        guard let b = byte() else { return nil }
        let b1 = byte(1)
        func take(_ n: Int, _ op: Operator) -> Operator {
            pos += n
            return op
        }
        switch b {
        case Byte.pipe: return b1 == Byte.pipe ? take(2, .orIf) : take(1, .pipe)
        case Byte.ampersand:
            if b1 == Byte.ampersand { return take(2, .andIf) }
            if b1 == Byte.greater {
                return byte(2) == Byte.greater ? take(3, .ampersandDoubleGreater) : take(2, .ampersandGreater)
            }
            return take(1, .ampersand)
        case Byte.semicolon: return b1 == Byte.semicolon ? take(2, .doubleSemicolon) : take(1, .semicolon)
        case Byte.openParen: return take(1, .openParen)
        case Byte.closeParen: return take(1, .closeParen)
        case Byte.less:
            if b1 == Byte.less {
                if byte(2) == Byte.less { return take(3, .tripleLess) }
                return byte(2) == UInt8(ascii: "-") ? take(3, .doubleLessDash) : take(2, .doubleLess)
            }
            if b1 == Byte.ampersand { return take(2, .lessAmpersand) }
            if b1 == Byte.greater { return take(2, .lessGreater) }
            return take(1, .less)
        case Byte.greater:
            if b1 == Byte.greater { return take(2, .doubleGreater) }
            if b1 == Byte.pipe { return take(2, .clobber) }
            if b1 == Byte.ampersand { return take(2, .greaterAmpersand) }
            return take(1, .greater)
        default: return nil
        }
    }
}
