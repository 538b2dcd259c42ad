import Testing
@testable import DoshShell

@Suite struct ParserWordTests {
    @Test func quotingForms() throws {
        #expect(try argument("abc") == Word([.literal("abc")]))
        #expect(try argument("'a b'") == Word([.quoted("a b")]))
        #expect(try argument("a\\ b") == Word([.literal("a"), .quoted(" "), .literal("b")]))
        #expect(try argument("'a''b'\\c") == Word([.quoted("abc")]))
        #expect(try argument("\"x $y\"") == Word([.doubleQuoted([.literal("x "), .parameter(.init(name: "y"))])]))
        #expect(try argument("\"\\$a\\\\\\\"\\q\"") == Word([.doubleQuoted([.literal("$a\\\"\\q")])]))
        #expect(try argument("''") == Word([.quoted("")]))
        #expect(try argument("\"\"") == Word([.doubleQuoted([])]))
    }

    @Test func lineContinuationIsRemovedOutsideSingleQuotes() throws {
        #expect(try argument("ab\\\ncd") == Word([.literal("abcd")]))
        #expect(try argument("\"ab\\\ncd\"") == Word([.doubleQuoted([.literal("abcd")])]))
        #expect(try argument("'ab\\\ncd'") == Word([.quoted("ab\\\ncd")]))
    }

    @Test func ansiCQuoting() throws {
        #expect(try argument("$'a\\nb\\t\\\\\\'\\x41\\u00e9\\101\\cA\\e'") == Word([.quoted("a\nb\t\\'Aé" + "A\u{01}\u{1B}")]))
        #expect(try argument("$'\\z'") == Word([.quoted("\\z")]))
    }

    @Test func tildeOnlyAtWordStart() throws {
        #expect(try argument("~") == Word([.tilde(nil)]))
        #expect(try argument("~/src") == Word([.tilde(nil), .literal("/src")]))
        #expect(try argument("~bob/x") == Word([.tilde("bob"), .literal("/x")]))
        #expect(try argument("a~") == Word([.literal("a~")]))
        #expect(try argument("'~'") == Word([.quoted("~")]))
        #expect(try argument("~'x'") == Word([.literal("~"), .quoted("x")]))
        #expect(try argument("x=~") == Word([.literal("x=~")]))
    }

    @Test func tildeInAssignmentValues() throws {
        let a = try simpleCommand(parsed("PATH=~/bin:~bob:/usr:~"))?.assignments
        #expect(a == [Assignment(name: "PATH", value: Word([.tilde(nil), .literal("/bin:"), .tilde("bob"), .literal(":/usr:"), .tilde(nil)]))])
    }

    @Test func parameterForms() throws {
        func p(_ name: String, _ op: ParameterOperation = .value) -> WordPart { .parameter(.init(name: name, operation: op)) }
        #expect(try argument("$x") == Word([p("x")]))
        #expect(try argument("$x_1y") == Word([p("x_1y")]))
        #expect(try argument("$10") == Word([p("1"), .literal("0")]))
        #expect(try argument("${10}") == Word([p("10")]))
        for special in ["?", "$", "!", "#", "@", "*", "-", "0"] {
            #expect(try argument("$" + special) == Word([p(special)]))
            #expect(try argument("${" + special + "}") == Word([p(special)]))
        }
        #expect(try argument("${#x}") == Word([p("x", .length)]))
        #expect(try argument("${#}") == Word([p("#")]))
        #expect(try argument("${x:-a b}") == Word([p("x", .useDefault(Word([.literal("a b")]), colon: true))]))
        #expect(try argument("${x-w}") == Word([p("x", .useDefault(.literal("w"), colon: false))]))
        #expect(try argument("${x:=w}") == Word([p("x", .assignDefault(.literal("w"), colon: true))]))
        #expect(try argument("${x=w}") == Word([p("x", .assignDefault(.literal("w"), colon: false))]))
        #expect(try argument("${x:?}") == Word([p("x", .errorIfUnset(Word([]), colon: true))]))
        #expect(try argument("${x?w}") == Word([p("x", .errorIfUnset(.literal("w"), colon: false))]))
        #expect(try argument("${x:+w}") == Word([p("x", .useAlternative(.literal("w"), colon: true))]))
        #expect(try argument("${x+w}") == Word([p("x", .useAlternative(.literal("w"), colon: false))]))
        #expect(try argument("${x#*/}") == Word([p("x", .removePrefix(.literal("*/"), longest: false))]))
        #expect(try argument("${x##*/}") == Word([p("x", .removePrefix(.literal("*/"), longest: true))]))
        #expect(try argument("${x%.c}") == Word([p("x", .removeSuffix(.literal(".c"), longest: false))]))
        #expect(try argument("${x%%.*}") == Word([p("x", .removeSuffix(.literal(".*"), longest: true))]))
    }

