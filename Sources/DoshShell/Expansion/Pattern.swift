/// A shell pattern. The pattern text uses backslash to mark a character as literal: the expander
/// escapes every character that came from quoted text, so `"*"` arrives as `\*`.
///
/// Patterns follow POSIX 2.13: `*`, `?` and bracket expressions (`[abc]`, `[a-z]`, `[!x]` or
/// `[^x]`, `[[:alpha:]]`…). A `[` without a closing `]` stands for itself.
///
/// Matching works on Unicode scalars, as C shells do on wide characters in a UTF-8 locale: `?`
/// matches one scalar, so `e` followed by a combining accent is two characters to a pattern.
/// Ranges compare scalar values (like the C locale). Character classes use their ASCII
/// definitions, extended to non-ASCII scalars by their Unicode properties (`é` is alpha and lower).
public struct Pattern: Sendable {
    /// The pattern as written, escapes included.
    public let escapedPattern: String
    let elements: [PatternElement]

    public init(_ escapedPattern: String) {
        self.escapedPattern = escapedPattern
        elements = PatternParser.parse(Array(escapedPattern.unicodeScalars))
    }

    /// Whether the whole string matches.
    public func matches(_ text: some StringProtocol) -> Bool {
        Self.matches(elements, Array(text.unicodeScalars))
    }

    /// The end index of the shortest (or longest) prefix of `text` that matches, or nil.
    ///
    /// The index is a Unicode scalar boundary, which need not be a `Character` boundary: slice
    /// with `text.unicodeScalars[…]` (or use `removingMatchingPrefix(of:longest:)`).
    public func matchingPrefix(of text: String, longest: Bool) -> String.Index? {
        let indices = Array(text.unicodeScalars.indices) + [text.endIndex]
        let scalars = Array(text.unicodeScalars)
        guard let length = Self.matchingPrefixLength(elements, scalars, longest: longest) else { return nil }
        return indices[length]
    }

    /// The start index of the shortest (or longest) suffix of `text` that matches, or nil.
    ///
    /// The index is a Unicode scalar boundary (see `matchingPrefix(of:longest:)`).
    public func matchingSuffix(of text: String, longest: Bool) -> String.Index? {
        let indices = Array(text.unicodeScalars.indices) + [text.endIndex]
        let reversedText = Array(text.unicodeScalars.reversed())
        // A suffix of the text matching the pattern is a prefix of the reversed text matching
        // the reversed pattern: every element stands for a run of whole scalars.
        let reversedElements = Array(elements.reversed())
        guard let length = Self.matchingPrefixLength(reversedElements, reversedText, longest: longest) else {
            return nil
        }
        return indices[reversedText.count - length]
    }

    /// `text` without its shortest (or longest) matching prefix: `${x#p}` and `${x##p}`.
    public func removingMatchingPrefix(of text: String, longest: Bool) -> String {
        guard let end = matchingPrefix(of: text, longest: longest) else { return text }
        return String(text.unicodeScalars[end...])
    }

    /// `text` without its shortest (or longest) matching suffix: `${x%p}` and `${x%%p}`.
    public func removingMatchingSuffix(of text: String, longest: Bool) -> String {
        guard let start = matchingSuffix(of: text, longest: longest) else { return text }
        return String(text.unicodeScalars[..<start])
    }

    /// Whether the pattern has any unescaped `*`, `?` or `[` that forms a valid bracket
    /// expression (a word without any is not subject to pathname expansion).
    public var hasWildcards: Bool {
        elements.contains { if case .literal = $0 { false } else { true } }
    }

    /// The pattern with escapes removed (the literal text it stands for when it has no wildcards).
    public var literalText: String {
        var result = String.UnicodeScalarView()
        var escaped = false
        for scalar in escapedPattern.unicodeScalars {
            if scalar == "\\" && !escaped {
                escaped = true
                continue
            }
            escaped = false
            result.append(scalar)
        }
        if escaped { result.append("\\") }  // A lone trailing backslash stands for itself.
        return String(result)
    }

    /// Whether the pattern begins with a literal `.`, which lets wildcards reach hidden files.
    var startsWithLiteralDot: Bool {
        if case .literal(".") = elements.first { true } else { false }
    }

    // MARK: Matching

    /// Whole-string match: two pointers, backtracking only to the most recent `*`. Runs in
    /// O(text × pattern) at worst, never exponentially.
    private static func matches(_ elements: [PatternElement], _ text: [Unicode.Scalar]) -> Bool {
        var p = 0
        var t = 0
        var starElement = -1
        var starText = 0
        while t < text.count {
            if p < elements.count {
                if case .anyString = elements[p] {
                    starElement = p
                    starText = t
                    p += 1
                    continue
                }
                if elements[p].matches(text[t]) {
                    p += 1
                    t += 1
                    continue
                }
            }
            guard starElement >= 0 else { return false }
            // Let the last `*` swallow one more scalar and retry from there.
            p = starElement + 1
            starText += 1
            t = starText
        }
        while p < elements.count, case .anyString = elements[p] { p += 1 }
        return p == elements.count
    }

