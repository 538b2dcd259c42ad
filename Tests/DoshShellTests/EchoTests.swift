import Testing
@testable import DoshShell

private func echo(_ arguments: String...) -> [UInt8] {
    EchoArguments.render(arguments)
}

private func text(_ value: String) -> [UInt8] { Array(value.utf8) }

@Test func echoJoinsWithSpacesAndEndsWithNewline() {
    #expect(echo() == text("\n"))
    #expect(echo("a", "b c", "") == text("a b c \n"))
}

@Test func echoOptionWords() {
    #expect(echo("-n", "x") == text("x"))
    #expect(echo("-n") == [])
    #expect(echo("-nx") == text("-nx\n"))
    #expect(echo("--", "-n") == text("-- -n\n"))
    #expect(echo("-") == text("-\n"))
    #expect(echo("-e", "-n", "\\t") == text("\t"))
    #expect(echo("-neE", "\\t") == text("\\t"))
    #expect(echo("-Ee", "\\t") == text("\t\n"))
    // Options stop at the first other word.
    #expect(echo("x", "-n") == text("x -n\n"))
}

@Test func echoLeavesBackslashesAloneByDefault() {
    #expect(echo("a\\nb", "\\c") == text("a\\nb \\c\n"))
}

@Test func echoEscapes() {
    #expect(echo("-e", "\\a\\b\\e\\E\\f\\n\\r\\t\\v\\\\") == [7, 8, 27, 27, 12, 10, 13, 9, 11, 92, 10])
    #expect(echo("-e", "\\0101|\\01010|\\0|\\0777") == [65, 124, 65, 48, 124, 0, 124, 255, 10])
    #expect(echo("-e", "\\x41\\x4g\\xfff") == [65, 4, 103, 255, 102, 10])
    #expect(echo("-e", "\\u00e9\\U0001F600") == text("é😀\n"))
}

@Test func echoKeepsUnknownAndBashOnlyForms() {
    // Only `\0NNN` is octal in echo; `\101`, `\'`, `\"`, `\?`, `\x` alone stay as written.
    #expect(echo("-e", "\\101|\\'|\\\"|\\?|\\x|\\u|\\q|\\") == text("\\101|\\'|\\\"|\\?|\\x|\\u|\\q|\\\n"))
}

@Test func echoBackslashCStopsAllOutput() {
    #expect(echo("-e", "a\\cb", "more") == text("a"))
    #expect(echo("-e", "x", "\\c", "y") == text("x "))
}
