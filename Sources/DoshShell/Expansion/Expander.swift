import DoshProtocol
import DoshSystem

#if canImport(Glibc)
    import Glibc
#endif

/// A piece of a word after parameter, command and arithmetic expansion, before field splitting.
struct ExpandedPiece {
    var text: String
    /// From quoted text: never split, never a pattern.
    var quoted: Bool
    /// The result of an unquoted expansion: split by IFS.
    var splittable: Bool
}

/// The output of the first expansion steps: pieces, and the field boundaries `"$@"` makes.
enum ExpansionToken {
    case piece(ExpandedPiece)
    /// Between two positional parameters; `ofStar` for `$*`, which a context without field
    /// splitting (`x=$*`) joins with IFS's first character where `$@` gets a space.
    case fieldBreak(ofStar: Bool)
}

/// What a word is expanded for.
enum ExpansionMode {
    /// Command arguments and `for` items: field splitting and pathname expansion.
    case fields
    /// Assignments, redirection targets, `case` subjects: one string, no splitting or globbing.
    case string
    /// `case` patterns and `${x#p}`: one string with quoted characters escaped for `Pattern`.
    case pattern
}

extension Shell {
    /// Expands words into fields: brace expansion (bash), then tilde, parameter, command and
    /// arithmetic expansion, field splitting, pathname expansion and quote removal, in POSIX order.
    func expandFields(_ words: [Word], reader: some DirectoryReader = LocalDirectoryReader()) throws(Unwind) -> [String] {
        var fields: [String] = []
        for word in words.flatMap(braceExpanded) {
            // Fast path: a plain literal word with nothing to expand.
            if word.parts.count == 1, case .literal(let text) = word.parts[0], !hasGlobCharacter(text) {
                fields.append(text)
                continue
            }
            var tokens: [ExpansionToken] = []
            try expandParts(word.parts, quoted: false, into: &tokens)
            for field in splitFields(tokens) {
                fields.append(contentsOf: pathnameExpand(field, reader: reader))
            }
        }
        return fields
    }

    /// Expands a word to one string, without field splitting or pathname expansion.
    func expandString(_ word: Word) throws(Unwind) -> String {
        if word.parts.count == 1, case .literal(let text) = word.parts[0] { return text }
        var tokens: [ExpansionToken] = []
        try expandParts(word.parts, quoted: false, into: &tokens)
        var result = ""
        for token in tokens {
            switch token {
            case .piece(let piece): result += piece.text
            case .fieldBreak(let ofStar): result += ofStar ? starSeparator : " "
            }
        }
        return result
    }

    /// Expands a word into an escaped pattern (see `Pattern`): quoted characters are escaped.
    func expandPattern(_ word: Word) throws(Unwind) -> String {
        var tokens: [ExpansionToken] = []
        try expandParts(word.parts, quoted: false, into: &tokens)
        var result = ""
        for token in tokens {
            switch token {
            case .piece(let piece):
                result += piece.quoted ? escapeForPattern(piece.text) : piece.text
            case .fieldBreak(let ofStar):
                result += ofStar ? escapeForPattern(starSeparator) : " "
            }
        }
        return result
    }

    /// What joins the parameters of `"$*"`: IFS's first character, a space when IFS is unset.
    var starSeparator: String {
        guard let ifs = variables.value("IFS") else { return " " }
        return ifs.first.map { String($0) } ?? ""
    }

    func expandParts(_ parts: [WordPart], quoted: Bool, into tokens: inout [ExpansionToken]) throws(Unwind) {
        for part in parts {
            switch part {
            case .literal(let text):
                tokens.append(.piece(ExpandedPiece(text: text, quoted: quoted, splittable: false)))
            case .quoted(let text):
                tokens.append(.piece(ExpandedPiece(text: text, quoted: true, splittable: false)))
            case .doubleQuoted(let inner):
                if inner.isEmpty || !inner.allSatisfy(isAllParameters) {
                    // Quotes make a field even when empty (`""`), except `"$@"` with no parameters.
                    tokens.append(.piece(ExpandedPiece(text: "", quoted: true, splittable: false)))
                }
                try expandParts(inner, quoted: true, into: &tokens)
            case .tilde(let user):
                if let home = homeDirectory(user) {
                    tokens.append(.piece(ExpandedPiece(text: home, quoted: true, splittable: false)))
                } else {
                    tokens.append(.piece(ExpandedPiece(text: "~" + (user ?? ""), quoted: quoted, splittable: false)))
                }
            case .parameter(let expansion):
                try expandParameter(expansion, quoted: quoted, into: &tokens)
            case .commandSubstitution(let list):
                let output = try commandSubstitution(list)
                tokens.append(.piece(ExpandedPiece(text: output, quoted: quoted, splittable: !quoted)))
            case .arithmetic(let expression):
                let value = try evaluateArithmetic(expression)
                tokens.append(.piece(ExpandedPiece(text: String(value), quoted: quoted, splittable: !quoted)))
            }
        }
    }

    func evaluateArithmetic(_ expression: Word) throws(Unwind) -> Int {
        let text = try expandString(expression)
        var adapter = ArithmeticShellVariables(shell: self)
        do {
            return try Arithmetic.evaluate(text, variables: &adapter)
        } catch {
            report("\(text.trimmingBlanks()): \(error.message)")
            throw .fatal(status: 1)
        }
    }

