/// Variables at Tab: completing a name being typed (`$HOM`), and expanding the ones in a path's
/// directory part (`$PWD/al`) to list that directory.

/// A word that is a variable name being typed: `$NA` or `${NA`, unquoted or in double quotes.
struct VariableReference: Equatable {
    var braced: Bool
    /// The part of the name typed so far.
    var prefix: String

    init?(_ word: CompletionWord) {
        let bytes = Array(word.text.utf8)
        guard bytes.first == UInt8(ascii: "$"), word.quoting.first != .literal else { return nil }
        braced = bytes.count > 1 && bytes[1] == UInt8(ascii: "{")
        let name = bytes.dropFirst(braced ? 2 : 1)
        guard name.allSatisfy(isNameByte), name.first.map(isNameStart) ?? true else { return nil }
        prefix = String(decoding: name, as: UTF8.self)
    }

    /// The name a `$` at the start of `bytes` refers to (`$NAME` or `${NAME}`) and how many
    /// bytes the reference takes, or nil when none starts there.
    static func name(at bytes: ArraySlice<UInt8>) -> (name: String, length: Int)? {
        var index = bytes.index(after: bytes.startIndex)
        let braced = index < bytes.endIndex && bytes[index] == UInt8(ascii: "{")
        if braced { index += 1 }
        let nameStart = index
        guard nameStart < bytes.endIndex, isNameStart(bytes[nameStart]) else { return nil }
        while index < bytes.endIndex, isNameByte(bytes[index]) { index += 1 }
        let name = String(decoding: bytes[nameStart..<index], as: UTF8.self)
        if braced {
            guard index < bytes.endIndex, bytes[index] == UInt8(ascii: "}") else { return nil }
            index += 1
        }
        return (name, index - bytes.startIndex)
    }
}

extension Shell {
    /// The variables whose names start with what was typed. Like bash, a variable whose value
    /// names a directory gets a `/`, another a space; in double quotes the quote is closed
    /// first (`"$HOME"/`), and `${` gets its `}`.
    func variableCandidates(_ reference: VariableReference, in word: CompletionWord) -> [Completion.Candidate] {
        var names = Set(variables.visibleVariables().map(\.name) + ["HOME"])
        if word.inHostCommand, let environment = hostState?.environment { names.formUnion(environment.keys) }
        let matches = names.filter { $0.hasPrefix(reference.prefix) }.sorted()
        return matches.map { name in
            let isDirectory = valueIsDirectory(name, in: word, unique: matches.count == 1)
            return Completion.Candidate(
                replacement: word.completed(
                    to: (reference.braced ? "${" : "$") + name, closing: reference.braced ? "}" : "", closesQuote: true,
                    suffix: isDirectory ? "/" : " "),
                listed: "$" + name)
        }
    }

    /// Whether the value of variable `name` names a directory, on the side `word`'s command runs.
    private func valueIsDirectory(_ name: String, in word: CompletionWord, unique: Bool) -> Bool {
        guard word.inHostCommand else { return variables.value(name).map(isDirectory) ?? false }
        // On the host each check is a round trip; only a unique candidate's ending is ever
        // inserted (the others differ from each other before it).
        guard unique, let value = hostVariable(name) else { return false }
        return hostIsDirectory(value)
    }
}

extension CompletionWord {
    /// The directory part of the text (up to its last `/`) expanded as the shell would, to be
    /// listed: a leading unquoted `~` or `~user` through `home` (left alone when it gives nil),
    /// `$NAME` and `${NAME}` outside single quotes through `variable` (unset: empty). Nothing
    /// else expands: Tab must not run anything, so there is no command substitution.
    /// "" when the text has no `/`.
    func directoryForListing(home: (String?) -> String?, variable: (String) -> String?) -> String {
        let bytes = Array(text.utf8)
        guard let slash = bytes.lastIndex(of: UInt8(ascii: "/")) else { return "" }
        var result: [UInt8] = []
        var index = 0
        if bytes[0] == UInt8(ascii: "~"), let end = bytes.firstIndex(of: UInt8(ascii: "/")),
            quoting[..<end].allSatisfy({ $0 == .none })
        {
            let user = String(decoding: bytes[1..<end], as: UTF8.self)
            if let directory = home(user.isEmpty ? nil : user) {
                result = Array(directory.utf8)
                index = end
            }
        }
        while index <= slash {
            if bytes[index] == UInt8(ascii: "$"), quoting[index] != .literal,
                let reference = VariableReference.name(at: bytes[index...slash])
            {
                result += (variable(reference.name) ?? "").utf8
                index += reference.length
            } else {
                result.append(bytes[index])
                index += 1
            }
        }
        return String(decoding: result, as: UTF8.self)
    }
}
