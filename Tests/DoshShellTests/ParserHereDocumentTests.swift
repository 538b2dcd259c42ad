import Testing
@testable import DoshShell

@Suite struct ParserHereDocumentTests {
    private func hereDocuments(_ text: String) throws -> [HereDocument] {
        try simpleCommand(parsed(text))?.redirections.compactMap(\.hereDocument) ?? []
    }

    @Test func unquotedDelimiterExpands() throws {
        let docs = try hereDocuments("cat <<EOF\nhi $USER \"q\" \\$x \\a\n$(date)\nEOF\n")
        #expect(docs == [HereDocument(body: Word([
            .literal("hi "), .parameter(.init(name: "USER")), .literal(" \"q\" $x \\a\n"),
            .commandSubstitution(tree("\n\ndate")), .literal("\n"),
        ]), expands: true)])
    }

    @Test func quotedDelimiterIsLiteral() throws {
        for delimiter in ["'EOF'", "\"EOF\"", "\\EOF", "E'O'F"] {
            let docs = try hereDocuments("cat <<\(delimiter)\n$x `y`\nEOF\n")
            #expect(docs == [HereDocument(body: Word([.quoted("$x `y`\n")]), expands: false)])
        }
    }

    @Test func severalOnOneLineAreReadInOrder() throws {
        let list = try parsed("cat <<A; cat <<-B | cat <<'C'\na\nA\n\tb\n\tB\nc\nC\necho after\n")
        #expect(list.items.count == 3)
        #expect(simpleCommand(list, 0)?.redirections.first?.hereDocument?.body == .literal("a\n"))
        let pipeline = list.items[1].andOr.first.commands
        guard case .simple(let b) = pipeline[0], case .simple(let c) = pipeline[1] else { return }
        #expect(b.redirections.first?.hereDocument?.body == .literal("b\n"))
        #expect(b.redirections.first?.op == .hereDocument(stripTabs: true))
        #expect(c.redirections.first?.hereDocument == HereDocument(body: Word([.quoted("c\n")]), expands: false))
        #expect(simpleCommand(list, 2)?.words == [.literal("echo"), .literal("after")])
    }

    @Test func bodiesInsideCompoundCommandsAndSubstitutions() throws {
        let list = try parsed("if true; then cat <<E; fi\nx\nE\necho $(cat <<F\ny\nF\n)\n")
        guard case .compound(.ifClause(let branches, _), _, _)? = command(list, 0) else {
            Issue.record("no if")
            return
        }
        #expect(simpleCommand(branches[0].body)?.redirections.first?.hereDocument?.body == .literal("x\n"))
        guard case .commandSubstitution(let inner)? = simpleCommand(list, 1)?.words.last?.parts.first else {
            Issue.record("no substitution")
            return
        }
        #expect(simpleCommand(inner)?.redirections.first?.hereDocument?.body == .literal("y\n"))
    }

    @Test func missingDelimiterEndsAtEndOfInput() throws {
        #expect(try hereDocuments("cat <<EOF\nline") == [HereDocument(body: .literal("line\n"), expands: true)])
        #expect(try hereDocuments("cat <<'EOF'") == [HereDocument(body: Word([.quoted("")]), expands: false)])
    }
}

@Suite struct ParserAliasTests {
    @Test func aliasesReplaceCommandWords() throws {
        let aliases = ["ll": "ls -l", "say": "echo ", "it": "hello", "ls": "ls --color", "a": "b", "b": "a"]
        #expect(try simpleCommand(parsed("ll /tmp", aliases: aliases))?.words == [.literal("ls"), .literal("--color"), .literal("-l"), .literal("/tmp")])
        #expect(try simpleCommand(parsed("say it", aliases: aliases))?.words == [.literal("echo"), .literal("hello")])
        #expect(try simpleCommand(parsed("echo ll", aliases: aliases))?.words == [.literal("echo"), .literal("ll")])
        #expect(try simpleCommand(parsed("'ll'", aliases: aliases))?.words == [Word([.quoted("ll")])])
        #expect(try simpleCommand(parsed("a", aliases: aliases))?.words == [.literal("a")])
        #expect(try simpleCommand(parsed("X=1 ll", aliases: aliases))?.words.first == .literal("ls"))
        let piped = try parsed("true | ll; ll", aliases: aliases)
        guard case .simple(let second) = piped.items[0].andOr.first.commands[1] else { return }
        #expect(second.words.first == .literal("ls"))
        #expect(simpleCommand(piped, 1)?.words.first == .literal("ls"))
    }

