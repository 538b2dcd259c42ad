/// The word under the cursor and its role, found by a light scan of the line (the line may be
/// unfinished, so the parser cannot be used).
struct CompletionWord: Equatable {
    enum Role: Equatable {
        case command
        case argument
        case redirectionTarget
    }

    /// How a character of the word was quoted where it was typed: whether `$` and `~` still
    /// mean something there.
    enum Quoting: Equatable {
        case none
        /// Inside double quotes: `$` expands, `~` does not.
        case double
        /// Inside single quotes or after a backslash: nothing expands.
        case literal
    }

    var start: Int
    /// The word as typed, with its quotes.
    var raw: String
    /// The word with quotes removed.
    var text: String
    /// How each UTF-8 byte of `text` was quoted.
    var quoting: [Quoting]
    var role: Role
    /// Whether the command this word belongs to runs on the host (`!name …`).
    var inHostCommand: Bool
    /// The quote still open at the cursor (`"` or `'`), nil when none is.
    var openQuote: UInt8?
    /// The word ends in a backslash that escapes nothing yet.
    var endsInEscape: Bool

    static func analyze(_ line: [UInt8]) -> CompletionWord {
        var start = 0
        var text: [UInt8] = []
        var quoting: [Quoting] = []
        var role = Role.command
        var nextRole = Role.command
        var inHostCommand = false
        var quote: UInt8? = nil
        var endsInEscape = false
        var index = 0
        var wordStarted = false

        func endWord() {
            if wordStarted {
                let word = String(decoding: text, as: UTF8.self)
                if role == .command {
                    if word.contains("=") && !word.hasPrefix("=") && !word.hasPrefix("!") {
                        nextRole = .command  // an assignment: the command comes next
                    } else if ["if", "then", "else", "elif", "do", "while", "until", "!", "{", "("].contains(word) {
                        nextRole = .command
                    } else {
                        inHostCommand = word.hasPrefix("!") && word.count > 1
                        nextRole = .argument
                    }
                } else {
                    nextRole = .argument
                }
            }
            wordStarted = false
            text = []
            quoting = []
        }

        func beginWord() {
            guard !wordStarted else { return }
            start = index
            wordStarted = true
            // A redirection target is followed by the command's arguments again.
            if role == .redirectionTarget { nextRole = .argument }
        }

        func append(_ byte: UInt8, _ how: Quoting) {
            text.append(byte)
            quoting.append(how)
        }

        while index < line.count {
            let byte = line[index]
            if let open = quote {
                if byte == open {
                    quote = nil
                } else if open == UInt8(ascii: "\"") && byte == UInt8(ascii: "\\") {
                    // Inside double quotes a backslash escapes only these; before anything
                    // else it is itself.
                    if index + 1 == line.count {
                        endsInEscape = true
                    } else if Array("$`\"\\\n".utf8).contains(line[index + 1]) {
                        index += 1
                        append(line[index], .literal)
                    } else {
                        append(byte, .literal)
                    }
                } else {
                    append(byte, open == UInt8(ascii: "'") ? .literal : .double)
                }
                index += 1
                continue
            }
            switch byte {
            case UInt8(ascii: " "), UInt8(ascii: "\t"), UInt8(ascii: "\n"):
                endWord()
                role = nextRole
            case UInt8(ascii: ";"), UInt8(ascii: "|"), UInt8(ascii: "&"), UInt8(ascii: "("), UInt8(ascii: ")"):
                endWord()
                role = .command
                nextRole = .command
                inHostCommand = false
            case UInt8(ascii: "<"), UInt8(ascii: ">"):
                endWord()
                role = .redirectionTarget
                nextRole = .redirectionTarget
            case UInt8(ascii: "'"), UInt8(ascii: "\""):
                beginWord()
                quote = byte
            case UInt8(ascii: "\\"):
                beginWord()
                if index + 1 < line.count {
                    index += 1
                    append(line[index], .literal)
                } else {
                    endsInEscape = true
                }
            default:
                beginWord()
                append(byte, .none)
            }
            index += 1
        }
        if !wordStarted { start = line.count }
        let raw = String(decoding: line[start...], as: UTF8.self)
        return CompletionWord(
            start: start, raw: raw, text: String(decoding: text, as: UTF8.self), quoting: quoting, role: role,
            inHostCommand: inHostCommand, openQuote: quote, endsInEscape: endsInEscape)
    }

    /// The word without the `!` that makes it a host path (`< !notes`), or nil when it has none.
    func afterHostMarker() -> CompletionWord? {
        guard text.utf8.first == UInt8(ascii: "!"), quoting.first == CompletionWord.Quoting.none else { return nil }
        var word = self
        word.start += 1
        word.raw = String(raw.dropFirst())
        word.text = String(text.dropFirst())
        word.quoting = Array(quoting.dropFirst())
        return word
    }

    /// The word completed to `full` (its text followed by more): what was typed stays as typed,
    /// the rest is quoted as the place needs (inside the open quote, if any). Then `closing`
    /// (verbatim, such as the `}` of `${NAME}`), the closing quote when `closesQuote`, and
    /// `suffix` (`/` after a directory, a space after a finished word).
    ///
    /// Keeping the typed part is what bash does: `$PWD/al` becomes `$PWD/alpha.txt`, not the
    /// expanded path, and `"fil` becomes `"file one.txt"`.
    func completed(to full: String, closing: String = "", closesQuote: Bool, suffix: String) -> String {
        let rest = String(decoding: full.utf8.dropFirst(text.utf8.count), as: UTF8.self)
        // A backslash that escapes nothing yet (a common prefix can end between `\` and the
        // character it escapes) is dropped: the rest brings its own quoting.
        let typed = endsInEscape ? String(raw.dropLast()) : raw
        var result = typed + Self.quote(rest, inside: openQuote, atWordStart: text.isEmpty)
        result += closing
        if closesQuote, let openQuote { result.append(Character(Unicode.Scalar(openQuote))) }
        return result + suffix
    }

    /// `text` written so that the shell reads it back literally: inside single quotes a `'` as
    /// `'\''`; inside double quotes a backslash before `$`, `` ` ``, `"` and `\`; outside quotes
    /// a backslash before every character the shell would otherwise interpret.
    static func quote(_ text: String, inside quote: UInt8?, atWordStart: Bool) -> String {
        var result = ""
        switch quote {
        case UInt8(ascii: "'"):
            for character in text {
                result += character == "'" ? "'\\''" : String(character)
            }
        case UInt8(ascii: "\""):
            for character in text {
                if "$`\"\\".contains(character) { result.append("\\") }
                result.append(character)
            }
        default:
            for (index, character) in text.enumerated() {
                switch character {
                case " ", "\t", "\n", "'", "\"", "\\", "$", "`", "&", ";", "|", "<", ">", "(", ")", "*", "?", "[", "]", "{", "}":
                    result.append("\\")
                case "#", "!", "~":
                    // Special only at the start of a word (a comment, a host word, a home directory).
                    if index == 0 && atWordStart { result.append("\\") }
                default:
                    break
                }
                result.append(character)
            }
        }
        return result
    }
}