    /// The length of the shortest or longest matching prefix, by simulating the pattern as a
    /// nondeterministic automaton (state `p`: the first `p` elements have matched): all prefixes
    /// in one O(text × pattern) pass.
    private static func matchingPrefixLength(
        _ elements: [PatternElement], _ text: [Unicode.Scalar], longest: Bool
    ) -> Int? {
        let accepting = elements.count
        var active = [Bool](repeating: false, count: accepting + 1)
        active[0] = true
        closeOverStars(&active, elements)
        var found: Int? = active[accepting] ? 0 : nil
        if found != nil && !longest { return 0 }
        var next = active
        for (offset, scalar) in text.enumerated() {
            var anyActive = false
            for p in next.indices { next[p] = false }
            for p in 0..<accepting where active[p] {
                if case .anyString = elements[p] {
                    next[p] = true
                    anyActive = true
                } else if elements[p].matches(scalar) {
                    next[p + 1] = true
                    anyActive = true
                }
            }
            guard anyActive else { break }
            closeOverStars(&next, elements)
            swap(&active, &next)
            if active[accepting] {
                found = offset + 1
                if !longest { break }
            }
        }
        return found
    }

    /// A `*` may match nothing: a state before a `*` is also the state after it.
    private static func closeOverStars(_ states: inout [Bool], _ elements: [PatternElement]) {
        for p in elements.indices where states[p] {
            if case .anyString = elements[p] { states[p + 1] = true }
        }
    }
}

/// One unit of a parsed pattern.
enum PatternElement: Sendable, Equatable {
    case literal(Unicode.Scalar)
    /// `?`
    case anyCharacter
    /// `*` (runs of stars are kept as one)
    case anyString
    case bracket(BracketExpression)

    /// Whether this single-scalar element matches `scalar` (never called for `anyString`).
    func matches(_ scalar: Unicode.Scalar) -> Bool {
        switch self {
        case .literal(let literal): literal == scalar
        case .anyCharacter: true
        case .anyString: true
        case .bracket(let bracket): bracket.matches(scalar)
        }
    }
}

/// A bracket expression such as `[!a-z_[:digit:]]`.
struct BracketExpression: Sendable, Equatable {
    enum Item: Sendable, Equatable {
        case scalar(Unicode.Scalar)
        case range(Unicode.Scalar, Unicode.Scalar)
        case characterClass(CharacterClass)
        /// An unknown class name or multi-character collating element: matches nothing.
        case nothing
    }

    var negated: Bool
    var items: [Item]

    func matches(_ scalar: Unicode.Scalar) -> Bool {
        let found = items.contains { item in
            switch item {
            case .scalar(let single): single == scalar
            case .range(let low, let high): low.value <= scalar.value && scalar.value <= high.value
            case .characterClass(let characterClass): characterClass.contains(scalar)
            case .nothing: false
            }
        }
        return found != negated
    }
}

/// The POSIX character classes usable as `[:name:]` inside brackets.
enum CharacterClass: String, Sendable, Equatable {
    case alpha, digit, space, upper, lower, alnum, punct, xdigit, blank, cntrl, graph, print

    func contains(_ scalar: Unicode.Scalar) -> Bool {
        let value = scalar.value
        let isASCII = value < 0x80
        switch self {
        case .alpha:
            return isASCII ? Self.isASCIILetter(value) : scalar.properties.isAlphabetic
        case .digit:
            return (0x30...0x39).contains(value)
        case .space:
            return isASCII ? value == 0x20 || (0x09...0x0D).contains(value) : scalar.properties.isWhitespace
        case .upper:
            return isASCII ? (0x41...0x5A).contains(value) : scalar.properties.isUppercase
        case .lower:
            return isASCII ? (0x61...0x7A).contains(value) : scalar.properties.isLowercase
        case .alnum:
            return CharacterClass.alpha.contains(scalar) || CharacterClass.digit.contains(scalar)
        case .punct:
            return isASCII
                ? (0x21...0x7E).contains(value) && !Self.isASCIILetter(value) && !(0x30...0x39).contains(value)
                : Self.isNonASCIIPunctuation(scalar)
        case .xdigit:
            return (0x30...0x39).contains(value) || (0x41...0x46).contains(value) || (0x61...0x66).contains(value)
        case .blank:
            return value == 0x20 || value == 0x09
        case .cntrl:
            return isASCII ? value < 0x20 || value == 0x7F : scalar.properties.generalCategory == .control
        case .graph:
            return isASCII ? (0x21...0x7E).contains(value) : Self.isNonASCIIGraphic(scalar)
        case .print:
            return isASCII ? (0x20...0x7E).contains(value) : Self.isNonASCIIGraphic(scalar) || scalar.properties.isWhitespace
        }
    }

