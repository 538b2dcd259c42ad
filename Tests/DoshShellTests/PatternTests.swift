import Testing
@testable import DoshShell
@testable import DoshPatterns

@Suite struct PatternMatchTests {
    @Test(arguments: [
        // Literals and the two wildcards.
        ("abc", "abc", true), ("abc", "abd", false), ("", "", true), ("", "a", false),
        ("?", "a", true), ("?", "", false), ("?", "ab", false), ("a?c", "abc", true),
        ("*", "", true), ("*", "anything", true), ("a*", "a", true), ("a*", "abc", true),
        ("a*", "ba", false), ("*c", "abc", true), ("*c", "abcd", false), ("a*c", "ac", true),
        ("a*b*c", "axxbyyc", true), ("a*b*c", "axxcyyb", false), ("**", "x", true),
        ("*.txt", "notes.txt", true), ("*.txt", "notes.txt.bak", false), ("*/*", "a/b", true),
        ("a**b", "ab", true), ("*a", "aaa", true), ("?*?", "ab", true), ("?*?", "a", false),
        // Bracket expressions.
        ("[abc]", "b", true), ("[abc]", "d", false), ("[a-z]", "q", true), ("[a-z]", "Q", false),
        ("[!a-z]", "Q", true), ("[!a-z]", "q", false), ("[^a-z]", "Q", true), ("[^a]", "a", false),
        ("[]a]", "]", true), ("[]a]", "a", true), ("[!]a]", "]", false), ("[!]a]", "b", true),
        ("[a-]", "-", true), ("[-a]", "-", true), ("[a\\-z]", "-", true), ("[a\\-z]", "m", false),
        ("[\\]]", "]", true), ("[\\!a]", "!", true), ("[z-a]", "m", false), ("[z-a]", "z", false),
        ("[[]", "[", true), ("[a-c-e]", "-", true), ("[0-9][0-9]", "42", true),
        ("x[yz]*", "xzzz", true), ("[*]", "*", true), ("[*]", "a", false), ("[?]", "?", true),
        // A `[` without a closing `]` is literal.
        ("[", "[", true), ("[a", "[a", true), ("a[", "a[", true), ("[!", "[!", true),
        ("[]", "[]", true), ("[!]", "[!]", true), ("[[:alpha:]", "[a", true),
        // Collating elements and equivalence classes of one scalar.
        ("[[.a.]]", "a", true), ("[[=a=]]", "a", true), ("[[.a.]-c]", "b", true),
        ("[a-[.c.]]", "c", true), ("[[.ab.]]", "a", false),
        // Escapes: a backslash makes the next character literal.
        ("\\*", "*", true), ("\\*", "a", false), ("\\?", "?", true), ("\\[a]", "[a]", true),
        ("\\[a]", "a", false), ("a\\\\b", "a\\b", true), ("\\a", "a", true), ("x\\", "x\\", true),
        ("\\*\\*", "**", true), ("*\\*", "abc*", true), ("*\\*", "abc", false),
        // Unicode: matching is by scalar.
        ("?", "é", true), ("caf?", "café", true), ("[é]", "é", true), ("*ü*", "Müller", true),
        ("[α-ω]", "λ", true), ("[α-ω]", "Λ", false), ("??", "e\u{301}", true), ("?", "e\u{301}", false),
        ("?", "🦀", true), ("[🦀x]", "🦀", true),
    ])
    func match(_ pattern: String, _ text: String, _ expected: Bool) {
        #expect(Pattern(pattern).matches(text) == expected, "\(pattern) vs \(text)")
    }

    @Test(arguments: [
        ("[[:alpha:]]", "aZé", "1 _-"), ("[[:digit:]]", "0459", "a٣ x"), ("[[:space:]]", " \t\n\u{0B}\u{0C}\r", "a_"),
        ("[[:upper:]]", "AZÉ", "aé1"), ("[[:lower:]]", "azé", "AÉ1"), ("[[:alnum:]]", "a0Zé", "_- "),
        ("[[:punct:]]", "!-_~/.", "a0 é"), ("[[:xdigit:]]", "09afAF", "gG-"), ("[[:blank:]]", " \t", "\na"),
        ("[[:cntrl:]]", "\u{01}\u{1F}\u{7F}\n", "a "), ("[[:graph:]]", "a!~é", " \t\u{01}"),
        ("[[:print:]]", "a !~é", "\t\u{01}\u{7F}"), ("[[:foo:]]", "", "af:o"),
        ("[![:digit:]]", "a -", "05"), ("[[:digit:]a-c]", "0b", "dx"), ("[^[:upper:][:digit:]]", "a-", "A5"),
    ])
    func characterClass(_ pattern: String, _ members: String, _ others: String) {
        let compiled = Pattern(pattern)
        for scalar in members.unicodeScalars {
            #expect(compiled.matches(String(scalar)), "\(pattern) should match U+\(String(scalar.value, radix: 16))")
        }
        for scalar in others.unicodeScalars {
            #expect(!compiled.matches(String(scalar)), "\(pattern) should not match U+\(String(scalar.value, radix: 16))")
        }
    }

