#if canImport(Glibc)
    import Glibc
#endif

/// What Tab offers for the word before the cursor.
public struct Completion: Sendable, Equatable {
    public struct Candidate: Sendable, Equatable {
        /// A full replacement for the word: what was typed kept as typed, the rest quoted as
        /// needed, ending in `/` for a directory or, when final, in the closing quote (if a
        /// quote is open) and a space.
        public var replacement: String
        /// How a listing of the candidates shows it, as bash: a path's last component (with
        /// `/` for a directory), a variable as `$NAME`, a command by its name.
        public var listed: String
    }

    /// Where the word being completed starts (a UTF-8 offset into the line).
    public var wordStart: Int
    public var candidates: [Candidate]

    public init(wordStart: Int, candidates: [Candidate]) {
        self.wordStart = wordStart
        self.candidates = candidates
    }
}

extension Shell {
    /// The host builtins (`!cd`, `!pwd`, …).
    static let hostBuiltins = ["cd", "export", "pwd", "umask", "unset"]

    /// What Tab offers at the end of `line` (up to `cursor`, a UTF-8 offset).
    public func complete(line: String, cursor: Int) -> Completion {
        let word = CompletionWord.analyze(Array(line.utf8.prefix(cursor)))
        return Completion(wordStart: word.start, candidates: candidates(for: word))
    }

    private func candidates(for word: CompletionWord) -> [Completion.Candidate] {
        let text = word.text
        if let variable = VariableReference(word) {
            return variableCandidates(variable, in: word)
        }
        if word.role == .command && text.hasPrefix("!") && !text.contains("/") {
            let prefix = String(text.dropFirst())
            let names = Set(hostCommandNames(prefix: prefix) + Self.hostBuiltins.filter { $0.hasPrefix(prefix) })
            return names.sorted().map { word.candidate("!" + $0, listed: "!" + $0) }
        }
        if word.role == .command && !text.contains("/") && !text.hasPrefix("~") && !text.hasPrefix(".") {
            return guestCommands(prefix: text).map { word.candidate($0, listed: $0) }
        }
        if let path = word.afterHostMarker() {
            return hostPathCandidates(path).map {
                Completion.Candidate(replacement: "!" + $0.replacement, listed: $0.listed)
            }
        }
        if word.inHostCommand && word.role != .redirectionTarget {
            return hostPathCandidates(word)
        }
        return guestPathCandidates(word)
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

    /// Guest files for `word`; a leading `~` and the variables in its directory part are
    /// expanded to list the directory, and stay as typed in the line.
    func guestPathCandidates(_ word: CompletionWord) -> [Completion.Candidate] {
        let (directory, prefix) = splitForCompletion(word.text)
        let listed = word.directoryForListing(home: homeDirectory, variable: { self.variables.value($0) })
        let reader = LocalDirectoryReader()
        var candidates: [Completion.Candidate] = []
        for name in reader.entries(ofDirectory: listed.isEmpty ? "." : listed) ?? [] {
            guard name.hasPrefix(prefix), prefix.hasPrefix(".") || !name.hasPrefix(".") else { continue }
            let isDirectory = reader.isDirectory(listed + name)
            candidates.append(word.candidate(directory + name, listed: name, isDirectory: isDirectory))
        }
        return candidates.sorted { $0.replacement < $1.replacement }
    }

    /// Host files for `word`: its variables are the host's (then the shell's), its `~` the host
    /// home (expanded by the host listing).
    func hostPathCandidates(_ word: CompletionWord) -> [Completion.Candidate] {
        let (directory, prefix) = splitForCompletion(word.text)
        let listed = word.directoryForListing(home: { _ in nil }, variable: hostVariable)
        var candidates: [Completion.Candidate] = []
        for entry in hostDirectoryEntries(directory: listed, prefix: prefix) {
            guard prefix.hasPrefix(".") || !entry.name.hasPrefix(".") else { continue }
            candidates.append(word.candidate(directory + entry.name, listed: entry.name, isDirectory: entry.isDirectory))
        }
        return candidates.sorted { $0.replacement < $1.replacement }
    }

    /// A variable as a host command's words see it: the host environment shadows the shell.
    func hostVariable(_ name: String) -> String? {
        hostState?.environment[name] ?? variables.value(name)
    }
}

extension CompletionWord {
    /// The candidate that completes the word to `full`, listed as `listed`: a directory gets a
    /// `/` (in the listing too) and leaves a quote open; anything else is finished, with its
    /// quote closed and a space.
    func candidate(_ full: String, listed: String, isDirectory: Bool = false) -> Completion.Candidate {
        Completion.Candidate(
            replacement: completed(to: full, closesQuote: !isDirectory, suffix: isDirectory ? "/" : " "),
            listed: listed + (isDirectory ? "/" : ""))
    }
}

/// `dir/sub/pre` → (`dir/sub/`, `pre`).
func splitForCompletion(_ text: String) -> (directory: String, prefix: String) {
    guard let slash = text.lastIndex(of: "/") else { return ("", text) }
    return (String(text[...slash]), String(text[text.index(after: slash)...]))
}