    /// The home directory of `user`, or of the current user when nil (`$HOME` first).
    func homeDirectory(_ user: String?) -> String? {
        if user == nil, let home = hostExpansion?.state.home { return home }
        guard let user else {
            if let home = variables.value("HOME") { return home }
            guard let entry = getpwuid(getuid()), let dir = entry.pointee.pw_dir else { return nil }
            return String(cString: dir)
        }
        guard let entry = getpwnam(user), let dir = entry.pointee.pw_dir else { return nil }
        return String(cString: dir)
    }

    // MARK: Field splitting

    /// Splits pieces into fields at IFS characters found in unquoted expansion results, and at
    /// `"$@"` boundaries. Fields with no content at all disappear (an unquoted empty expansion).
    func splitFields(_ tokens: [ExpansionToken]) -> [[ExpandedPiece]] {
        let ifs = variables.value("IFS") ?? " \t\n"
        var fields: [[ExpandedPiece]] = []
        var current: [ExpandedPiece] = []
        var currentText = ""
        var currentQuoted = false
        var hasContent = false
        var endedByWhitespace = false

        func finishPiece() {
            if !currentText.isEmpty || currentQuoted {
                current.append(ExpandedPiece(text: currentText, quoted: currentQuoted, splittable: false))
            }
            currentText = ""
        }
        func finishField() {
            finishPiece()
            fields.append(current)
            current = []
            hasContent = false
        }

        for token in tokens {
            switch token {
            case .fieldBreak:
                if hasContent { finishField() } else { finishPiece(); current = [] }
                endedByWhitespace = false
            case .piece(let piece) where !piece.splittable || ifs.isEmpty:
                finishPiece()
                current.append(piece)
                if piece.quoted || !piece.text.isEmpty {
                    hasContent = true
                    endedByWhitespace = false
                }
            case .piece(let piece):
                finishPiece()
                currentQuoted = false
                for character in piece.text {
                    if ifs.contains(character) {
                        if character == " " || character == "\t" || character == "\n" {
                            if hasContent {
                                finishField()
                                endedByWhitespace = true
                            }
                        } else {
                            if hasContent || !endedByWhitespace { finishField() }
                            endedByWhitespace = false
                        }
                    } else {
                        currentText.append(character)
                        hasContent = true
                        endedByWhitespace = false
                    }
                }
                finishPiece()
            }
        }
        if hasContent { finishField() }
        return fields
    }

    // MARK: Pathname expansion

    func pathnameExpand(_ field: [ExpandedPiece], reader: some DirectoryReader) -> [String] {
        let literal = field.map(\.text).joined()
        guard !options.noGlob, field.contains(where: { !$0.quoted && hasGlobCharacter($0.text) }) else {
            return [literal]
        }
        let pattern = field.map { $0.quoted ? escapeForPattern($0.text) : $0.text }.joined()
        guard Pattern(pattern).hasWildcards else { return [literal] }
        let matches = hostExpansion.map { hostGlob(pattern, $0.session, globStar: options.globStar) }
            ?? PathnameExpansion.expand(pattern, reader: reader, globStar: options.globStar)
        return matches.isEmpty ? [literal] : matches
    }
}

extension Shell {
    /// Matches a pattern against the host's files, in one round trip. A failure matches nothing
    /// (the word is kept), like an unreadable directory.
    func hostGlob(_ pattern: String, _ session: HostSession, globStar: Bool) -> [String] {
        guard let answer = try? session.request(.expandPattern(pattern: Array(pattern.utf8), limit: 100_000, globStar: globStar)),
            case .names(let names, _) = answer.message.body
        else { return [] }
        return names.map { String(decoding: $0, as: UTF8.self) }
    }
}

/// Whether a `.doubleQuoted` part is `$@` alone (which yields no field for no parameters).
private func isAllParameters(_ part: WordPart) -> Bool {
    if case .parameter(let expansion) = part, expansion.name == "@", expansion.operation == .value { return true }
    return false
}

func hasGlobCharacter(_ text: String) -> Bool {
    text.utf8.contains { $0 == UInt8(ascii: "*") || $0 == UInt8(ascii: "?") || $0 == UInt8(ascii: "[") }
}

/// Escapes the characters `Pattern` treats specially, so that text matches only itself.
func escapeForPattern(_ text: String) -> String {
    var result = ""
    result.reserveCapacity(text.utf8.count)
    for character in text {
        switch character {
        case "\\", "*", "?", "[", "]", "!", "^", "-":
            result.append("\\")
            result.append(character)
        default:
            result.append(character)
        }
    }
    return result
}

extension String {
    func trimmingBlanks() -> String {
        var view = Substring(self)
        while let first = view.first, first == " " || first == "\t" || first == "\n" { view = view.dropFirst() }
        while let last = view.last, last == " " || last == "\t" || last == "\n" { view = view.dropLast() }
        return String(view)
    }
}

/// Lets arithmetic read and assign the shell's variables.
struct ArithmeticShellVariables: ArithmeticVariables {
    let shell: Shell

    func arithmeticValue(of name: String) -> String? {
        shell.variables.value(name)
    }

    mutating func arithmeticAssign(_ name: String, _ value: Int) throws(ArithmeticError) {
        do {
            try shell.assignVariable(name, String(value))
        } catch {
            throw ArithmeticError(message: "\(name): \(error.message)")
        }
    }
}