    @Test func parameterOperandsNest() throws {
        let w = try argument("${x:-'a}'\"$y\"${z:-$(echo })}}")
        let inner = Word([.parameter(.init(name: "z", operation: .useDefault(
            Word([.commandSubstitution(try parsed("echo }"))]), colon: true)))])
        #expect(w == Word([.parameter(.init(name: "x", operation: .useDefault(
            Word([.quoted("a}"), .doubleQuoted([.parameter(.init(name: "y"))])] + inner.parts), colon: true)))]))
        #expect(try argument("${x:-{a}}") == Word([.parameter(.init(name: "x", operation: .useDefault(.literal("{a}"), colon: true)))]))
        #expect(try argument("${x:-~}") == Word([.parameter(.init(name: "x", operation: .useDefault(Word([.tilde(nil)]), colon: true)))]))
    }

    @Test func operandInsideDoubleQuotesFollowsDoubleQuoteRules() throws {
        let w = try argument("\"${x:-'a' \\} \"b\"}\"")
        #expect(w == Word([.doubleQuoted([.parameter(.init(name: "x", operation: .useDefault(
            Word([.literal("'a' } "), .doubleQuoted([.literal("b")])]), colon: true)))])]))
    }

    @Test func aLoneDollarIsText() throws {
        #expect(try argument("$") == Word([.quoted("$")]))
        #expect(try argument("a$%") == Word([.literal("a"), .quoted("$"), .literal("%")]))
        #expect(try argument("\"a$\"") == Word([.doubleQuoted([.literal("a$")])]))
    }

    @Test func badSubstitutionIsASyntaxError() {
        #expect(throws: SyntaxError.self) { try parsed("echo ${x/a/b}") }
        #expect(throws: SyntaxError.self) { try parsed("echo ${}") }
    }

    @Test func commandSubstitutions() throws {
        #expect(try argument("$(echo hi)") == Word([.commandSubstitution(try parsed("echo hi"))]))
        #expect(try argument("`echo hi`") == Word([.commandSubstitution(try parsed("echo hi"))]))
        let nested = try argument("\"$(echo \"$(date)\")\"")
        #expect(nested == Word([.doubleQuoted([.commandSubstitution(try parsed("echo \"$(date)\""))])]))
        let withCase = try argument("$(case x in a) echo a;; (b) echo b;; esac)")
        #expect(withCase == Word([.commandSubstitution(try parsed("case x in a) echo a;; b) echo b;; esac"))]))
        let withComment = try argument("$(echo a # a comment )\n)")
        #expect(withComment == Word([.commandSubstitution(try parsed("echo a"))]))
        #expect(try argument("$()") == Word([.commandSubstitution(CommandList())]))
    }

    @Test func backquotesUnescape() throws {
        #expect(try argument("`echo \\$x \\`y\\` \\\\`") == Word([.commandSubstitution(try parsed("echo $x `y` \\"))]))
        #expect(try argument("\"`echo \\\"a\\\"`\"") == Word([.doubleQuoted([.commandSubstitution(try parsed("echo \"a\""))])]))
    }

    @Test func arithmetic() throws {
        #expect(try argument("$((1 + 2))") == Word([.arithmetic(.literal("1 + 2"))]))
        #expect(try argument("$(( (1+2) * $x ))") == Word([.arithmetic(Word([.literal(" (1+2) * "), .parameter(.init(name: "x")), .literal(" ")]))]))
        #expect(try argument("$(($(echo 1) + $((2))))") == Word([.arithmetic(Word([
            .commandSubstitution(try parsed("echo 1")), .literal(" + "), .arithmetic(.literal("2")),
        ]))]))
    }

    @Test func dollarDoubleParenThatIsASubshell() throws {
        let w = try argument("$((echo a) | (echo b))")
        #expect(w == Word([.commandSubstitution(try parsed("(echo a) | (echo b)"))]))
    }

    @Test func wordsEndAtOperators() throws {
        let list = try parsed("echo a|b&&c;d")
        #expect(list.items.count == 2)
        #expect(list.items[0].andOr.first.commands.count == 2)
        #expect(list.items[0].andOr.rest.count == 1)
    }

    @Test func commentsRunToEndOfLine() throws {
        #expect(try words("echo a#b # c d") == [.literal("echo"), .literal("a#b")])
    }

    @Test func unterminatedQuotesReportEndOfFile() {
        for text in ["echo 'abc", "echo \"abc", "echo $(ls", "echo `ls", "echo ${x", "echo $((1"] {
            #expect(throws: SyntaxError(line: 1, message: "syntax error: unexpected end of file")) { try parsed(text) }
        }
    }
}