    @Test func matchesSubstrings() {
        let text = "prefix-body-suffix"
        #expect(Pattern("b*y").matches(text.dropFirst(7).dropLast(7)))
    }

    /// Classic exponential cases for naive backtracking; linear-time by construction here.
    @Test func pathologicalPatternsAreFast() {
        let long = String(repeating: "a", count: 20_000)
        #expect(!Pattern("*a*a*a*a*a*a*a*a*b").matches(long))
        #expect(Pattern("*a*a*a*a*a*a*a*a*a").matches(long))
        #expect(!Pattern(String(repeating: "*a", count: 50) + "b").matches(long))
        #expect(Pattern("a*" + String(repeating: "?", count: 100)).matches(long))
        #expect(Pattern("*a*a*b").matchingPrefix(of: long, longest: true) == nil)
        #expect(Pattern("*a*a*b").matchingSuffix(of: long, longest: false) == nil)
    }
}

@Suite struct PatternAffixTests {
    private func prefix(_ pattern: String, _ text: String, longest: Bool) -> String? {
        Pattern(pattern).matchingPrefix(of: text, longest: longest).map { String(text.unicodeScalars[..<$0]) }
    }

    private func suffix(_ pattern: String, _ text: String, longest: Bool) -> String? {
        Pattern(pattern).matchingSuffix(of: text, longest: longest).map { String(text.unicodeScalars[$0...]) }
    }

    @Test func prefixes() {
        let path = "/usr/local/bin"
        #expect(prefix("*/", path, longest: false) == "/")
        #expect(prefix("*/", path, longest: true) == "/usr/local/")
        #expect(prefix("/u*", path, longest: false) == "/u")
        #expect(prefix("/u*", path, longest: true) == path)
        #expect(prefix("x*", path, longest: true) == nil)
        #expect(prefix("*", path, longest: false) == "")
        #expect(prefix("", path, longest: true) == "")
        #expect(prefix("?", "", longest: false) == nil)
        #expect(prefix("[/a-z]*[a-z]", "ab1c", longest: false) == "ab")
        #expect(prefix("[/a-z]*[a-z]", "ab1c", longest: true) == "ab1c")
    }

    @Test func suffixes() {
        let file = "archive.tar.gz"
        #expect(suffix(".*", file, longest: false) == ".gz")
        #expect(suffix(".*", file, longest: true) == ".tar.gz")
        #expect(suffix("*", file, longest: false) == "")
        #expect(suffix("*", file, longest: true) == file)
        #expect(suffix(".zip", file, longest: true) == nil)
        #expect(suffix("[0-9]", "v12", longest: true) == "2")
        #expect(suffix("[0-9]*", "v12", longest: false) == "2")
        #expect(suffix("[0-9]*", "v12", longest: true) == "12")
        #expect(suffix("?", "", longest: true) == nil)
        #expect(suffix("", "abc", longest: false) == "")
    }

    @Test func removingAffixesLikeParameterExpansion() {
        let pattern = Pattern("*/")
        #expect(pattern.removingMatchingPrefix(of: "a/b/c", longest: false) == "b/c")
        #expect(pattern.removingMatchingPrefix(of: "a/b/c", longest: true) == "c")
        #expect(Pattern("/*").removingMatchingSuffix(of: "a/b/c", longest: false) == "a/b")
        #expect(Pattern("/*").removingMatchingSuffix(of: "a/b/c", longest: true) == "a")
        #expect(Pattern("x").removingMatchingSuffix(of: "abc", longest: true) == "abc")
        #expect(Pattern("?").removingMatchingPrefix(of: "éa", longest: false) == "a")
        // By scalar: `?` takes the base letter and leaves the combining accent.
        #expect(Pattern("?").removingMatchingPrefix(of: "e\u{301}x", longest: false).unicodeScalars.first == "\u{301}")
        #expect(Pattern("?").removingMatchingSuffix(of: "xe\u{301}", longest: false) == "xe")
    }

