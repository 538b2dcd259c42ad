import Testing

@testable import DoshShell

/// What Tab offers, checked against what bash 5 does at its prompt.
@Suite final class CompletionTests {
    let tree: TemporaryTree
    let shell: Shell

    init() throws {
        tree = try TemporaryTree(
            directories: ["alpha_dir"], files: ["alfa.txt", "file one.txt", "dq$x.txt", "sq'x.txt", "#hash"])
        shell = Shell(environment: [
            "HOME=\(tree.root)", "ROOT=\(tree.root)", "DIR=\(tree.root)/alpha_dir", "FILE=\(tree.root)/alfa.txt",
        ])
    }

    deinit {
        tree.remove()
    }

    func complete(_ line: String) -> [String] {
        return shell.complete(line: line, cursor: line.utf8.count).candidates.map(\.replacement)
    }

    func listed(_ line: String) -> [String] {
        return shell.complete(line: line, cursor: line.utf8.count).candidates.map(\.listed)
    }

    @Test func aVariableNamingADirectoryGetsASlashOthersASpace() {
        #expect(complete("echo $DI") == ["$DIR/"])
    }

    @Test func aVariableNamingAFileGetsASpace() {
        #expect(complete("echo $FIL") == ["$FILE "])
    }

    @Test func aVariableInDoubleQuotesClosesThemFirst() {
        #expect(complete("echo \"$DI") == ["\"$DIR\"/"])
        #expect(complete("echo \"$FIL") == ["\"$FILE\" "])
    }

    @Test func aBracedVariableGetsItsBrace() {
        #expect(complete("echo ${DI") == ["${DIR}/"])
        #expect(complete("echo \"${FIL") == ["\"${FILE}\" "])
    }

    @Test func variablesAreListedWithTheirDollar() {
        #expect(listed("echo $RO") == ["$ROOT"])
    }

    @Test func aPathStartingWithAVariableKeepsItAsTyped() {
        #expect(complete("ls $ROOT/alf") == ["$ROOT/alfa.txt "])
        #expect(complete("ls ${ROOT}/alp") == ["${ROOT}/alpha_dir/"])
        #expect(complete("ls \"$ROOT\"/alf") == ["\"$ROOT\"/alfa.txt "])
        #expect(complete("ls $ROOT/al") == ["$ROOT/alfa.txt ", "$ROOT/alpha_dir/"])
    }

    @Test func singleQuotesKeepADollarLiteral() {
        #expect(complete("ls '$ROOT/alf").isEmpty)
        #expect(complete("echo '$RO").isEmpty)
    }

    @Test func anUnsetVariableExpandsToNothing() {
        #expect(complete("ls $NOPE/al").isEmpty)
    }

    @Test func tildeKeepsWorking() {
        #expect(complete("ls ~/alf") == ["~/alfa.txt "])
    }

    @Test func anOpenDoubleQuoteIsKeptAndClosedOnAUniqueFile() {
        #expect(complete("cat \"\(tree.root)/fil") == ["\"\(tree.root)/file one.txt\" "])
        #expect(complete("cat \"$ROOT/fil") == ["\"$ROOT/file one.txt\" "])
    }

    @Test func anOpenQuoteStaysOpenAfterADirectory() {
        #expect(complete("cat \"\(tree.root)/alp") == ["\"\(tree.root)/alpha_dir/"])
    }

    @Test func anOpenSingleQuoteIsKeptAndClosed() {
        #expect(complete("cat '\(tree.root)/fil") == ["'\(tree.root)/file one.txt' "])
    }

    @Test func insideQuotesOnlyWhatTheQuoteNeedsIsEscaped() {
        #expect(complete("cat \"\(tree.root)/dq") == ["\"\(tree.root)/dq\\$x.txt\" "])
        #expect(complete("cat '\(tree.root)/sq") == ["'\(tree.root)/sq'\\''x.txt' "])
        #expect(complete("cat \"\(tree.root)/sq") == ["\"\(tree.root)/sq'x.txt\" "])
    }

    @Test func withoutQuotesSpecialCharactersGetABackslash() {
        #expect(complete("cat \(tree.root)/fil") == ["\(tree.root)/file\\ one.txt "])
        #expect(complete("cat \(tree.root)/dq") == ["\(tree.root)/dq\\$x.txt "])
        #expect(complete("cat \(tree.root)/sq") == ["\(tree.root)/sq\\'x.txt "])
        // A `#` starts a comment only at the start of a word.
        #expect(complete("cat \(tree.root)/#") == ["\(tree.root)/#hash "])
    }

    @Test func aTrailingBackslashIsNotEscapedTwice() {
        // A common prefix such as `file\` can end between a backslash and what it escapes.
        #expect(complete("cat \(tree.root)/file\\") == ["\(tree.root)/file\\ one.txt "])
    }

    @Test func listingsShowPlainNames() {
        #expect(listed("cat \"\(tree.root)/") == ["#hash", "alfa.txt", "alpha_dir/", "dq$x.txt", "file one.txt", "sq'x.txt"])
    }

    @Test func commandsCompleteWithASpace() {
        #expect(complete("ech").contains("echo "))
        #expect(complete("\"ech").contains("\"echo\" "))
    }
}
