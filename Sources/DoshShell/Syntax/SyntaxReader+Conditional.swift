// `[[ expression ]]` (bash): `||` < `&&` < `!` < primaries and `( … )`. Words inside are
// operands, never commands; newlines may separate them. The operand of `=~` is read by its own
// rules, so that a regular expression's `(`, `)` and `|` need no quoting.

/// The binary operators of `[[`, besides `<` and `>`, which arrive as redirection tokens.
let conditionalBinaryOperators: Set<String> = [
    "=", "==", "!=", "=~", "-nt", "-ot", "-ef", "-eq", "-ne", "-lt", "-le", "-gt", "-ge",
]

extension SyntaxReader {
    /// After `[[`: the expression and the closing `]]`.
    @inline(never)
    func parseConditionalCommand() throws(SyntaxError) -> CompoundCommand {
        let expression = try conditionalOr()
        let t = try peekInConditional()
        guard t.plainText == "]]" else { throw conditionalError(t, "expected ']]'") }
        consume()
        return .conditional(expression)
    }

    private func peekInConditional() throws(SyntaxError) -> ScannedToken {
        while try peek().token == .newline { consume() }
        return try peek()
    }

    private func conditionalOr() throws(SyntaxError) -> ConditionalExpression {
        var left = try conditionalAnd()
        while try peekInConditional().token == .op(.orIf) {
            consume()
            left = .or(left, try conditionalAnd())
        }
        return left
    }

    private func conditionalAnd() throws(SyntaxError) -> ConditionalExpression {
        var left = try conditionalTerm()
        while try peekInConditional().token == .op(.andIf) {
            consume()
            left = .and(left, try conditionalTerm())
        }
        return left
    }

    private func conditionalTerm() throws(SyntaxError) -> ConditionalExpression {
        try enter()
        defer { leave() }
        let t = try peekInConditional()
        if t.plainText == "!" {
            consume()
            return .not(try conditionalTerm())
        }
        if t.token == .op(.openParen) {
            consume()
            let inner = try conditionalOr()
            let close = try peekInConditional()
            guard close.token == .op(.closeParen) else { throw conditionalError(close, "expected ')'") }
            consume()
            return .group(inner)
        }
        return try conditionalPrimary()
    }

    private func isConditionalEnd(_ t: ScannedToken) -> Bool {
        t.plainText == "]]" || t.token == .op(.andIf) || t.token == .op(.orIf) || t.token == .op(.closeParen)
            || t.token == .end
    }

    private func conditionalPrimary() throws(SyntaxError) -> ConditionalExpression {
        let t = try peekInConditional()
        guard t.plainText != "]]", let first = conditionalOperand(t) else {
            throw conditionalError(t, "expected an operand")
        }
        consume()
        if let op = t.plainText, TestExpression.unaryOperators.contains(op) {
            let operandToken = try peek()
            guard operandToken.plainText != "]]", let operand = conditionalOperand(operandToken) else {
                throw conditionalError(operandToken, "expected an argument to '\(op)'")
            }
            consume()
            return .unary(op, operand)
        }
        let opToken = try peek()
        let op: String
        switch opToken.token {
        case .op(.less): op = "<"
        case .op(.greater): op = ">"
        case .word:
            guard let text = opToken.plainText, conditionalBinaryOperators.contains(text) else {
                if isConditionalEnd(opToken) || opToken.token == .newline { return .word(first) }
                throw conditionalError(opToken, "expected a binary operator")
            }
            op = text
        default:
            if isConditionalEnd(opToken) || opToken.token == .newline { return .word(first) }
            throw conditionalError(opToken, "expected a binary operator")
        }
        consume()
        if op == "=~" { return .binary(first, op, try scanRegularExpressionOperand()) }
        let rightToken = try peek()
        guard rightToken.plainText != "]]", let right = conditionalOperand(rightToken) else {
            throw conditionalError(rightToken, "expected an argument to '\(op)'")
        }
        consume()
        return .binary(first, op, right)
    }

    /// A word, or digits the tokenizer took for an IO number (`1<2`).
    private func conditionalOperand(_ t: ScannedToken) -> Word? {
        switch t.token {
        case .word(let word): applyingTilde(word)
        case .ioNumber(let n): .literal(String(n))
        default: nil
        }
    }

    /// The operand of `=~`, up to a blank outside parentheses: `(`, `)` and `|` are text there.
    private func scanRegularExpressionOperand() throws(SyntaxError) -> Word {
        while let b = byte(), Byte.isBlank(b) { pos += 1 }
        let start = pos
        var builder = PartsBuilder()
        var depth = 0
        while let b = byte() {
            if b == Byte.newline { break }
            let isSpace = Byte.isBlank(b)
            if depth == 0, isSpace || b == Byte.closeParen || b == Byte.ampersand || b == Byte.semicolon
                || b == Byte.less || b == Byte.greater
            {
                break
            }
            if isSpace {
                // Quoted, so that written back it reads the same; to a regular expression a
                // quoted blank is a blank.
                pos += 1
                builder.quoted([b])
                continue
            }
            if b == Byte.openParen || b == Byte.closeParen || b == Byte.pipe || Byte.isDelimiter(b) {
                if b == Byte.openParen { depth += 1 }
                if b == Byte.closeParen { depth -= 1 }
                pos += 1
                builder.literal(b)
                continue
            }
            if b == Byte.dollar, isRegularExpressionEnd(byte(1), depth: depth) {
                // A `$` ending the operand or an alternative is the end-of-line anchor.
                pos += 1
                builder.literal(b)
                continue
            }
            try scanUnquotedPiece(b, into: &builder)
        }
        let word = Word(builder.finish())
        lastConsumedEnd = pos
        guard pos > start, !word.parts.isEmpty, word != .literal("]]") else {
            throw SyntaxError(line: currentLine, message: "syntax error in conditional expression: expected a regular expression")
        }
        guard depth == 0 else {
            throw SyntaxError(line: currentLine, message: "syntax error in conditional expression: unbalanced '(' in a regular expression")
        }
        return word
    }

    /// Whether `b` ends the operand or an alternative. (A blank in parentheses is quoted text, so
    /// a `$` before it stays quoted too: written back, `$' '` would read as ANSI-C quoting.)
    private func isRegularExpressionEnd(_ b: UInt8?, depth: Int) -> Bool {
        guard let b else { return true }
        return (depth == 0 && Byte.isBlank(b)) || b == Byte.newline || b == Byte.closeParen || b == Byte.pipe
    }

    private func conditionalError(_ t: ScannedToken, _ what: String) -> SyntaxError {
        let near: String
        switch t.token {
        case .end: near = "end of file"
        case .newline: near = "newline"
        default: near = "'\(text(t.start..<t.end))'"
        }
        return SyntaxError(line: t.line, message: "syntax error in conditional expression near \(near): \(what)")
    }
}
