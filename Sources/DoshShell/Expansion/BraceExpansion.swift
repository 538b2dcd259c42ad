// Brace expansion, as bash does it: `x{a,b}y`, nested lists, and sequences `{1..10..2}`,
// `{a..e}`, `{01..10}`. It runs on the parsed word before every other expansion, so only braces
// and commas in unquoted literal text count; quoted text and `${…}`, `$(…)` are opaque.

/// One unit of a word for brace expansion: an unquoted character, or a part braces never see into.
private enum BraceElement {
    case character(Character)
    case opaque(WordPart)

    var character: Character? {
        if case .character(let c) = self { return c }
        return nil
    }
}

/// The words a word brace-expands to, in order; `[word]` when it has no valid brace expression.
func braceExpanded(_ word: Word) -> [Word] {
    guard word.parts.contains(where: { if case .literal(let t) = $0 { t.contains("{") } else { false } }) else {
        return [word]
    }
    var elements: [BraceElement] = []
    for part in word.parts {
        if case .literal(let text) = part {
            elements.append(contentsOf: text.map(BraceElement.character))
        } else {
            elements.append(.opaque(part))
        }
    }
    var budget = braceExpansionBudget
    let expanded = expand(elements[...], budget: &budget)
    if budget < 0 { return [word] }
    // A word that starts with `~` only after expansion (`{~,x}/bin`) gets its tilde prefix then.
    return expanded.map { applyingTilde(makeWord($0)) }
}

/// A sequence has at most this many words, and all the words from one word have at most
/// `braceExpansionBudget` characters, so `{1..99999999}` or `{a,b}` × 40 cannot exhaust memory:
/// such a word stays as written.
let braceExpansionLimit = 1_000_000
let braceExpansionBudget = 20_000_000

private func makeWord(_ elements: [BraceElement]) -> Word {
    var parts: [WordPart] = []
    var text = ""
    for element in elements {
        switch element {
        case .character(let c): text.append(c)
        case .opaque(let part):
            if !text.isEmpty { appendMerging(.literal(text), to: &parts); text = "" }
            appendMerging(part, to: &parts)
        }
    }
    if !text.isEmpty { appendMerging(.literal(text), to: &parts) }
    return Word(parts)
}

/// bash's order: the first `{` that opens a valid expression splits the text into a preamble,
/// alternatives and the rest; a `{` that opens nothing valid is kept and the search goes on.
private func expand(_ text: ArraySlice<BraceElement>, budget: inout Int) -> [[BraceElement]] {
    var searchFrom = text.startIndex
    while let open = text[searchFrom...].firstIndex(where: { $0.character == "{" }) {
        guard let (close, commas) = matchingClose(text, open: open) else {
            searchFrom = open + 1
            continue
        }
        let inner = text[(open + 1)..<close]
        var alternatives: [[BraceElement]] = []
        if commas.isEmpty {
            guard let sequence = sequenceWords(inner) else {
                searchFrom = open + 1
                continue
            }
            alternatives = sequence.map { $0.map(BraceElement.character) }
        } else {
            var start = open + 1
            for comma in commas + [close] {
                alternatives.append(contentsOf: expand(text[start..<comma], budget: &budget))
                start = comma + 1
            }
        }
        let preamble = Array(text[text.startIndex..<open])
        let rests = expand(text[(close + 1)...], budget: &budget)
        var result: [[BraceElement]] = []
        for alternative in alternatives {
            for rest in rests {
                let word = preamble + alternative + rest
                guard budget >= word.count else {
                    budget = -1  // exhausted: the caller keeps the word as written
                    return []
                }
                budget -= max(1, word.count)
                result.append(word)
            }
        }
        return result
    }
    return [Array(text)]
}

/// The `}` matching the `{` at `open`, and the commas directly inside it; nil when unbalanced.
private func matchingClose(_ text: ArraySlice<BraceElement>, open: Int) -> (Int, [Int])? {
    var depth = 0
    var commas: [Int] = []
    for index in open..<text.endIndex {
        switch text[index].character {
        case "{": depth += 1
        case "}":
            depth -= 1
            if depth == 0 { return (index, commas) }
        case ",": if depth == 1 { commas.append(index) }
        default: break
        }
    }
    return nil
}

/// `a..b` or `a..b..step`, with integers or single letters: the words of the sequence.
private func sequenceWords(_ inner: ArraySlice<BraceElement>) -> [String]? {
    var text = ""
    for element in inner {
        guard let c = element.character else { return nil }
        text.append(c)
    }
    let pieces = text.components(separatedBy: "..")
    guard pieces.count == 2 || pieces.count == 3 else { return nil }
    var step = 1
    if pieces.count == 3 {
        guard let s = Int(pieces[2]) else { return nil }
        step = s == 0 ? 1 : abs(s)
    }
    if let first = Int(pieces[0]), let last = Int(pieces[1]) {
        let width = zeroPaddedWidth(pieces[0], pieces[1])
        let (span, overflow) = last.subtractingReportingOverflow(first)
        guard !overflow, span.magnitude / UInt(step) < UInt(braceExpansionLimit) else { return nil }
        let count = Int(span.magnitude / UInt(step)) + 1
        let direction = last >= first ? step : -step
        return (0..<count).map { padded(first + $0 * direction, width: width) }
    }
    guard pieces[0].count == 1, pieces[1].count == 1, let a = pieces[0].unicodeScalars.first,
        let b = pieces[1].unicodeScalars.first, a.properties.isAlphabetic, b.properties.isAlphabetic,
        a.isASCII, b.isASCII
    else { return nil }
    let first = Int(a.value)
    let last = Int(b.value)
    let direction = last >= first ? step : -step
    return stride(from: first, through: last, by: direction).map { String(Character(Unicode.Scalar(UInt8($0)))) }
}

/// bash pads every number to the longest end when either end starts with a zero.
private func zeroPaddedWidth(_ a: String, _ b: String) -> Int {
    func hasLeadingZero(_ s: String) -> Bool {
        let digits = s.hasPrefix("-") ? s.dropFirst() : Substring(s)
        return digits.count > 1 && digits.hasPrefix("0")
    }
    return hasLeadingZero(a) || hasLeadingZero(b) ? max(a.count, b.count) : 0
}

private func padded(_ n: Int, width: Int) -> String {
    let digits = String(n.magnitude)
    let sign = n < 0 ? "-" : ""
    let zeros = max(0, width - sign.count - digits.count)
    return sign + String(repeating: "0", count: zeros) + digits
}
