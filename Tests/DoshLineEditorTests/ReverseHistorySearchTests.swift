import Testing

@testable import DoshLineEditor

@Suite struct ReverseHistorySearchTests {
    static let history = ["echo alpha", "echo beta", "ls", "echo alpine"]

    func search(_ keys: String, line: String = "", cursor: Int = 0) -> ReverseHistorySearch {
        var search = ReverseHistorySearch(history: Self.history, line: line, cursor: cursor)
        search.type(text: keys)
        return search
    }

    @Test func startsWithAnEmptySearchOnTheEditedLine() {
        let search = ReverseHistorySearch(history: Self.history, line: "make", cursor: 2)
        #expect(search.prompt == "(reverse-i-search)`': ")
        #expect(search.line == "make")
        #expect(search.cursor == 2)
        #expect(!search.failed)
    }

    @Test func typingFindsTheNewestEntryWithTheCursorOnTheMatch() {
        let search = search("alp")
        #expect(search.prompt == "(reverse-i-search)`alp': ")
        #expect(search.line == "echo alpine")
        #expect(search.cursor == 5)
    }

    @Test func ctrlRGoesToOlderMatchesThenFails() {
        var search = search("alp")
        search.searchOlder(repeating: "")
        #expect(search.line == "echo alpha")
        #expect(!search.failed)
        search.searchOlder(repeating: "")
        #expect(search.failed)
        #expect(search.prompt == "(failed reverse-i-search)`alp': ")
        #expect(search.line == "echo alpha")  // the last match stays
        #expect(search.cursor == 5)
    }

    @Test func ctrlRFindsAnEarlierOccurrenceInTheSameLineFirst() {
        var search = ReverseHistorySearch(history: ["a-b-a-b"], line: "", cursor: 0)
        search.type("b")
        #expect(search.cursor == 6)
        search.searchOlder(repeating: "")
        #expect(search.line == "a-b-a-b")
        #expect(search.cursor == 2)
    }

    @Test func aLongerTextCanStayOnTheSameMatch() {
        var search = search("e")
        #expect(search.line == "echo alpine")
        #expect(search.cursor == 10)  // the last "e" in the newest entry
        search.type("c")
        #expect(search.line == "echo alpine")
        #expect(search.cursor == 0)
    }

    @Test func aFailedCharacterKeepsTheLastMatch() {
        var search = search("beta")
        search.type("z")
        #expect(search.failed)
        #expect(search.line == "echo beta")
        #expect(search.searchText == "betaz")
    }

    @Test func backspaceShortensTheSearch() {
        var search = search("betaz")
        search.deleteBackward()
        #expect(!search.failed)
        #expect(search.searchText == "beta")
        #expect(search.line == "echo beta")
        for _ in 0..<5 { search.deleteBackward() }
        #expect(search.searchText == "")
        #expect(!search.failed)
        #expect(search.line == "echo beta")
    }

    @Test func theEditedLineIsSearchedFirstFromTheCursor() {
        let search = search("a", line: "echo al", cursor: 7)
        #expect(search.line == "echo al")
        #expect(search.cursor == 5)
        // Text after the cursor is not searched first.
        let before = self.search("al", line: "echo al", cursor: 2)
        #expect(before.line == "echo alpine")
    }

    @Test func equalEntriesAreShownOnce() {
        var search = ReverseHistorySearch(history: ["make test", "ls", "make test", "make"], line: "", cursor: 0)
        search.type(text: "make")
        #expect(search.line == "make")
        search.searchOlder(repeating: "")
        #expect(search.line == "make test")
        search.searchOlder(repeating: "")
        #expect(search.failed)  // the older "make test" is the same line again
    }

    @Test func ctrlRWithNoTextRepeatsThePreviousSearch() {
        var search = ReverseHistorySearch(history: Self.history, line: "", cursor: 0)
        search.searchOlder(repeating: "beta")
        #expect(search.searchText == "beta")
        #expect(search.line == "echo beta")
        var none = ReverseHistorySearch(history: Self.history, line: "x", cursor: 1)
        none.searchOlder(repeating: "")
        #expect(none.line == "x")
        #expect(!none.failed)
    }

    @Test func countsUnicodeScalars() {
        var search = ReverseHistorySearch(history: ["echo 日本語 ok", "e\u{301}t\u{E9}"], line: "", cursor: 0)
        search.type(text: "ok")
        #expect(search.line == "echo 日本語 ok")
        #expect(search.cursor == 9)
        // Scalars compare exactly: a precomposed é is not e with a combining accent.
        var accents = ReverseHistorySearch(history: ["e\u{301}t\u{E9}"], line: "", cursor: 0)
        accents.type("\u{E9}")
        #expect(accents.cursor == 3)
    }

    @Test func multiLineEntriesAreFound() {
        var search = ReverseHistorySearch(history: ["for i in 1 2\ndo echo $i\ndone", "ls"], line: "", cursor: 0)
        search.type(text: "echo $i")
        #expect(search.line == "for i in 1 2\ndo echo $i\ndone")
        #expect(search.cursor == 16)
    }
}

extension ReverseHistorySearch {
    /// Types each character of `text`.
    mutating func type(text: String) {
        for character in text.unicodeScalars { type(character) }
    }
}
