#if canImport(Glibc)
    import Glibc
#endif

/// What Tab offers for the word before the cursor.
public struct Completion: Sendable, Equatable {
    /// Where the word being completed starts (a UTF-8 offset into the line).
    public var wordStart: Int
    /// Full replacements for that word, quoted as needed, ending in `/` for a directory or in a
    /// space when final.
    public var candidates: [String]

    public init(wordStart: Int, candidates: [String]) {
        self.wordStart = wordStart
        self.candidates = candidates
    }
}

/// The word under the cursor and its role, found by a light scan of the line (the line may be
/// unfinished, so the parser cannot be used).
struct CompletionWord: Equatable {
    enum Role: Equatable {
        case command
        case argument
        case redirectionTarget
    }

    var start: Int
    /// The word as typed, with its quotes.
    var raw: String
    /// The word with quotes removed.
    var text: String
    var role: Role
    /// Whether the command this word belongs to runs on the host (`!name …`).
    var inHostCommand: Bool

    static func analyze(_ line: [UInt8]) -> CompletionWord {
        var start = 0
        var text: [UInt8] = []
        var role = Role.command
        var nextRole = Role.command
        var inHostCommand = false
        var quote: UInt8? = nil
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
        }

        while index < line.count {
            let byte = line[index]
            if let open = quote {
                if byte == open {
                    quote = nil
                } else if open == UInt8(ascii: "\"") && byte == UInt8(ascii: "\\") && index + 1 < line.count {
                    index += 1
                    text.append(line[index])
                } else {
                    text.append(byte)
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
                if !wordStarted { start = index; wordStarted = true }
                quote = byte
            case UInt8(ascii: "\\"):
                if !wordStarted { start = index; wordStarted = true }
                if index + 1 < line.count {
                    index += 1
                    text.append(line[index])
                }
            default:
                if !wordStarted {
                    start = index
                    wordStarted = true
                    // A redirection target is followed by the command's arguments again.
                    if role == .redirectionTarget { nextRole = .argument }
                }
                text.append(byte)
            }
            index += 1
        }
        if !wordStarted { start = line.count }
        let raw = String(decoding: line[start...], as: UTF8.self)
        return CompletionWord(
            start: start, raw: raw, text: String(decoding: text, as: UTF8.self), role: role,
            inHostCommand: inHostCommand)
    }
}

extension Shell {
    /// The host builtins (`!cd`, `!pwd`, …).
    static let hostBuiltins = ["cd", "export", "pwd", "umask", "unset"]

    /// What Tab offers at the end of `line` (up to `cursor`, a UTF-8 offset).
    public func complete(line: String, cursor: Int) -> Completion {
        let bytes = Array(line.utf8.prefix(cursor))
        let word = CompletionWord.analyze(bytes)
        let text = word.text

        if word.raw.hasPrefix("$"), !text.contains("/") {
            let prefix = String(text.dropFirst())
            let names = variables.visibleVariables().map(\.name) + ["HOME"]
            let candidates = Set(names.filter { $0.hasPrefix(prefix) }).sorted().map { "$" + $0 }
            return Completion(wordStart: word.start, candidates: candidates)
        }
        if word.role == .command && text.hasPrefix("!") && !text.contains("/") {
            let prefix = String(text.dropFirst())
            let names = hostCommandNames(prefix: prefix)
            let candidates = Set(names + Self.hostBuiltins.filter { $0.hasPrefix(prefix) }).sorted()
            return Completion(wordStart: word.start, candidates: candidates.map { "!" + quoteForCompletion($0) + " " })
        }
        if word.role == .command && !text.contains("/") && !text.hasPrefix("~") && !text.hasPrefix(".") {
            return Completion(wordStart: word.start, candidates: guestCommands(prefix: text).map { quoteForCompletion($0) + " " })
        }
        if text.hasPrefix("!") {
            return Completion(
                wordStart: word.start,
                candidates: hostPathCandidates(String(text.dropFirst())).map { "!" + $0 })
        }
        if word.inHostCommand && word.role != .redirectionTarget {
            return Completion(wordStart: word.start, candidates: hostPathCandidates(text))
        }
        return Completion(wordStart: word.start, candidates: guestPathCandidates(text))
    }

    /// Builtins, functions, aliases and PATH programs starting with `prefix`.
    func guestCommands(prefix: String) -> [String] {
        var names = Set<String>()
        for name in Builtins.table.keys where name.hasPrefix(prefix) { names.insert(name) }
        for name in functions.keys where name.hasPrefix(prefix) { names.insert(name) }
        for name in aliases.keys where name.hasPrefix(prefix) { names.insert(name) }
        for directory in (variables.value("PATH") ?? "").split(separator: ":") {
            let path = String(directory)
            for name in LocalDirectoryReader().entries(ofDirectory: path) ?? [] where name.hasPrefix(prefix) {
                if !names.contains(name), access("\(path)/\(name)", X_OK) == 0, !isDirectory("\(path)/\(name)") {
                    names.insert(name)
                }
            }
        }
        return names.sorted()
    }

    func guestPathCandidates(_ text: String) -> [String] {
        let (directory, prefix) = splitForCompletion(text)
        let listed = expandTildeForListing(directory)
        let reader = LocalDirectoryReader()
        var candidates: [String] = []
        for name in reader.entries(ofDirectory: listed.isEmpty ? "." : listed) ?? [] {
            guard name.hasPrefix(prefix), prefix.hasPrefix(".") || !name.hasPrefix(".") else { continue }
            let isDirectory = reader.isDirectory((listed.isEmpty ? "" : listed) + name)
            candidates.append(quoteForCompletion(directory + name) + (isDirectory ? "/" : " "))
        }
        return candidates.sorted()
    }

    func hostPathCandidates(_ text: String) -> [String] {
        let (directory, prefix) = splitForCompletion(text)
        var candidates: [String] = []
        for entry in hostDirectoryEntries(directory: directory, prefix: prefix) {
            guard prefix.hasPrefix(".") || !entry.name.hasPrefix(".") else { continue }
            candidates.append(quoteForCompletion(directory + entry.name) + (entry.isDirectory ? "/" : " "))
        }
        return candidates.sorted()
    }

    /// `~/src/ma` → `/home/me/src/` for listing (the candidate keeps the `~` as typed).
    private func expandTildeForListing(_ directory: String) -> String {
        guard directory.hasPrefix("~") else { return directory }
        let slash = directory.firstIndex(of: "/") ?? directory.endIndex
        let user = String(directory[directory.index(after: directory.startIndex)..<slash])
        guard let home = homeDirectory(user.isEmpty ? nil : user) else { return directory }
        return home + directory[slash...]
    }
}

/// `dir/sub/pre` → (`dir/sub/`, `pre`).
func splitForCompletion(_ text: String) -> (directory: String, prefix: String) {
    guard let slash = text.lastIndex(of: "/") else { return ("", text) }
    return (String(text[...slash]), String(text[text.index(after: slash)...]))
}

/// Backslash-escapes what the shell would otherwise interpret in a completed word.
func quoteForCompletion(_ text: String) -> String {
    var result = ""
    for (index, character) in text.enumerated() {
        switch character {
        case " ", "\t", "\n", "'", "\"", "\\", "$", "`", "&", ";", "|", "<", ">", "(", ")", "*", "?", "[", "]", "{", "}":
            result.append("\\")
        case "#", "!":
            if index == 0 { result.append("\\") }
        case "~":
            // A leading `~` the user typed for a home directory stays a tilde.
            if index == 0 && !text.contains("/") { result.append("\\") }
        default:
            break
        }
        result.append(character)
    }
    return result
}
