// The grammar (XCU 2.9, 2.10): lists, pipelines, simple and compound commands, functions,
// redirections; plus dosh's `!` host marker.

extension SyntaxReader {
    /// The next complete command: up to the newline that ends a complete list, or the end of
    /// input. Nil at the end of input. Empty and comment-only lines are skipped.
    func parseCompleteCommand() throws(SyntaxError) -> CommandList? {
        discardConsumedText()
        aliasSubstitutions = 0
        readingContinuation = false
        while true {
            let t = try peek()
            if t.token == .end { return nil }
            guard t.token == .newline else { break }
            consume()
        }
        readingContinuation = true
        var items: [ListItem] = []
        parsing: while true {
            let andOr = try parseAndOr()
            let t = try peek()
            switch t.token {
            case .op(.semicolon), .op(.ampersand):
                consume()
                items.append(ListItem(andOr: andOr, background: t.token == .op(.ampersand)))
                let following = try peek()
                if following.token == .newline {
                    consume()
                    break parsing
                }
                if following.token == .end { break parsing }
            case .newline:
                consume()
                items.append(ListItem(andOr: andOr))
                break parsing
            case .end:
                items.append(ListItem(andOr: andOr))
                break parsing
            default:
                throw unexpected(t)
            }
        }
        var list = CommandList(items)
        fillHereDocuments(in: &list)
        return list
    }

    /// All complete commands to the end of input, as one list.
    func parseProgram() throws(SyntaxError) -> CommandList {
        var items: [ListItem] = []
        while let list = try parseCompleteCommand() { items += list.items }
        return CommandList(items)
    }

    // MARK: Lists

    func skipNewlines() throws(SyntaxError) {
        while try peek().token == .newline { consume() }
    }

    private func isListTerminator(_ t: ScannedToken) -> Bool {
        switch t.token {
        case .end, .op(.closeParen), .op(.doubleSemicolon): return true
        default: return t.plainText.map(closingReservedWords.contains) ?? false
        }
    }

    /// A list inside a compound command or `$( )`, ended by a closing word or operator that the
    /// caller then expects. May be empty.
    func parseCompoundList() throws(SyntaxError) -> CommandList {
        var items: [ListItem] = []
        while true {
            try skipNewlines()
            if isListTerminator(try peek()) { break }
            let andOr = try parseAndOr()
            let t = try peek()
            switch t.token {
            case .op(.semicolon), .op(.ampersand):
                consume()
                items.append(ListItem(andOr: andOr, background: t.token == .op(.ampersand)))
            case .newline:
                consume()
                items.append(ListItem(andOr: andOr))
            default:
                items.append(ListItem(andOr: andOr))
                return CommandList(items)
            }
        }
        return CommandList(items)
    }

    private func parseNonEmptyCompoundList() throws(SyntaxError) -> CommandList {
        let list = try parseCompoundList()
        if list.isEmpty { throw unexpected(try peek()) }
        return list
    }

    private func expectReserved(_ word: String) throws(SyntaxError) {
        let t = try next()
        guard t.plainText == word else { throw unexpected(t) }
    }

    private func expect(_ op: Operator) throws(SyntaxError) {
        let t = try next()
        guard t.token == .op(op) else { throw unexpected(t) }
    }

    func parseAndOr() throws(SyntaxError) -> AndOrList {
        let start = try nextTokenPosition().start
        var list = AndOrList(first: try parsePipeline())
        while true {
            let t = try peek()
            let op: AndOrOperator
            switch t.token {
            case .op(.andIf): op = .and
            case .op(.orIf): op = .or
            default:
                list.typedText = typedText(from: start)
                return list
            }
            consume()
            try skipNewlines()
            list.rest.append((op: op, pipeline: try parsePipeline()))
        }
    }

    func parsePipeline() throws(SyntaxError) -> Pipeline {
        let (start, line) = try nextTokenPosition()
        let timing = try parseTiming()
        if timing != nil, try peekEndsPipeline() { return timingNothing(timing, line: line, start: start) }
        var negated = false
        while try peekIsReserved("!") {
            consume()
            negated.toggle()
        }
        var commands = [try parseCommand()]
        while try peekIs(.pipe) {
            consume()
            try skipNewlines()
            commands.append(try parseCommand())
        }
        return Pipeline(timing: timing, negated: negated, commands: commands, line: line, typedText: typedText(from: start))
    }

