#if canImport(Glibc)
    import Glibc
#endif

extension Shell {
    /// Runs `[[ … ]]`: 0 when the expression holds, 1 when not, 2 when it cannot be evaluated
    /// (a bad regular expression, a bad `test` operand).
    func runConditional(_ expression: ConditionalExpression) throws(Unwind) -> Int32 {
        try conditionHolds(expression) ? 0 : 1
    }

    /// `negated`: under a `!`, which `set -x` shows before the primary, as bash does.
    private func conditionHolds(_ expression: ConditionalExpression, negated: Bool = false) throws(Unwind) -> Bool {
        switch expression {
        case .word(let word):
            let text = try expandString(word)
            traceConditional(["-n", text], negated)
            return !text.isEmpty
        case .unary(let op, let word):
            let operand = try expandString(word)
            traceConditional([op, operand], negated)
            return try testPrimary([op, operand])
        case .binary(let left, let op, let right):
            return try binaryConditionHolds(left, op, right, negated)
        case .not(let inner):
            return !(try conditionHolds(inner, negated: true))
        case .and(let a, let b):
            return try conditionHolds(a) ? try conditionHolds(b) : false
        case .or(let a, let b):
            return try conditionHolds(a) ? true : try conditionHolds(b)
        case .group(let inner):
            return try conditionHolds(inner)
        }
    }

    private func binaryConditionHolds(_ left: Word, _ op: String, _ right: Word, _ negated: Bool) throws(Unwind) -> Bool {
        let subject = try expandString(left)
        switch op {
        case "==", "=", "!=":
            // The right side is a pattern: its quoted parts match literally.
            let pattern = try expandPattern(right)
            traceConditional([subject, op, pattern], negated)
            return Pattern(pattern).matches(subject) == (op != "!=")
        case "=~":
            let expression = try expandRegularExpression(right)
            traceConditional([subject, op, expression], negated)
            return try matchesExtendedRegularExpression(subject, expression)
        case "-eq", "-ne", "-lt", "-le", "-gt", "-ge":
            // As in bash, the operands are arithmetic expressions.
            let other = try expandString(right)
            traceConditional([subject, op, other], negated)
            return TestIntegers.compare(try evaluateArithmetic(.literal(subject)), op, try evaluateArithmetic(.literal(other)))
        default:
            let other = try expandString(right)
            traceConditional([subject, op, other], negated)
            return try testPrimary([subject, op, other])
        }
    }

    /// `set -x` shows each primary as it is evaluated, operands expanded: `+ [[ foo == f* ]]`.
    private func traceConditional(_ words: [String], _ negated: Bool) {
        guard options.xtrace else { return }
        let prefix = (try? expandPromptString(variables.value("PS4") ?? "+ ")) ?? "+ "
        writeError(prefix + "[[ " + (negated ? "! " : "") + words.joined(separator: " ") + " ]]\n")
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