    private static func isASCIILetter(_ value: UInt32) -> Bool {
        (0x41...0x5A).contains(value) || (0x61...0x7A).contains(value)
    }

    private static func isNonASCIIGraphic(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.properties.generalCategory {
        case .control, .format, .surrogate, .privateUse, .unassigned, .spaceSeparator,
            .lineSeparator, .paragraphSeparator:
            false
        default:
            true
        }
    }

    private static func isNonASCIIPunctuation(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.properties.generalCategory {
        case .connectorPunctuation, .dashPunctuation, .openPunctuation, .closePunctuation,
            .initialPunctuation, .finalPunctuation, .otherPunctuation, .mathSymbol,
            .currencySymbol, .modifierSymbol, .otherSymbol:
            true
        default:
            false
        }
    }
}

/// Turns escaped pattern text into elements.
enum PatternParser {
    static func parse(_ scalars: [Unicode.Scalar]) -> [PatternElement] {
        var elements: [PatternElement] = []
        var i = 0
        while i < scalars.count {
            let scalar = scalars[i]
            switch scalar {
            case "\\":
                // A lone trailing backslash stands for itself.
                elements.append(.literal(i + 1 < scalars.count ? scalars[i + 1] : "\\"))
                i += 2
            case "*":
                if elements.last != .anyString { elements.append(.anyString) }
                i += 1
            case "?":
                elements.append(.anyCharacter)
                i += 1
            case "[":
                if let (bracket, end) = parseBracket(scalars, openingAt: i) {
                    elements.append(.bracket(bracket))
                    i = end
                } else {
                    elements.append(.literal("["))
                    i += 1
                }
            default:
                elements.append(.literal(scalar))
                i += 1
            }
        }
        return elements
    }

    /// Parses the bracket expression opening at `start`; nil when it has no closing `]`.
    /// Returns the expression and the index just past its `]`.
    static func parseBracket(
        _ scalars: [Unicode.Scalar], openingAt start: Int
    ) -> (BracketExpression, Int)? {
        var i = start + 1
        var negated = false
        if i < scalars.count, scalars[i] == "!" || scalars[i] == "^" {
            negated = true
            i += 1
        }
        var items: [BracketExpression.Item] = []
        var isFirst = true
        while i < scalars.count {
            let scalar = scalars[i]
            if scalar == "]" && !isFirst {
                return (BracketExpression(negated: negated, items: items), i + 1)
            }
            isFirst = false
            let low: Unicode.Scalar
            if scalar == "[", let (item, end) = parseBracketedName(scalars, at: i) {
                i = end
                // A single-scalar `[.x.]` or `[=x=]` may start a range; anything else stands alone.
                guard case .scalar(let single) = item else {
                    items.append(item)
                    continue
                }
                low = single
            } else {
                (low, i) = bracketScalar(scalars, at: i)
            }
            // `a-z` is a range; a `-` first or last in the set is literal.
            if i + 1 < scalars.count, scalars[i] == "-", scalars[i + 1] != "]" {
                let high: Unicode.Scalar
                if scalars[i + 1] == "[", let (item, end) = parseBracketedName(scalars, at: i + 1) {
                    // `[.x.]` or `[=x=]` may end a range; a class cannot.
                    guard case .scalar(let single) = item else { return nil }
                    high = single
                    i = end
                } else {
                    (high, i) = bracketScalar(scalars, at: i + 1)
                }
                items.append(.range(low, high))
            } else {
                items.append(.scalar(low))
            }
        }
        return nil
    }

    /// One possibly escaped scalar inside brackets, and the index after it.
    private static func bracketScalar(_ scalars: [Unicode.Scalar], at i: Int) -> (Unicode.Scalar, Int) {
        if scalars[i] == "\\", i + 1 < scalars.count { return (scalars[i + 1], i + 2) }
        return (scalars[i], i + 1)
    }

    /// `[:class:]`, `[=c=]` or `[.c.]` starting at `i`, or nil when `i` begins none of them.
    private static func parseBracketedName(
        _ scalars: [Unicode.Scalar], at i: Int
    ) -> (BracketExpression.Item, Int)? {
        guard i + 1 < scalars.count else { return nil }
        let delimiter = scalars[i + 1]
        guard delimiter == ":" || delimiter == "=" || delimiter == "." else { return nil }
        var j = i + 2
        while j + 1 < scalars.count {
            if scalars[j] == delimiter && scalars[j + 1] == "]" {
                let name = Array(scalars[(i + 2)..<j])
                if delimiter == ":" {
                    var text = String.UnicodeScalarView()
                    text.append(contentsOf: name)
                    return (CharacterClass(rawValue: String(text)).map { .characterClass($0) } ?? .nothing, j + 2)
                }
                // Without locale collation data an element or equivalence class is its own scalar.
                return (name.count == 1 ? .scalar(name[0]) : .nothing, j + 2)
            }
            j += 1
        }
        return nil
    }
}
