import Testing

@testable import DoshLineEditor

/// The row of the cursor, as libedit lays out the prompt and the line.
@Suite struct EditAreaTests {
    /// Like wcwidth in a UTF-8 locale, for the characters used here.
    static func width(_ scalar: Unicode.Scalar) -> Int {
        switch scalar.value {
        case 0..<0x20, 0x7F..<0xA0: return -1
        case 0x378: return -1  // unassigned: not printable
        case 0x1100...: return 2
        default: return 1
        }
    }

    func row(_ prompt: String, _ text: String, columns: Int = 80) -> Int {
        EditArea.cursorRow(prompt: prompt, textBeforeCursor: text, columns: columns, width: Self.width)
    }

    @Test func shortLineStaysOnThePromptRow() {
        #expect(row("$ ", "") == 0)
        #expect(row("$ ", "echo hi") == 0)
        #expect(row("$ ", String(repeating: "a", count: 77)) == 0)
    }

    @Test func aFullRowPutsTheCursorOnTheNext() {
        #expect(row("$ ", String(repeating: "a", count: 78)) == 1)
        #expect(row("$ ", String(repeating: "a", count: 79)) == 1)
        #expect(row("$ ", String(repeating: "a", count: 78 + 80)) == 2)
    }

    @Test func aWideCharacterThatDoesNotFitMovesToTheNextRow() {
        // Column 79 is left: 日 takes two.
        #expect(row("$ ", String(repeating: "a", count: 77) + "日") == 1)
        #expect(row("$ ", String(repeating: "a", count: 76) + "日") == 1)  // exactly full
        #expect(row("$ ", String(repeating: "日", count: 39)) == 1)
        #expect(row("$ ", String(repeating: "日", count: 38)) == 0)
    }

    @Test func newlinesTabsAndControlCharacters() {
        #expect(row("$ ", "for i in 1\ndo echo $i\ndone") == 2)
        #expect(row("", "\t", columns: 10) == 0)
        #expect(row("", "\t\t", columns: 10) == 1)
        // ^A takes two columns: 1 + 2×4 = 9, then two more wrap.
        #expect(row("$", "\u{1}\u{1}\u{1}\u{1}", columns: 10) == 0)
        #expect(row("$", "\u{1}\u{1}\u{1}\u{1}\u{1}", columns: 10) == 1)
        // Not printable: shown as \U+0378, seven columns.
        #expect(row("", "\u{378}", columns: 7) == 1)
        #expect(row("", "\u{378}", columns: 8) == 0)
    }

    @Test func invisiblePromptTextTakesNoRoom() {
        let colour = "\u{1}\u{1B}[1;32m\u{1}guest:~ $ \u{1}\u{1B}[0m\u{1}"
        #expect(row(colour, String(repeating: "a", count: 69), columns: 80) == 0)
        #expect(row(colour, String(repeating: "a", count: 70), columns: 80) == 1)
    }

    @Test func newlinesAndTabsInThePromptTakeNoRoom() {
        // libedit draws a prompt's control characters as nothing.
        #expect(row("guest:~\n$ ", String(repeating: "a", count: 70)) == 0)
        #expect(row("guest:~\n$ ", String(repeating: "a", count: 71)) == 1)
        #expect(row("\t$ ", String(repeating: "a", count: 78)) == 1)
    }
}
