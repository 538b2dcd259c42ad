import Foundation
import Testing

/// The `!` rules end to end, between two real worlds (see `TwoWorlds`).
@Suite(.serialized) struct HostSideTests {
    /// Runs `script` in the guest world and checks what it printed and returned.
    func check(
        _ script: String, stdout expected: String, stderr expectedError: String? = nil, status: Int32 = 0, guestSetup: String = "",
        over transport: TwoWorlds.Transport = .unix,
        hostSetup: (TwoWorlds) throws -> Void = { _ in }, sourceLocation: SourceLocation = #_sourceLocation
    ) throws {
        if let missing = TwoWorlds.missingPrerequisite() {
            if getuid() == 0 { Issue.record("two worlds cannot be made: \(missing)") } else { print("skipping: \(missing)") }
            return
        }
        let worlds = try TwoWorlds(transport: transport)
        try hostSetup(worlds)
        let result = try worlds.guest(script, guestSetup: guestSetup)
        #expect(!result.timedOut, "timed out", sourceLocation: sourceLocation)
        #expect(result.stdout == expected, "stderr: \(result.stderr)", sourceLocation: sourceLocation)
        #expect(result.status == status, "stderr: \(result.stderr)", sourceLocation: sourceLocation)
        if let expectedError { #expect(result.stderr == expectedError, sourceLocation: sourceLocation) }
    }

    /// The matrix of typed lines (`TwoWorldsMatrix`), here as scripts; `InteractiveTests` types
    /// the same lines at a prompt.
    @Test(arguments: TwoWorlds.Transport.allCases) func theMatrixOfRulesHoldsInScripts(over transport: TwoWorlds.Transport) throws {
        if let missing = TwoWorlds.missingPrerequisite() {
            if getuid() == 0 { Issue.record("two worlds cannot be made: \(missing)") } else { print("skipping: \(missing)") }
            return
        }
        let worlds = try TwoWorlds(transport: transport)
        for line in TwoWorldsMatrix.lines {
            let result = try worlds.guest(line.line)
            #expect(!result.timedOut, "\(line.name): timed out")
            #expect(result.stdout == line.stdout, "\(line.name): stderr: \(result.stderr)")
            #expect(result.status == 0, "\(line.name): stderr: \(result.stderr)")
        }
    }

    @Test(arguments: TwoWorlds.Transport.allCases) func theTwoWorldsDiffer(over transport: TwoWorlds.Transport) throws {
        try check("cat which.txt; !cat which.txt", stdout: "guest\nhost\n", over: transport)
    }

    @Test func typeAndCommandVAnswerForTheHost() throws {
        try check(
            "type !/bin/sh !cd; command -v !/bin/sh !cd; type !no-such-command; echo $?",
            stdout: "!/bin/sh is /bin/sh on the host\n!cd is a shell builtin on the host\n!/bin/sh\n!cd\n1\n")
        try check(
            "type -t !/bin/sh !cd; type -p !/bin/sh !cd; type -P !cd; echo $?",
            stdout: "file\nbuiltin\n!/bin/sh\n1\n")
    }

    @Test func hostWordsAreBraceExpanded() throws {
        try check("!echo {a,b} x{1..3}; !printf '%s.' {c,d}; echo", stdout: "a b x1 x2 x3\nc.d.\n")
    }

    @Test func aHostCommandReadsAHereStringFromTheGuest() throws {
        try check("x='a  b'; !cat <<< \"$x\"; !cat <<< !which.txt", stdout: "a  b\n!which.txt\n")
    }

    @Test func hostCommandsRunInTheHostWorkingDirectory() throws {
        try check("!cat ./which.txt; !cd ..; !cat world/which.txt; !pwd | grep -c dosh-worlds", stdout: "host\nhost\n1\n")
    }

    @Test func hostBuiltinsPersistForTheSession() throws {
        try check(
            "!cd /; !pwd; !export GREETING=hello; !sh -c 'echo $GREETING'; !unset GREETING; !sh -c 'echo ${GREETING:-gone}'; !umask 027; !umask",
            stdout: "/\nhello\ngone\n0027\n")
    }

    @Test(arguments: TwoWorlds.Transport.allCases) func redirectionTargetsSayTheirSide(over transport: TwoWorlds.Transport) throws {
        try check(
            """
            cat < !which.txt
            !cat < which.txt
            echo from-guest > !out.txt
            !cat out.txt
            cat out.txt 2>/dev/null || echo no-guest-out
            !echo from-host > guest-out.txt
            cat guest-out.txt
            echo more >> !out.txt
            !cat out.txt
            !ls nosuch 2> !err.txt; !cat err.txt | wc -l | tr -d ' '
            """,
            stdout: "host\nguest\nfrom-guest\nno-guest-out\nfrom-host\nfrom-guest\nmore\n1\n", over: transport)
    }

    @Test(arguments: TwoWorlds.Transport.allCases) func hostGlobsTildeAndRelativePathsResolveOnTheHost(over transport: TwoWorlds.Transport) throws {
        try check(
            "echo *.g; !echo *.h; !echo ~ | grep -c /; cd /; !cat which.txt",
            stdout: "a.g\nb.h\n1\nhost\n",
            guestSetup: "touch a.g", over: transport,
            hostSetup: { worlds in try "".write(to: worlds.world.appendingPathComponent("b.h"), atomically: true, encoding: .utf8) })
    }

    @Test func hostVariablesShadowShellVariables() throws {
        try check(
            "X=guest; f=which.txt; !echo $X; !cat $f; !export X=host; !echo $X; echo $X; echo \"$(!echo $X)\"",
            stdout: "guest\nhost\nhost\nguest\nhost\n")
    }

    @Test(arguments: TwoWorlds.Transport.allCases) func pipesCrossBothWays(over transport: TwoWorlds.Transport) throws {
        try check(
            """
            echo abc | !tr a-z A-Z
            !echo def | tr a-z A-Z
            !printf 'x\\ny\\n' | !wc -l | tr -d ' '
            printf '3\\n1\\n2\\n' | !sort | !head -2 | tr '\\n' ' '; echo
            cat which.txt | !cat - which.txt | cat
            """,
            stdout: "ABC\nDEF\n2\n1 2 \nguest\nhost\n", over: transport)
    }

    @Test(arguments: TwoWorlds.Transport.allCases) func statusesNegationAndPipefail(over transport: TwoWorlds.Transport) throws {
        try check(
            """
            !false; echo $?
            !true && echo and
            !false || echo or
            ! !false && echo negated
            !sh -c 'exit 7'; echo $?
            !sh -c 'kill -TERM $$'; echo $?
            true | !false; echo $?
            set -o pipefail; !false | true; echo $?
            """,
            stdout: "1\nand\nor\nnegated\n7\n143\n1\n1\n", over: transport)
    }

    @Test(arguments: TwoWorlds.Transport.allCases) func brokenPipesEndBothDirections(over transport: TwoWorlds.Transport) throws {
        try check("yes | !head -1; !yes | head -1; echo done", stdout: "y\ny\ndone\n", stderr: "", over: transport)
    }

    @Test(arguments: TwoWorlds.Transport.allCases) func commandSubstitutionRunsHostCommands(over transport: TwoWorlds.Transport) throws {
        try check("echo \"host says $(!cat which.txt)\"; x=$(!false); echo $?", stdout: "host says host\n1\n", over: transport)
    }

    @Test func missingHostCommandIs127() throws {
        if let missing = TwoWorlds.missingPrerequisite() {
            if getuid() == 0 { Issue.record("two worlds cannot be made: \(missing)") } else { print("skipping: \(missing)") }
            return
        }
        let worlds = try TwoWorlds()
        let result = try worlds.guest("!no-such-command-here; echo $?")
        #expect(result.stdout == "127\n")
        #expect(result.stderr.contains("no-such-command-here: command not found"))
    }

    @Test(arguments: TwoWorlds.Transport.allCases) func twentyMegabytesCrossExactlyBothWays(over transport: TwoWorlds.Transport) throws {
        try check(
            """
            head -c 20000000 /dev/urandom > data
            cksum < data | cut -d' ' -f1 > sum.guest
            cat data | !cksum | cut -d' ' -f1 > sum.host
            cmp -s sum.guest sum.host && echo guest-to-host-exact
            cat data > !data
            !cksum < data | cut -d' ' -f1 > back.sum
            !cat data | cksum | cut -d' ' -f1 > back.stream
            cmp -s sum.guest back.stream && echo host-to-guest-exact
            """,
            stdout: "guest-to-host-exact\nhost-to-guest-exact\n", over: transport)
    }

    @Test func twoSessionsHaveSeparateHostState() throws {
        if let missing = TwoWorlds.missingPrerequisite() {
            if getuid() == 0 { Issue.record("two worlds cannot be made: \(missing)") } else { print("skipping: \(missing)") }
            return
        }
        let worlds = try TwoWorlds()
        // The first session moves to / and waits; the second must still be in the world.
        let first = try worlds.guest("!cd /; sleep 1; !pwd")
        let second = try worlds.guest("!pwd")
        #expect(first.stdout == "/\n")
        #expect(second.stdout == worlds.world.path + "\n")
    }

    @Test func noHostMeansAClearError() throws {
        let result = try DoshBinary.run(["--host", "none", "-c", "!true; echo $?; echo guest-ok"])
        #expect(result.stdout == "255\nguest-ok\n")
        #expect(result.stderr.contains("host: no host connected"))
    }

    @Test func aBadHostAddressIsOneLineAndStatus2() throws {
        let result = try DoshBinary.run(["--host", "bogus", "-c", "echo never"])
        #expect(result.status == 2)
        #expect(result.stdout == "")
        #expect(result.stderr == "dosh: host: invalid address 'bogus': expected unix:PATH, tcp:HOST:PORT, vsock:CID:PORT, local or none\n")
    }

    @Test func unreachableAgentFailsWith255AndGuestGoesOn() throws {
        let result = try DoshBinary.run(["--host", "unix:/nonexistent/doshd.sock", "-c", "!true; echo $?; echo guest-ok"])
        #expect(result.stdout == "255\nguest-ok\n")
        #expect(result.stderr.hasPrefix("dosh: ") && result.stderr.contains("host: connect"))
    }

    @Test func localHostNeedsNoAgent() throws {
        let result = try DoshBinary.run(["--host", "local", "-c", "!echo local | tr a-z A-Z; !cd /; !pwd"])
        #expect(result.stdout == "LOCAL\n/\n")
        #expect(result.status == 0)
    }

    /// A subshell opens its own local shadow; that shadow must not hold the substitution's pipe.
    @Test func hostSubstitutionsInSubshellsAndBackgroundJobsEndOverLocal() throws {
        let result = try DoshBinary.run(
            ["--host", "local", "-c", "( echo \"[$(!echo a)]\" ); echo \"[$(!echo b)]\" & wait; x=$( (!echo c) ); echo $x"],
            timeout: 20)
        #expect(!result.timedOut)
        #expect(result.stdout == "[a]\n[b]\nc\n")
        #expect(result.status == 0)
    }

    @Test func completionKnowsWhichSideAPathLivesOn() throws {
        if let missing = TwoWorlds.missingPrerequisite() {
            if getuid() == 0 { Issue.record("two worlds cannot be made: \(missing)") } else { print("skipping: \(missing)") }
            return
        }
        let worlds = try TwoWorlds()
        try "".write(to: worlds.world.appendingPathComponent("only-on-host.txt"), atomically: true, encoding: .utf8)
        func complete(_ line: String) throws -> String {
            try worlds.guest(arguments: ["--complete", line], guestSetup: "touch only-on-guest.txt").stdout
        }
        #expect(try complete("cat only-on-") == "only-on-guest.txt \n")
        #expect(try complete("!cat only-on-") == "only-on-host.txt \n")
        #expect(try complete("cat < !only-on-") == "!only-on-host.txt \n")
        #expect(try complete("!wc < only-on-") == "only-on-guest.txt \n")
        #expect(try complete("!tru").split(separator: "\n").contains("!true "))
    }

    @Test func aKilledShadowFailsTheCommandAndTheNextOneReconnects() throws {
        // The script kills its own shadow process mid-command (the only `dosh --shadow-fd`
        // child of this dosh), then goes on.
        let script = """
            !true
            shadow=$(pgrep -P $$ -f shadow-fd)
            (sleep 1; kill -9 $shadow) &
            t=10.123
            !sleep $t >/dev/null 2>&1
            echo "status $?"
            echo guest-ok
            !echo again
            sleep 0.2
            pgrep -f 'sleep 10[.]123' >/dev/null && echo orphaned || echo hung-up
            """
        let result = try DoshBinary.run(["--host", "local", "-c", script], timeout: 30)
        #expect(result.stdout == "status 255\nguest-ok\nagain\nhung-up\n")
        #expect(result.stderr.contains("host: connection closed by the host"))
        #expect(result.stderr.contains("dosh: host: new session"))
    }

    @Test func theAgentHangsUpTheJobsOfAKilledShadow() throws {
        // The shadow is the parent of host processes; SIGKILL leaves it no chance to hang up
        // its jobs, so the agent does, like a terminal hang-up (nohup survives).
        try check(
            """
            shadow=$(!sh -c 'echo $PPID')
            a=10.321 b=10.654
            !export b
            !sh -c 'nohup sleep $b >/dev/null 2>&1 &'
            (sleep 0.5; kill -9 $shadow) &
            !sleep $a
            sleep 0.5
            pgrep -f 'sleep 10[.]321' >/dev/null && echo orphaned || echo hung-up
            pgrep -f 'sleep 10[.]654' >/dev/null && echo nohup-lives
            pkill -f 'sleep 10[.]654'
            """,
            stdout: "hung-up\nnohup-lives\n", status: 0)
    }

    @Test(arguments: TwoWorlds.Transport.allCases) func aKilledAgentFailsHostCommandsFastAndGuestGoesOn(over transport: TwoWorlds.Transport) throws {
        // Over unix the session outlives the agent (its shadow needs no agent); a new session
        // cannot start. Over tcp the agent routes data connections, so the session ends with it.
        let script = """
            agent=$(!sh -c 'ps -o ppid= -p $PPID')
            kill -9 $agent
            sleep 0.3
            \(transport == .unix ? "!echo still-here" : "")
            ( !true ); echo "new session $?"
            start=$(date +%s)
            !true
            echo "status $?"
            [ $(( $(date +%s) - start )) -lt 5 ] && echo fast
            echo guest-ok
            """
        try check(
            script, stdout: (transport == .unix ? "still-here\n" : "") + "new session 255\nstatus \(transport == .unix ? 0 : 255)\nfast\nguest-ok\n",
            over: transport)
    }

    @Test func aShellKilledOutrightLeavesNothingOnTheHost() throws {
        if let missing = TwoWorlds.missingPrerequisite() {
            if getuid() == 0 { Issue.record("two worlds cannot be made: \(missing)") } else { print("skipping: \(missing)") }
            return
        }
        let worlds = try TwoWorlds()
        // dosh SIGKILLs itself while a host job runs: its shadow sees the connection drop and
        // hangs the job up; the agent reaps the shadow.
        let result = try worlds.guest("t=10.777; (sleep 0.5; kill -9 $$) & !sleep $t")
        #expect(result.status == SIGKILL || result.status == 128 + SIGKILL)
        var leftovers: [String] = []
        for _ in 0..<50 {
            usleep(100_000)
            leftovers = ProcessTable.all()
                .filter { $0.parent == worlds.agentPID || ProcessTable.commandLine(of: $0.pid).contains("sleep 10.777") }
                .map(\.description)
            if leftovers.isEmpty { break }
        }
        #expect(leftovers.isEmpty, "left on the host: \(leftovers)")
    }
}
