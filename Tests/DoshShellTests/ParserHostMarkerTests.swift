import Testing
@testable import DoshShell

@Suite struct ParserHostMarkerTests {
    @Test func bangNameInCommandPositionRunsOnTheHost() throws {
        let c = try #require(simpleCommand(parsed("!ls -l")))
        #expect(c.side == .host)
        #expect(c.words == [.literal("ls"), .literal("-l")])
        let cd = try #require(simpleCommand(parsed("!cd ~/src")))
        #expect(cd.side == .host)
        #expect(cd.words == [.literal("cd"), Word([.tilde(nil), .literal("/src")])])
        let withAssignment = try #require(simpleCommand(parsed("X=1 !env")))
        #expect(withAssignment.side == .host)
        #expect(withAssignment.words == [.literal("env")])
        #expect(try simpleCommand(parsed("!~/bin/tool"))?.words == [Word([.tilde(nil), .literal("/bin/tool")])])
        #expect(try simpleCommand(parsed("!'my cmd'"))?.words == [Word([.quoted("my cmd")])])
        #expect(try simpleCommand(parsed("!!x"))?.words == [.literal("!x")])
        #expect(try simpleCommand(parsed("!if"))?.side == .host)
    }

    @Test func bangFollowedByBlankIsNegation() throws {
        let p = try parsed("! grep x f").items[0].andOr.first
        #expect(p.negated)
        guard case .simple(let c) = p.commands[0] else { return }
        #expect(c.side == .guest)
        #expect(c.words.first == .literal("grep"))
        let both = try parsed("! !true").items[0].andOr.first
        #expect(both.negated)
        if case .simple(let host) = both.commands[0] { #expect(host.side == .host) }
    }

    @Test func bangElsewhereIsLiteral() throws {
        #expect(try words("echo hi! a!b !x") == [.literal("echo"), .literal("hi!"), .literal("a!b"), .literal("!x")])
        let quoted = try #require(simpleCommand(parsed("'!ls'")))
        #expect(quoted.side == .guest)
        #expect(quoted.words == [Word([.quoted("!ls")])])
    }

    @Test func pipelinesMixSides() throws {
        let p = try parsed("a2ps -o - r.c | !lpr").items[0].andOr.first
        let sides = p.commands.compactMap { c -> Side? in if case .simple(let s) = c { s.side } else { nil } }
        #expect(sides == [.guest, .host])
    }

    @Test func redirectionTargetsSayTheirSide() throws {
        let c = try #require(simpleCommand(parsed("!sort < data.csv > !sorted.csv 2>>!log <>!rw >|!c >!nospace")))
        #expect(c.side == .host)
        #expect(c.redirections.map(\.targetSide) == [.guest, .host, .host, .host, .host, .host])
        #expect(c.redirections.map(\.target) == [.literal("data.csv"), .literal("sorted.csv"), .literal("log"), .literal("rw"), .literal("c"), .literal("nospace")])
        let guest = try #require(simpleCommand(parsed("cat < !~/f")))
        #expect(guest.side == .guest)
        #expect(guest.redirections == [Redirection(fd: nil, op: .input, target: Word([.tilde(nil), .literal("/f")]), targetSide: .host)])
        #expect(try simpleCommand(parsed("cat > '!f'"))?.redirections.first?.targetSide == .guest)
        #expect(try simpleCommand(parsed("cmd &> !both"))?.redirections.first?.targetSide == .host)
    }

    @Test func descriptorsAndDelimitersAreNeverHostTargets() throws {
        let c = try #require(simpleCommand(parsed("cmd >&!x <&!y <<!z\nbody\n!z\n")))
        #expect(c.redirections[0].targetSide == .host)  // `>&!x` is `> !x 2>&1`: a file
        #expect(c.redirections[2] == Redirection(fd: nil, op: .duplicateInput, target: .literal("!y")))
        #expect(c.redirections[3].targetSide == .guest)
        #expect(c.redirections[3].target == .literal("!z"))
        #expect(c.redirections[3].hereDocument?.body == Word([.literal("body\n")]))
    }
}
