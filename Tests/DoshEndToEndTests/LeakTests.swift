import DoshTestSupport
import Foundation
import Testing

/// A long session leaks nothing: after 1,000 host commands, dosh and its shadow process hold the
/// same descriptors as before, and no child of either is left a zombie.
@Suite(.serialized) struct LeakTests {
    static let rounds = 500  // two commands each

    /// The session; it stops at two checkpoints (reading a fifo the test writes to once it has
    /// looked at the processes), so both looks see the shell idle at the same point.
    static func script(before: String, after: String) -> String {
        """
        !true; echo x | !cat > /dev/null
        read _ < '\(before)'
        failures=0
        i=0
        while [ $i -lt \(rounds) ]; do
            !true || failures=$((failures+1))
            echo x | !cat > /dev/null || failures=$((failures+1))
            i=$((i+1))
        done
        read _ < '\(after)'
        echo "failures $failures"
        """
    }

    /// What one look at the session saw.
    struct Snapshot {
        var shell: [String]
        var shadowPID: pid_t?
        var shadow: [String]
        var agent: [String]
        var zombies: [ProcessEntry]
    }

    /// Runs the session with `hostArguments`; `findShadow` names its shadow process given the shell's pid.
    func checkSession(hostArguments: [String], agentPID: pid_t?, findShadow: (pid_t) -> [ProcessEntry]) throws {
        let directory = try makeScratchDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let before = directory.appendingPathComponent("before").path
        let after = directory.appendingPathComponent("after").path
        #expect(mkfifo(before, 0o600) == 0 && mkfifo(after, 0o600) == 0)
        let scriptFile = directory.appendingPathComponent("session.sh")
        try Self.script(before: before, after: after).write(to: scriptFile, atomically: true, encoding: .utf8)
        let run = try ShellRun(
            arguments: hostArguments + [scriptFile.path], output: directory.appendingPathComponent("out"),
            errors: directory.appendingPathComponent("err"))

        func look(_ fifo: String) -> Snapshot? {
            guard let writer = openWhenRead(fifo, timeout: 60) else { return nil }
            defer {
                _ = write(writer, "\n", 1)
                close(writer)
            }
            usleep(100_000)  // the shell finishes setting up its redirection
            let shadows = findShadow(run.pid)
            let shadowPID = shadows.count == 1 ? shadows[0].pid : nil
            var zombies = ProcessTable.children(of: run.pid).filter(\.isZombie)
            if let shadowPID { zombies += ProcessTable.children(of: shadowPID).filter(\.isZombie) }
            if let agentPID { zombies += ProcessTable.children(of: agentPID).filter(\.isZombie) }
            // Each checkpoint reads its own fifo: the same descriptor under two names.
            let shell = ProcessTable.descriptors(of: run.pid).map {
                $0.hasSuffix(" -> " + fifo) ? String($0.dropLast(fifo.count)) + "checkpoint fifo" : $0
            }
            return Snapshot(
                shell: shell, shadowPID: shadowPID,
                shadow: shadowPID.map(ProcessTable.descriptors) ?? [],
                agent: agentPID.map(ProcessTable.descriptors) ?? [], zombies: zombies)
        }

        let first = look(before)
        let second = look(after)
        let finished = run.finish(timeout: 30)
        #expect(finished, "the session timed out")
        #expect(run.stdout == "failures 0\n", "stderr: \(run.stderr)")
        #expect(run.status == 0, "stderr: \(run.stderr)")
        guard let first, let second else {
            Issue.record("the session never reached its checkpoints; stderr: \(run.stderr)")
            return
        }
        #expect(first.shadowPID != nil, "no single shadow process found")
        #expect(first.shadowPID == second.shadowPID, "the session changed shadow processes")
        #expect(Self.sameApartFromWarmConnections(first.shell, second.shell), "dosh's descriptors changed:\n\(first.shell)\n\(second.shell)")
        #expect(Self.sameApartFromWarmConnections(first.shadow, second.shadow), "the shadow's descriptors changed:\n\(first.shadow)\n\(second.shadow)")
        #expect(first.agent == second.agent, "the agent's descriptors changed:\n\(first.agent)\n\(second.agent)")
        #expect(first.zombies.isEmpty && second.zombies.isEmpty, "zombies: \(first.zombies) \(second.zombies)")
    }

    /// Where descriptors are not passed, a session keeps a few data connections attached ahead
    /// of need (dosh's `WarmConnections`: up to 8 each way, held on both sides), so their number
    /// may differ between two looks, and the numbers of the fds opened after them; every other
    /// descriptor must be the same. A leak of one socket per command would be hundreds.
    static func sameApartFromWarmConnections(_ first: [String], _ second: [String]) -> Bool {
        func split(_ descriptors: [String]) -> (others: [String], sockets: Int) {
            let sockets = descriptors.filter { $0.hasSuffix(" -> socket") }
            let others = descriptors.filter { !$0.hasSuffix(" -> socket") }.map { entry in
                // 0, 1 and 2 by number; the others by what they are.
                let number = Int(entry.prefix { $0 != " " }) ?? 0
                return number <= 2 ? entry : String(entry.drop { $0 != " " })
            }
            return (others.sorted(), sockets.count)
        }
        let (a, b) = (split(first), split(second))
        return a.others == b.others && abs(a.sockets - b.sockets) <= 16
    }

    @Test(arguments: LocalAgent.Transport.allCases)
    func aThousandCommandsAgainstAnAgentLeakNothing(transport: LocalAgent.Transport) throws {
        let agent = try LocalAgent(transport)
        try checkSession(hostArguments: agent.hostArguments, agentPID: agent.pid) { _ in
            ProcessTable.children(of: agent.pid)
        }
        #expect(agent.shadows(settlingAt: 0).isEmpty, "the shadow outlived its shell")
    }

    @Test func aThousandCommandsWithALocalHostLeakNothing() throws {
        // `--host local`: the shadow is the shell's own child (`dosh --shadow-fd 3`), its only
        // one while the shell waits at a checkpoint.
        try checkSession(hostArguments: ["--host", "local"], agentPID: nil) { shell in
            ProcessTable.children(of: shell)
        }
    }
}

/// Opens `fifo` for writing once a reader has it open (polling, so a shell that died never
/// hangs the test); nil after `timeout` seconds.
private func openWhenRead(_ fifo: String, timeout: TimeInterval) -> Int32? {
    let deadline = Date().addingTimeInterval(timeout)
    while Date() < deadline {
        let fd = open(fifo, O_WRONLY | O_NONBLOCK | O_CLOEXEC)
        if fd >= 0 { return fd }
        usleep(10_000)
    }
    return nil
}