    /// `time` or `time -p` at a pipeline's start (a reserved word only there, as in bash).
    /// Out of line, like `nextTokenPosition`: the recursive grammar's frames stay small.
    @inline(never)
    func parseTiming() throws(SyntaxError) -> Pipeline.Timing? {
        guard try peekIsReserved("time") else { return nil }
        consume()
        guard try peekIsReserved("-p") else { return .bash }
        consume()
        return .posix
    }

    /// `time` alone times nothing, as bash's does: a pipeline of `:`.
    @inline(never)
    func timingNothing(_ timing: Pipeline.Timing?, line: Int, start: Int) -> Pipeline {
        let nothing = Command.simple(SimpleCommand(words: [Word([.literal(":")])], line: line))
        return Pipeline(timing: timing, commands: [nothing], line: line, typedText: typedText(from: start))
    }

    // MARK: Commands

    func parseCommand() throws(SyntaxError) -> Command {
        while true {
            let t = try peek()
            if t.token == .op(.openParen) {
                return try parseCompoundCommandWithRedirections()
            }
            if let word = t.plainText {
                switch word {
                case "{", "if", "while", "until", "for", "case", "[[":
                    return try parseCompoundCommandWithRedirections()
                case "function":
                    return try parseFunctionKeywordDefinition()
                default:
                    // `!` negates a whole pipeline only: `a | ! b` is an error, as in bash and dash.
                    if word == "!" || closingReservedWords.contains(word) { throw unexpected(t) }
                }
                if expandAlias(t) { continue }
            }
            return try parseSimpleCommand()
        }
    }

    private func parseCompoundCommandWithRedirections() throws(SyntaxError) -> Command {
        let line = try peek().line
        let compound = try parseCompoundCommand()
        return .compound(compound, redirections: try parseRedirections(), line: line)
    }

    func parseCompoundCommand() throws(SyntaxError) -> CompoundCommand {
        try enter()
        defer { leave() }
        // Each kind in a function of its own: this frame is on the stack once per nesting level.
        switch try nextCompoundKeyword() {
        case "(": return try parseGroup(.subshell)
        case "{": return try parseGroup(.braceGroup)
        case "if": return try parseIfClause()
        case "while": return try parseWhileLoop(until: false)
        case "until": return try parseWhileLoop(until: true)
        case "for": return try parseForLoop()
        case "[[": return try parseConditionalCommand()
        default: return try parseCaseClause()
        }
    }

    /// The word or `(` that opens a compound command, consumed.
    @inline(never)
    private func nextCompoundKeyword() throws(SyntaxError) -> String {
        let t = try next()
        if t.token == .op(.openParen) { return "(" }
        guard let word = t.plainText, ["{", "if", "while", "until", "for", "case", "[["].contains(word) else { throw unexpected(t) }
        return word
    }

    private enum GroupKind { case subshell, braceGroup }

    /// `( list )` or `{ list; }`, after the opening token.
    @inline(never)
    private func parseGroup(_ kind: GroupKind) throws(SyntaxError) -> CompoundCommand {
        let list = try parseNonEmptyCompoundList()
        switch kind {
        case .subshell:
            try expect(.closeParen)
            return .subshell(list)
        case .braceGroup:
            try expectReserved("}")
            return .braceGroup(list)
        }
    }

    /// `while`/`until list; do list; done`, after the first word.
    @inline(never)
    private func parseWhileLoop(until: Bool) throws(SyntaxError) -> CompoundCommand {
        let condition = try parseNonEmptyCompoundList()
        try expectReserved("do")
        let body = try parseNonEmptyCompoundList()
        try expectReserved("done")
        return until ? .untilLoop(condition: condition, body: body) : .whileLoop(condition: condition, body: body)
    }

    private func parseIfClause() throws(SyntaxError) -> CompoundCommand {
        var branches: [ConditionalBranch] = []
        while true {
            let condition = try parseNonEmptyCompoundList()
            try expectReserved("then")
            branches.append(ConditionalBranch(condition: condition, body: try parseNonEmptyCompoundList()))
            guard try peekIsReserved("elif") else { break }
            consume()
        }
        var elseBody: CommandList?
        if try peekIsReserved("else") {
            consume()
            elseBody = try parseNonEmptyCompoundList()
        }
        try expectReserved("fi")
        return .ifClause(branches: branches, elseBody: elseBody)
    }

