import Testing
@testable import DoshShell

@Suite struct ParserConditionalTests {
    private func conditional(_ text: String) throws -> ConditionalExpression? {
        if case .compound(.conditional(let e), _, _)? = command(try parsed(text)) { return e }
        return nil
    }

    @Test func precedenceIsOrThenAndThenNot() throws {
        #expect(try conditional("[[ a || ! -f b && c ]]") == .or(
            .word(.literal("a")), .and(.not(.unary("-f", .literal("b"))), .word(.literal("c")))))
        #expect(try conditional("[[ ( a || b ) && c ]]") == .and(
            .group(.or(.word(.literal("a")), .word(.literal("b")))), .word(.literal("c"))))
    }

    @Test func comparisonsAndPatterns() throws {
        #expect(try conditional("[[ $x == a* ]]") == .binary(Word([.parameter(.init(name: "x"))]), "==", .literal("a*")))
        #expect(try conditional("[[ a < b ]]") == .binary(.literal("a"), "<", .literal("b")))
        #expect(try conditional("[[ a\n  && b ]]") == .and(.word(.literal("a")), .word(.literal("b"))))
    }

    @Test func theRegularExpressionOperandKeepsParenthesesAndBars() throws {
        #expect(try conditional("[[ x =~ ^(a|b c)+$ ]]") == .binary(.literal("x"), "=~", Word([.literal("^(a|b"), .quoted(" "), .literal("c)+$")])))
        #expect(try conditional("[[ x =~ 'a.'$y ]]") == .binary(
            .literal("x"), "=~", Word([.quoted("a."), .parameter(.init(name: "y"))])))
    }

    @Test(arguments: ["[[ ]]", "[[ a", "[[ -f ]]", "[[ a b ]]", "[[ ( a ]]", "[[ a && ]]", "[[ a =~ ]]", "[[ a == ]]"])
    func syntaxErrors(_ text: String) {
        #expect(throws: SyntaxError.self) { try parsed(text) }
    }

    @Test func roundTrips() throws {
        for text in ["[[ -n $x && ( a == \"b\"* || ! -f ~/f ) ]]", "[[ $y =~ ^(a|b)+$ || a > b ]] 2>&1"] {
            let tree = try parsed(text)
            #expect(LineEraser.erase(try parsed(tree.sourceText)) == LineEraser.erase(tree), "\(tree.sourceText)")
        }
    }
}
