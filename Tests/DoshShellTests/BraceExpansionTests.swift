import Testing
@testable import DoshShell

@Suite struct BraceExpansionTests {
    @Test func quotedAndExpandedPartsAreKeptWhole() throws {
        let word = try #require(try argument("x{\"a,b\",$y}z"))
        #expect(braceExpanded(word) == [
            Word([.literal("x"), .doubleQuoted([.literal("a,b")]), .literal("z")]),
            Word([.literal("x"), .parameter(.init(name: "y")), .literal("z")]),
        ])
    }

    @Test func aWordWithoutBracesIsItself() throws {
        let word = try #require(try argument("'{a,b}'c"))
        #expect(braceExpanded(word) == [word])
    }

    @Test func hugeSequencesStayAsWritten() throws {
        let word = Word.literal("{1..9223372036854775807}")
        #expect(braceExpanded(word) == [word])
    }

    @Test func aTildeMadeByExpansionIsATildePrefix() throws {
        #expect(braceExpanded(.literal("{~,x}/b")) == [Word([.tilde(nil), .literal("/b")]), .literal("x/b")])
    }
}
