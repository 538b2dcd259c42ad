import Testing
@testable import DoshShell

@Suite struct ParserCommandTests {
    @Test func assignmentsOnlyBeforeTheCommandName() throws {
        let c = try #require(simpleCommand(parsed("A=1 B='x y' cmd C=2")))
        #expect(c.assignments == [Assignment(name: "A", value: .literal("1")), Assignment(name: "B", value: Word([.quoted("x y")]))])
        #expect(c.words == [.literal("cmd"), .literal("C=2")])
        let alone = try #require(simpleCommand(parsed("X=")))
        #expect(alone.assignments == [Assignment(name: "X", value: Word([]))])
        #expect(alone.words.isEmpty)
        #expect(try simpleCommand(parsed("'A'=1"))?.words == [Word([.quoted("A"), .literal("=1")])])
        #expect(try simpleCommand(parsed("1A=1"))?.words == [.literal("1A=1")])
    }

    @Test func redirectionsAnywhere() throws {
        let c = try #require(simpleCommand(parsed("<in cmd 2>err a >>out b 10>&1 <&- 3<>rw >|clob")))
        #expect(c.words == [.literal("cmd"), .literal("a"), .literal("b")])
        #expect(c.redirections == [
            Redirection(fd: nil, op: .input, target: .literal("in")),
            Redirection(fd: 2, op: .output, target: .literal("err")),
            Redirection(fd: nil, op: .append, target: .literal("out")),
            Redirection(fd: 10, op: .duplicateOutput, target: .literal("1")),
            Redirection(fd: nil, op: .duplicateInput, target: .literal("-")),
            Redirection(fd: 3, op: .readWrite, target: .literal("rw")),
            Redirection(fd: nil, op: .clobber, target: .literal("clob")),
        ])
        #expect(try simpleCommand(parsed("echo 2 >f"))?.words == [.literal("echo"), .literal("2")])
        #expect(try simpleCommand(parsed("echo a2>f"))?.words == [.literal("echo"), .literal("a2")])
    }

    @Test func outputAndErrorToAFile() throws {
        let both = [
            Redirection(fd: nil, op: .output, target: .literal("f")),
            Redirection(fd: 2, op: .duplicateOutput, target: .literal("1")),
        ]
        #expect(try simpleCommand(parsed("cmd >&f"))?.redirections == both)
        #expect(try simpleCommand(parsed("cmd &>f"))?.redirections == both)
        #expect(try simpleCommand(parsed("cmd &>>f"))?.redirections.first?.op == .append)
        #expect(try simpleCommand(parsed("cmd >&2"))?.redirections == [Redirection(fd: nil, op: .duplicateOutput, target: .literal("2"))])
        #expect(try simpleCommand(parsed("cmd >&$fd"))?.redirections.first?.op == .duplicateOutput)
    }

    @Test func pipelinesAndLists() throws {
        let list = try parsed("! a | b && c || d & e; f")
        #expect(list.items.count == 3)
        #expect(list.items[0].background)
        #expect(list.items[0].andOr.first.negated)
        #expect(list.items[0].andOr.first.commands.count == 2)
        #expect(list.items[0].andOr.rest.map(\.op) == [.and, .or])
        #expect(!list.items[1].background)
        let continued = try parsed("a &&\n\n b |\n c")
        #expect(continued.items.count == 1)
        #expect(continued.items[0].andOr.rest[0].pipeline.commands.count == 2)
    }

    @Test func compoundCommands() throws {
        let ifClause = try #require(command(parsed("if a; then b; elif c; then d; else e; fi")))
        guard case .compound(.ifClause(let branches, let elseBody), _, _) = ifClause else {
            Issue.record("not an if: \(ifClause)")
            return
        }
        #expect(branches.count == 2)
        #expect(elseBody == (try parsed("e")))
        #expect(try shape(command(parsed("while a; do b; done"))) == shape(.compound(.whileLoop(condition: tree("a"), body: tree("b")), redirections: [], line: 1)))
        #expect(try shape(command(parsed("until a\ndo b\ndone"))) == shape(.compound(.untilLoop(condition: tree("a"), body: tree("b")), redirections: [], line: 1)))
        #expect(try shape(command(parsed("{ a; b; }"))) == shape(.compound(.braceGroup(tree("a; b")), redirections: [], line: 1)))
        #expect(try shape(command(parsed("(a; b)"))) == shape(.compound(.subshell(tree("a; b")), redirections: [], line: 1)))
        #expect(try shape(command(parsed("{ a; } >f 2>&1"))) == shape(.compound(.braceGroup(tree("a")), redirections: [
            Redirection(fd: nil, op: .output, target: .literal("f")), Redirection(fd: 2, op: .duplicateOutput, target: .literal("1")),
        ], line: 1)))
        #expect(try shape(command(parsed("while read x; do :; done < file"))) == shape(.compound(
            .whileLoop(condition: parsed("read x"), body: parsed(":")), redirections: [Redirection(fd: nil, op: .input, target: .literal("file"))], line: 1)))
    }

    @Test func forLoops() throws {
        #expect(try shape(command(parsed("for x in a ~ 'c'; do echo $x; done"))) == shape(.compound(
            .forLoop(variable: "x", items: [.literal("a"), Word([.tilde(nil)]), Word([.quoted("c")])], body: parsed("echo $x")), redirections: [], line: 1)))
        #expect(try shape(command(parsed("for x; do :; done"))) == shape(.compound(.forLoop(variable: "x", items: nil, body: tree(":")), redirections: [], line: 1)))
        #expect(try shape(command(parsed("for x\ndo :; done"))) == shape(.compound(.forLoop(variable: "x", items: nil, body: tree(":")), redirections: [], line: 1)))
        #expect(try shape(command(parsed("for x in; do :; done"))) == shape(.compound(.forLoop(variable: "x", items: [], body: tree(":")), redirections: [], line: 1)))
        #expect(try shape(command(parsed("for in in in do; do :; done"))) == shape(.compound(.forLoop(variable: "in", items: [.literal("in"), .literal("do")], body: tree(":")), redirections: [], line: 1)))
    }

    @Test func caseClauses() throws {
        let c = try command(parsed("case $x in\n (a|b) one;;\n c) two ;;\n *) ;;\n d) last\nesac"))
        #expect(shape(c) == shape(.compound(.caseClause(subject: Word([.parameter(.init(name: "x"))]), items: [
            CaseItem(patterns: [.literal("a"), .literal("b")], body: try parsed("one")),
            CaseItem(patterns: [.literal("c")], body: try parsed("two")),
            CaseItem(patterns: [.literal("*")], body: CommandList()),
            CaseItem(patterns: [.literal("d")], body: try parsed("last")),
        ]), redirections: [], line: 1)))
        #expect(try shape(command(parsed("case x in esac"))) == shape(.compound(.caseClause(subject: .literal("x"), items: []), redirections: [], line: 1)))
        #expect(try shape(command(parsed("case x in (esac) echo esac;; esac"))) == shape(.compound(
            .caseClause(subject: .literal("x"), items: [CaseItem(patterns: [.literal("esac")], body: try parsed("echo esac"))]), redirections: [], line: 1)))
    }

    @Test func reservedWordsOnlyInCommandPosition() throws {
        #expect(try words("echo if then fi }") == [.literal("echo"), .literal("if"), .literal("then"), .literal("fi"), .literal("}")])
        #expect(try words("'if'") == [Word([.quoted("if")])])
        #expect(try simpleCommand(parsed("X=1 if"))?.words == [.literal("if")])
        #expect(try simpleCommand(parsed("{x"))?.words == [.literal("{x")])
    }

    @Test func functionDefinitions() throws {
        let f = try command(parsed("greet() { echo hi; } >&2"))
        #expect(shape(f) == shape(.function(FunctionDefinition(name: "greet", body: .braceGroup(tree("echo hi")),
            redirections: [Redirection(fd: nil, op: .duplicateOutput, target: .literal("2"))], line: 1))))
        let g = try command(parsed("g ()\n( echo sub )"))
        #expect(shape(g) == shape(.function(FunctionDefinition(name: "g", body: .subshell(tree("echo sub")), line: 1))))
        let h = try command(parsed("function h { echo; }"))
        #expect(shape(h) == shape(.function(FunctionDefinition(name: "h", body: .braceGroup(tree("echo")), line: 1))))
        #expect(throws: SyntaxError.self) { try parsed("f() echo hi") }
    }

    @Test func syntaxErrorsNameTheToken() {
        #expect(throws: SyntaxError(line: 1, message: "syntax error near 'fi'")) { try parsed("fi") }
        #expect(throws: SyntaxError(line: 3, message: "syntax error near 'fi'")) { try parsed("if true\nthen\nfi") }
        #expect(throws: SyntaxError(line: 1, message: "syntax error near ';;'")) { try parsed("echo a;;") }
        #expect(throws: SyntaxError(line: 1, message: "syntax error near ')'")) { try parsed("echo )") }
        #expect(throws: SyntaxError(line: 1, message: "syntax error near 'newline'")) { try parsed("echo >\n") }
        #expect(throws: SyntaxError(line: 3, message: "syntax error: unexpected end of file")) { try parsed("if a\nthen b\n") }
        #expect(throws: SyntaxError(line: 1, message: "syntax error near '}'")) { try parsed("{ }") }
        #expect(throws: SyntaxError(line: 1, message: "syntax error: unexpected end of file")) { try parsed("a |") }
    }

    @Test func deepNestingIsAnErrorNotACrash() {
        let deep = String(repeating: "(", count: 100_000)
        #expect(throws: SyntaxError.self) { try parsed(deep) }
        let deepSubstitution = String(repeating: "$(", count: 10_000)
        #expect(throws: SyntaxError.self) { try parsed("echo " + deepSubstitution) }
        let deepQuotes = String(repeating: "\"$(echo ", count: 5_000)
        #expect(throws: SyntaxError.self) { try parsed("echo " + deepQuotes) }
        let deepParameters = String(repeating: "${x:-", count: 10_000)
        #expect(throws: SyntaxError.self) { try parsed("echo " + deepParameters) }
        let deepBackquotes = String(repeating: "`echo \\", count: 12)
        _ = try? parsed(deepBackquotes)
        // Nesting within the limit works.
        let fine = String(repeating: "( ", count: 100) + "a" + String(repeating: " )", count: 100)
        #expect(throws: Never.self) { try parsed(fine) }
    }

    @Test func lineNumbers() throws {
        let list = try parsed("\n\na\nif b\nthen\n  c | d\nfi\nf() {\n e\n}\necho $(\ng)")
        #expect(simpleCommand(list, 0)?.line == 3)
        #expect(list.items[0].andOr.first.line == 3)
        guard case .compound(.ifClause(let branches, _), _, let ifLine)? = command(list, 1) else {
            Issue.record("no if")
            return
        }
        #expect(ifLine == 4)
        #expect(branches[0].body.items[0].andOr.first.line == 6)
        guard case .function(let f)? = command(list, 2) else {
            Issue.record("no function")
            return
        }
        #expect(f.line == 8)
        guard case .braceGroup(let body) = f.body, case .simple(let e)? = body.items.first?.andOr.first.commands.first else {
            Issue.record("no body")
            return
        }
        #expect(e.line == 9)
        guard case .commandSubstitution(let inner)? = simpleCommand(list, 3)?.words.last?.parts.first else {
            Issue.record("no substitution")
            return
        }
        #expect(simpleCommand(inner)?.line == 12)
    }
}