    @Test func aliasTextIsParsedAgain() throws {
        let aliases = ["loop": "for i in 1 2; do", "both": "a && b"]
        let list = try parsed("loop echo $i; done", aliases: aliases)
        guard case .compound(.forLoop(let variable, _, _), _, _)? = command(list) else {
            Issue.record("not a loop")
            return
        }
        #expect(variable == "i")
        #expect(try parsed("both", aliases: aliases).items[0].andOr.rest.count == 1)
    }

    @Test func aliasesApplyFromTheNextCommand() throws {
        var defined: [String: String] = [:]
        final class Box { var aliases: [String: String] = [:] }
        let box = Box()
        var parser = Parser(source: StringLineSource("alias x=echo\nx hi\n"), aliases: { box.aliases[$0] })
        _ = try parser.parseNextCommand()
        box.aliases["x"] = "echo"
        defined = box.aliases
        let second = try #require(try parser.parseNextCommand())
        #expect(simpleCommand(second)?.words == [.literal("echo"), .literal("hi")])
        #expect(defined.count == 1)
    }
}

@Suite struct ParserIncrementalTests {
    @Test func readsNoFurtherThanTheCurrentCommand() throws {
        let source = CountingLineSource("echo one\n\n# comment\nif true\nthen\n  echo two\nfi\necho three; echo four\ncat <<E\nbody\nE\necho five\n")
        var parser = Parser(source: source)
        #expect(parser.currentLine == 1)
        _ = try parser.parseNextCommand()
        #expect(source.handedOut == 1)
        #expect(parser.currentLine == 2)
        let ifCommand = try #require(try parser.parseNextCommand())
        #expect(source.handedOut == 7)
        #expect(LineEraser.erase(ifCommand) == LineEraser.erase(tree("if true; then echo two; fi")))
        #expect(parser.currentLine == 8)
        #expect(try parser.parseNextCommand()?.items.count == 2)
        #expect(source.handedOut == 8)
        _ = try parser.parseNextCommand()
        #expect(source.handedOut == 11)
        _ = try parser.parseNextCommand()
        #expect(source.handedOut == 12)
        #expect(try parser.parseNextCommand() == nil)
        // Only lines read to finish a started command are continuations.
        #expect(source.continuations == [false, false, false, false, true, true, true, false, false, true, true, false])
    }

    @Test func continuationLines() throws {
        let source = CountingLineSource("echo 'a\nb' \\\n c &&\n d\n")
        var parser = Parser(source: source)
        let list = try #require(try parser.parseNextCommand())
        #expect(source.handedOut == 4)
        #expect(simpleCommand(list)?.words == [.literal("echo"), Word([.quoted("a\nb")]), .literal("c")])
    }

    @Test func goesOnAfterASyntaxError() throws {
        var parser = Parser(source: StringLineSource("echo ok\nfi oops; echo lost\necho again\n"))
        #expect(try parser.parseNextCommand() != nil)
        #expect(throws: SyntaxError(line: 2, message: "syntax error near 'fi'")) { try parser.parseNextCommand() }
        #expect(parser.currentLine == 3)
        let next = try #require(try parser.parseNextCommand())
        #expect(simpleCommand(next)?.words == [.literal("echo"), .literal("again")])
        #expect(simpleCommand(next)?.line == 3)
    }

    @Test func firstLineOffsetsLineNumbers() throws {
        var parser = Parser(source: StringLineSource("a\nb\n"), firstLine: 10)
        let a = try parser.parseNextCommand()
        let b = try parser.parseNextCommand()
        #expect(a.flatMap { simpleCommand($0) }?.line == 10)
        #expect(b.flatMap { simpleCommand($0) }?.line == 11)
    }
}

@Suite struct ParserSourceTextTests {
    @Test func rendersValidShell() throws {
        let cases = [
            "echo 'it'\\''s' \"$x\" ${y:-z} $(ls) $((1+2)) ~/a",
            "!ls -l > !out 2>&1 < in",
            "f() { echo a; } >&2",
            "if a; then b; elif c; then d; else e; fi",
            "for x in a b; do echo $x; done",
            "case $x in (a|b) echo a ;; (*) ;; esac",
            "cat <<EOF; cat <<'Q'\nhi $x\nEOF\nraw $y\nQ\n",
            "a & b; ! c | d && e || f",
            "X=~/a:~b cmd",
        ]
        for text in cases {
            let first = try parsed(text)
            let again = try parsed(first.sourceText)
            #expect(LineEraser.erase(again) == LineEraser.erase(first), "\(text) → \(first.sourceText)")
        }
        #expect(try parsed("echo  a   b").sourceText == "echo a b")
        #expect(try parsed("!ls   -l").sourceText == "!ls -l")
        #expect(try parsed("{ a;b; }").sourceText == "{ a; b; }")
    }
}
