// Building word parts: adjacent pieces of the same kind are merged, so a word has one canonical
// shape however it was quoted (`'a''b'`, `\a\b` and `'ab'` are the same word), and the rules that
// apply to a finished word: tilde prefixes and `name=value` assignments.

struct PartsBuilder {
    private(set) var parts: [WordPart] = []
    private var pending: [UInt8] = []
    private var pendingIsQuoted = false

    mutating func literal(_ b: UInt8) {
        if pendingIsQuoted { flush() }
        pendingIsQuoted = false
        pending.append(b)
    }

    mutating func literal(_ bs: some Sequence<UInt8>) {
        for b in bs { literal(b) }
    }

    mutating func quoted(_ bs: some Sequence<UInt8>) {
        if !pendingIsQuoted { flush() }
        pendingIsQuoted = true
        pending.append(contentsOf: bs)
        if pending.isEmpty { append(.quoted("")) }
    }

    mutating func append(_ part: WordPart) {
        flush()
        appendMerging(part, to: &parts)
    }

    private mutating func flush() {
        guard !pending.isEmpty else { return }
        let s = String(decoding: pending, as: UTF8.self)
        pending.removeAll(keepingCapacity: true)
        appendMerging(pendingIsQuoted ? .quoted(s) : .literal(s), to: &parts)
    }

    mutating func finish() -> [WordPart] {
        flush()
        return parts
    }
}

/// Appends `part`, merging it into the last part when both are literal or both are quoted.
func appendMerging(_ part: WordPart, to parts: inout [WordPart]) {
    switch (parts.last, part) {
    case (.literal(let a)?, .literal(let b)):
        parts[parts.count - 1] = .literal(a + b)
    case (.quoted(let a)?, .quoted(let b)):
        parts[parts.count - 1] = .quoted(a + b)
    default:
        parts.append(part)
    }
}

func merged(_ parts: [WordPart]) -> [WordPart] {
    var result: [WordPart] = []
    for p in parts { appendMerging(p, to: &result) }
    return result
}

/// Turns a leading unquoted `~` or `~user` (ended by `/` or the end of the word) into `.tilde`.
func applyingTilde(_ word: Word) -> Word {
    guard case .literal(let text)? = word.parts.first, text.hasPrefix("~") else { return word }
    let afterTilde = text.dropFirst()
    let slash = afterTilde.firstIndex(of: "/")
    // A prefix running into a quoted or expanded part is not a tilde prefix.
    if slash == nil, word.parts.count > 1 { return word }
    let user = String(afterTilde[..<(slash ?? afterTilde.endIndex)])
    var parts: [WordPart] = [.tilde(user.isEmpty ? nil : user)]
    if let slash { parts.append(.literal(String(afterTilde[slash...]))) }
    parts.append(contentsOf: word.parts.dropFirst())
    return Word(parts)
}

/// Tilde prefixes in an assignment value: at its start and after each unquoted `:`.
func applyingAssignmentTilde(_ value: [WordPart]) -> [WordPart] {
    var result: [WordPart] = []
    var eligible = true
    for (index, part) in value.enumerated() {
        guard case .literal(let text) = part else {
            appendMerging(part, to: &result)
            eligible = false
            continue
        }
        let segments = text.split(separator: ":", omittingEmptySubsequences: false)
        for (i, segment) in segments.enumerated() {
            let isLast = i == segments.count - 1
            if i > 0 { appendMerging(.literal(":"), to: &result) }
            let canStartTilde = (i == 0 ? eligible : true) && segment.hasPrefix("~")
            let runsIntoNextPart = isLast && index < value.count - 1
            if canStartTilde, !(runsIntoNextPart && !segment.contains("/")) {
                let rest = segment.dropFirst()
                let slash = rest.firstIndex(of: "/") ?? rest.endIndex
                let user = String(rest[..<slash])
                appendMerging(.tilde(user.isEmpty ? nil : user), to: &result)
                if slash < rest.endIndex { appendMerging(.literal(String(rest[slash...])), to: &result) }
            } else if !segment.isEmpty {
                appendMerging(.literal(String(segment)), to: &result)
            }
        }
        eligible = false
    }
    return result
}

/// The builtins whose `name=value` arguments are expanded as assignments are (POSIX calls
/// them declaration utilities): `export x=~/bin` expands the tilde, as `x=~/bin` does.
func isDeclarationUtility(_ name: Word?) -> Bool {
    guard let name, name.parts.count == 1, case .literal(let text) = name.parts[0] else { return false }
    return ["export", "readonly", "local", "declare", "typeset"].contains(text)
}

/// An argument of a declaration utility: `name=value` gets the tilde prefixes of an
/// assignment, any other word those of a command argument.
func applyingDeclarationTilde(_ word: Word) -> Word {
    guard let assignment = assignment(from: word) else { return applyingTilde(word) }
    return Word(merged([.literal(assignment.name + "=")] + assignment.value.parts))
}

func isName(_ s: some StringProtocol) -> Bool {
    guard let first = s.utf8.first, Byte.isNameStart(first) else { return false }
    return s.utf8.allSatisfy(Byte.isNameChar)
}

/// `name=value` when the word starts with an unquoted valid name followed by `=`.
func assignment(from word: Word) -> Assignment? {
    guard case .literal(let text)? = word.parts.first, let eq = text.firstIndex(of: "="),
        isName(text[..<eq])
    else { return nil }
    var value: [WordPart] = []
    let rest = text[text.index(after: eq)...]
    if !rest.isEmpty { value.append(.literal(String(rest))) }
    value.append(contentsOf: word.parts.dropFirst())
    return Assignment(name: String(text[..<eq]), value: Word(applyingAssignmentTilde(value)))
}

let reservedWords: Set<String> = [
    "if", "then", "elif", "else", "fi", "do", "done", "case", "esac", "while", "until", "for", "in",
    "{", "}", "!", "[[", "]]",
]

/// Reserved words that end a compound list.
let closingReservedWords: Set<String> = ["then", "elif", "else", "fi", "do", "done", "esac", "}"]
