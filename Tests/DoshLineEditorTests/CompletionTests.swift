import Testing

@testable import DoshLineEditor

@Suite struct LongestCommonPrefixTests {
    @Test func sharedPrefixOfCandidates() {
        #expect(CompletionLayout.longestCommonPrefix(["apple ", "apricot "]) == "ap")
        #expect(CompletionLayout.longestCommonPrefix(["banana "]) == "banana ")
        #expect(CompletionLayout.longestCommonPrefix([]) == "")
        #expect(CompletionLayout.longestCommonPrefix(["x", "y"]) == "")
    }

    @Test func cutsOnlyBetweenCharacters() {
        #expect(CompletionLayout.longestCommonPrefix(["日本語 ", "日本 "]) == "日本")
        // 日 is E6 97 A5 and 旦 is E6 97 A6: two shared bytes, no shared character.
        #expect(CompletionLayout.longestCommonPrefix(["日x", "旦x"]) == "")
        // "e" is not a prefix of "e" with a combining accent.
        #expect(CompletionLayout.longestCommonPrefix(["e\u{301}te", "ete"]) == "")
        #expect(CompletionLayout.longestCommonPrefix(["e\u{301}a", "e\u{301}b"]) == "e\u{301}")
    }

    @Test func comparesExactScalarsNotCanonicalEquivalence() {
        // Swift's == says "é" == "e\u{301}"; the inserted bytes must come from the candidates.
        #expect(CompletionLayout.longestCommonPrefix(["\u{E9}1", "e\u{301}2"]) == "")
    }
}

@Suite struct CandidateListingTests {
    @Test func fillsColumnsTopToBottom() {
        let lines = CompletionLayout.columns(["a", "bb", "ccc", "d", "e"], width: 20)
        #expect(lines == ["a    ccc  e", "bb   d"])
    }

    @Test func oneRowWhenEverythingFits() {
        #expect(CompletionLayout.columns(["banana", "blueberry", "blackberry"], width: 80)
            == ["banana      blueberry   blackberry"])
    }

    @Test func oneColumnOnANarrowTerminal() {
        #expect(CompletionLayout.columns(["banana", "blueberry", "blackberry"], width: 20)
            == ["banana", "blueberry", "blackberry"])
        #expect(CompletionLayout.columns(["a-very-long-file-name", "b"], width: 8)
            == ["a-very-long-file-name", "b"])
    }

    @Test func wideCharactersTakeTwoColumns() {
        // 日本 is four columns wide: the cell is six columns.
        #expect(CompletionLayout.columns(["日本", "ab", "c"], width: 12) == ["日本  c", "ab"])
        #expect(CompletionLayout.columns(["日本", "ab"], width: 12) == ["日本  ab"])
    }

    @Test func unknownWidthMeansEightyColumns() {
        let items = (1...30).map { "item\($0)" }
        let lines = CompletionLayout.columns(items, width: 0)
        #expect(lines.allSatisfy { TerminalText.width(of: $0) <= 80 })
        #expect(lines.count == 3)
    }

    @Test func noCandidatesNoLines() {
        #expect(CompletionLayout.columns([], width: 80).isEmpty)
    }

    @Test func displayNamesShowTheLastComponent() {
        #expect(CompletionLayout.displayName("apple ") == "apple")
        #expect(CompletionLayout.displayName("src/main.swift ") == "main.swift")
        #expect(CompletionLayout.displayName("src/lib/") == "lib/")
        #expect(CompletionLayout.displayName("/") == "/")
        #expect(CompletionLayout.displayName("~/") == "~/")
        #expect(CompletionLayout.displayName("a\\ b ") == "a\\ b")
    }

    @Test func terminalWidths() {
        #expect(TerminalText.width(of: "héllo") == 5)
        #expect(TerminalText.width(of: "日本") == 4)
        #expect(TerminalText.width(of: "e\u{301}") == 1)
        #expect(TerminalText.width(of: "👍") == 2)
        #expect(TerminalText.width(of: "ｱ") == 1)  // halfwidth katakana
        #expect(TerminalText.width(of: "Ａ") == 2)  // fullwidth A
    }
}