    @Test func affixesAgreeWithWholeMatchesOnEveryCut() {
        let text = "ab/ab.c/ab"
        for pattern in ["a*", "*b", "?b", "*/", "/*", "[ab]*[.c]", "*", "a?/*", "*a*b*"] {
            let compiled = Pattern(pattern)
            let scalars = Array(text.unicodeScalars)
            let prefixLengths = (0...scalars.count).filter { compiled.matches(String(String.UnicodeScalarView(scalars[..<$0]))) }
            let suffixStarts = (0...scalars.count).filter { compiled.matches(String(String.UnicodeScalarView(scalars[$0...]))) }
            let offset = { (index: String.Index?) in index.map { text.unicodeScalars.distance(from: text.startIndex, to: $0) } }
            #expect(offset(compiled.matchingPrefix(of: text, longest: false)) == prefixLengths.first, "\(pattern)")
            #expect(offset(compiled.matchingPrefix(of: text, longest: true)) == prefixLengths.last, "\(pattern)")
            #expect(offset(compiled.matchingSuffix(of: text, longest: false)) == suffixStarts.last, "\(pattern)")
            #expect(offset(compiled.matchingSuffix(of: text, longest: true)) == suffixStarts.first, "\(pattern)")
        }
    }
}

@Suite struct PatternPropertyTests {
    @Test(arguments: [
        ("abc", false), ("a*", true), ("?", true), ("[ab]", true), ("[", false), ("a[b", false),
        ("\\*", false), ("\\?x", false), ("\\[a]", false), ("[\\]", false), ("[\\]]", true),
        ("", false), ("x\\", false),
    ])
    func wildcards(_ pattern: String, _ expected: Bool) {
        #expect(Pattern(pattern).hasWildcards == expected, "\(pattern)")
    }

    @Test(arguments: [
        ("abc", "abc"), ("\\*", "*"), ("a\\\\b", "a\\b"), ("x\\", "x\\"), ("\\[a\\]", "[a]"),
        ("[a", "[a"), ("", ""), ("caf\\é", "café"), ("*", "*"),
    ])
    func literal(_ pattern: String, _ expected: String) {
        #expect(Pattern(pattern).literalText == expected)
    }

    @Test func leadingLiteralDot() {
        #expect(Pattern(".*").startsWithLiteralDot)
        #expect(Pattern("\\.x*").startsWithLiteralDot)
        #expect(!Pattern("[.]*").startsWithLiteralDot)
        #expect(!Pattern("*").startsWithLiteralDot)
        #expect(!Pattern("").startsWithLiteralDot)
    }

    /// Random patterns over the characters with special meaning, against random subjects: no
    /// crash, and the affix searches agree with whole matches.
    @Test func randomPatternsNeverCrash() {
        var generator = SplitMix(seed: 42)
        let patternAlphabet = Array("ab*?[]!^-\\:.=/é[:alpha:]")
        let textAlphabet = Array("ab-]\\[:.é/")
        func random(_ alphabet: [Character], upTo length: UInt64) -> String {
            let count = Int(generator.next() % (length + 1))
            return String((0..<count).map { _ in alphabet[Int(generator.next() % UInt64(alphabet.count))] })
        }
        for _ in 0..<3000 {
            let pattern = Pattern(random(patternAlphabet, upTo: 12))
            let text = random(textAlphabet, upTo: 10)
            let whole = pattern.matches(text)
            _ = pattern.hasWildcards
            _ = pattern.literalText
            if let end = pattern.matchingPrefix(of: text, longest: true), end == text.endIndex {
                #expect(whole, "\(pattern.escapedPattern) vs \(text)")
            }
            if let start = pattern.matchingSuffix(of: text, longest: true), start == text.startIndex {
                #expect(whole, "\(pattern.escapedPattern) vs \(text)")
            }
            if whole {
                #expect(pattern.matchingPrefix(of: text, longest: true) == text.endIndex)
                #expect(pattern.matchingSuffix(of: text, longest: true) == text.startIndex)
            }
        }
    }
}
