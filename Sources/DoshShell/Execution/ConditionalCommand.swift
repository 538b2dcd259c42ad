#if canImport(Glibc)
    import Glibc
#endif

extension Shell {
    /// Runs `[[ … ]]`: 0 when the expression holds, 1 when not, 2 when it cannot be evaluated
    /// (a bad regular expression, a bad `test` operand).
    func runConditional(_ expression: ConditionalExpression) throws(Unwind) -> Int32 {
        try conditionHolds(expression) ? 0 : 1
    }

    private func conditionHolds(_ expression: ConditionalExpression) throws(Unwind) -> Bool {
        switch expression {
        case .word(let word):
            return !(try expandString(word)).isEmpty
        case .unary(let op, let word):
            return try testPrimary([op, try expandString(word)])
        case .binary(let left, let op, let right):
            return try binaryConditionHolds(left, op, right)
        case .not(let inner):
            return !(try conditionHolds(inner))
        case .and(let a, let b):
            return try conditionHolds(a) ? try conditionHolds(b) : false
        case .or(let a, let b):
            return try conditionHolds(a) ? true : try conditionHolds(b)
        case .group(let inner):
            return try conditionHolds(inner)
        }
    }

    private func binaryConditionHolds(_ left: Word, _ op: String, _ right: Word) throws(Unwind) -> Bool {
        switch op {
        case "==", "=", "!=":
            // The right side is a pattern: its quoted parts match literally.
            let matches = Pattern(try expandPattern(right)).matches(try expandString(left))
            return matches == (op != "!=")
        case "=~":
            let subject = try expandString(left)
            return try matchesExtendedRegularExpression(subject, try expandRegularExpression(right))
        case "-eq", "-ne", "-lt", "-le", "-gt", "-ge":
            // As in bash, the operands are arithmetic expressions.
            let a = try evaluateArithmetic(left)
            let b = try evaluateArithmetic(right)
            switch op {
            case "-eq": return a == b
            case "-ne": return a != b
            case "-lt": return a < b
            case "-le": return a <= b
            case "-gt": return a > b
            default: return a >= b
            }
        default:
            return try testPrimary([try expandString(left), op, try expandString(right)])
        }
    }

    /// A primary of `test`, evaluated by the `test` builtin's own code.
    private func testPrimary(_ arguments: [String]) throws(Unwind) -> Bool {
        let queries = TestShellQueries(isVariableSet: { [unowned self] in self.variables.value($0) != nil })
        do {
            return try TestExpression.evaluate(arguments, shell: queries) == 0
        } catch {
            report("[[: \(error.message)")
            throw .failure(status: 2)
        }
    }

    /// The operand of `=~` as an ERE: quoted parts match themselves.
    private func expandRegularExpression(_ word: Word) throws(Unwind) -> String {
        var tokens: [ExpansionToken] = []
        try expandParts(word.parts, quoted: false, into: &tokens)
        var result = ""
        for case .piece(let piece) in tokens {
            result += piece.quoted ? escapeForExtendedRegularExpression(piece.text) : piece.text
        }
        return result
    }

    /// POSIX `regcomp` with `REG_EXTENDED`; a pattern it rejects gives status 2, silently as in bash.
    private func matchesExtendedRegularExpression(_ subject: String, _ pattern: String) throws(Unwind) -> Bool {
        var regex = regex_t()
        guard regcomp(&regex, pattern, REG_EXTENDED | REG_NOSUB) == 0 else { throw .failure(status: 2) }
        defer { regfree(&regex) }
        return regexec(&regex, subject, 0, nil, 0) == 0
    }
}

func escapeForExtendedRegularExpression(_ text: String) -> String {
    var result = ""
    for character in text {
        if "\\^$.[]|()*+?{}".contains(character) { result.append("\\") }
        result.append(character)
    }
    return result
}