    private func parseForLoop() throws(SyntaxError) -> CompoundCommand {
        let nameToken = try next()
        guard let name = nameToken.plainText, isName(name) else { throw unexpected(nameToken) }
        var items: [Word]?
        if try peekIs(.semicolon) {
            consume()
            try skipNewlines()
        } else {
            try skipNewlines()
            if try peekIsReserved("in") {
                consume()
                var words: [Word] = []
                reading: while true {
                    let t = try next()
                    switch t.token {
                    case .word(let w): words.append(applyingTilde(w))
                    case .op(.semicolon), .newline: break reading
                    default: throw unexpected(t)
                    }
                }
                items = words
                try skipNewlines()
            }
        }
        try expectReserved("do")
        let body = try parseNonEmptyCompoundList()
        try expectReserved("done")
        return .forLoop(variable: name, items: items, body: body)
    }

    @inline(never)
    private func parseCaseClause() throws(SyntaxError) -> CompoundCommand {
        let subject = try parseCaseSubject()
        var items: [CaseItem] = []
        while let patterns = try parseCasePatterns() {
            items.append(CaseItem(patterns: patterns, body: try parseCompoundList()))
            guard try continuesCaseClause() else { break }
        }
        return .caseClause(subject: subject, items: items)
    }

    /// `WORD in` after `case`. The helpers of `parseCaseClause` keep tokens out of its frame,
    /// which is on the stack once per nesting level.
    @inline(never)
    private func parseCaseSubject() throws(SyntaxError) -> Word {
        let subjectToken = try next()
        guard case .word(let subject) = subjectToken.token else { throw unexpected(subjectToken) }
        try skipNewlines()
        try expectReserved("in")
        return applyingTilde(subject)
    }

    /// The patterns of the next item, through its `)`; nil at `esac`.
    @inline(never)
    private func parseCasePatterns() throws(SyntaxError) -> [Word]? {
        try skipNewlines()
        if try peekIsReserved("esac") {
            consume()
            return nil
        }
        if try peekIs(.openParen) { consume() }
        var patterns: [Word] = []
        while true {
            let p = try next()
            guard case .word(let pattern) = p.token else { throw unexpected(p) }
            patterns.append(applyingTilde(pattern))
            let separator = try next()
            if separator.token == .op(.pipe) { continue }
            if separator.token == .op(.closeParen) { return patterns }
            throw unexpected(separator)
        }
    }

    /// After an item's body: `;;` (more may follow) or `esac` (the end).
    @inline(never)
    private func continuesCaseClause() throws(SyntaxError) -> Bool {
        let end = try next()
        if end.token == .op(.doubleSemicolon) { return true }
        if end.plainText == "esac" { return false }
        throw unexpected(end)
    }

    /// `function name [()] compound-command [redirections]` (bash).
    private func parseFunctionKeywordDefinition() throws(SyntaxError) -> Command {
        let keyword = try next()
        let nameToken = try next()
        guard let name = nameToken.plainText, isFunctionName(name) else { throw unexpected(nameToken) }
        if try peekIs(.openParen) {
            consume()
            try expect(.closeParen)
        }
        return try parseFunctionBody(name: name, line: keyword.line)
    }

    private func parseFunctionBody(name: String, line: Int) throws(SyntaxError) -> Command {
        // A level of its own: nested definitions recurse through parseSimpleCommand, whose frame
        // is large, and would exhaust the stack before the compound commands alone hit the limit.
        try enter()
        defer { leave() }
        try skipNewlines()
        let t = try peek()
        let opensCompound = t.token == .op(.openParen) || ["{", "if", "while", "until", "for", "case"].contains(t.plainText ?? "")
        guard opensCompound else { throw unexpected(t) }
        let body = try parseCompoundCommand()
        let redirections = try parseRedirections()
        return .function(FunctionDefinition(name: name, body: body, redirections: redirections, line: line))
    }

    private func isFunctionName(_ name: String) -> Bool {
        !name.isEmpty && !reservedWords.contains(name) && !name.hasPrefix("!") && !name.contains("=")
    }

    func parseSimpleCommand() throws(SyntaxError) -> Command {
        let line = try peek().line
        var command = SimpleCommand(line: line)
        var haveName = false
        while true {
            let t = try peek()
            switch t.token {
            case .ioNumber, .op(.less), .op(.greater), .op(.doubleGreater), .op(.clobber), .op(.lessGreater),
                .op(.lessAmpersand), .op(.greaterAmpersand), .op(.doubleLess), .op(.doubleLessDash), .op(.tripleLess),
                .op(.ampersandGreater), .op(.ampersandDoubleGreater):
                command.redirections += try parseRedirection()
            case .word(let word) where !haveName:
                if let a = assignment(from: word) {
                    consume()
                    command.assignments.append(a)
                    continue
                }
                if expandAlias(t) { continue }
                consume()
                haveName = true
                if let hostWord = strippingHostMarker(word) {
                    command.side = .host
                    command.words.append(applyingTilde(hostWord))
                    continue
                }
                if command.assignments.isEmpty, command.redirections.isEmpty, let name = t.plainText,
                    isFunctionName(name), try peekIs(.openParen)
                {
                    consume()
                    try expect(.closeParen)
                    return try parseFunctionBody(name: name, line: line)
                }
                command.words.append(applyingTilde(word))
            case .word(let word):
                if let from = aliasCheckFrom, t.start >= from {
                    aliasCheckFrom = nil
                    if expandAlias(t) { continue }
                }
                consume()
                if isDeclarationUtility(command.words.first) {
                    command.words.append(applyingDeclarationTilde(word))
                } else {
                    command.words.append(applyingTilde(word))
                }
            default:
                if command.assignments.isEmpty, command.words.isEmpty, command.redirections.isEmpty {
                    throw unexpected(t)
                }
                return .simple(command)
            }
        }
    }

    // MARK: Redirections

    func parseRedirections() throws(SyntaxError) -> [Redirection] {
        var result: [Redirection] = []
        while true {
            switch try peek().token {
            case .ioNumber: result += try parseRedirection()
            case .op(let op) where op.isRedirection: result += try parseRedirection()
            default: return result
            }
        }
    }

    /// One redirection as written; `&>f` and `>&f` (f not a number or `-`) become `>f 2>&1`.
    func parseRedirection() throws(SyntaxError) -> [Redirection] {
        var fd: Int32?
        var t = try next()
        if case .ioNumber(let n) = t.token {
            fd = n
            t = try next()
        }
        guard case .op(let op) = t.token, op.isRedirection else { throw unexpected(t) }
        let targetToken = try next()
        guard case .word(let word) = targetToken.token else { throw unexpected(targetToken) }
        func fileThenStandardError(_ fileOp: RedirectionOperator) -> [Redirection] {
            let (target, side) = fileTarget(word)
            return [
                Redirection(fd: nil, op: fileOp, target: target, targetSide: side),
                Redirection(fd: 2, op: .duplicateOutput, target: .literal("1")),
            ]
        }
        switch op {
        case .doubleLess, .doubleLessDash:
            let stripTabs = op == .doubleLessDash
            let (target, placeholder) = registerHereDocument(delimiterToken: targetToken, stripTabs: stripTabs)
            return [Redirection(fd: fd, op: .hereDocument(stripTabs: stripTabs), target: target, hereDocument: placeholder)]
        case .tripleLess:
            return [Redirection(fd: fd, op: .hereString, target: applyingTilde(word))]
        case .lessAmpersand:
            return [Redirection(fd: fd, op: .duplicateInput, target: word)]
        case .greaterAmpersand:
            if fd == nil, let name = staticText(word), name != "-", name.isEmpty || !name.utf8.allSatisfy(Byte.isDigit) {
                return fileThenStandardError(.output)
            }
            return [Redirection(fd: fd, op: .duplicateOutput, target: word)]
        case .ampersandGreater: return fileThenStandardError(.output)
        case .ampersandDoubleGreater: return fileThenStandardError(.append)
        default:
            let fileOp: RedirectionOperator
            switch op {
            case .less: fileOp = .input
            case .greater: fileOp = .output
            case .doubleGreater: fileOp = .append
            case .clobber: fileOp = .clobber
            default: fileOp = .readWrite
            }
            let (target, side) = fileTarget(word)
            return [Redirection(fd: fd, op: fileOp, target: target, targetSide: side)]
        }
    }

    private func fileTarget(_ word: Word) -> (Word, Side) {
        if let hostWord = strippingHostMarker(word) { return (applyingTilde(hostWord), .host) }
        return (applyingTilde(word), .guest)
    }
}

/// The word without its leading unquoted `!` when it is a host marker: `!` directly followed by
/// more of the word.
func strippingHostMarker(_ word: Word) -> Word? {
    guard case .literal(let text)? = word.parts.first, text.hasPrefix("!") else { return nil }
    let rest = text.dropFirst()
    var parts = word.parts
    if rest.isEmpty {
        guard parts.count > 1 else { return nil }
        parts.removeFirst()
    } else {
        parts[0] = .literal(String(rest))
    }
    return Word(parts)
}

/// The text of a word with no expansions in it, or nil.
func staticText(_ word: Word) -> String? {
    var text = ""
    for part in word.parts {
        switch part {
        case .literal(let s), .quoted(let s): text += s
        default: return nil
        }
    }
    return text
}
