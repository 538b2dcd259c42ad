import Foundation
import Testing

/// Many shells at once against one agent: every answer right, every shadow process gone after.
@Suite(.serialized) struct LoadTests {
    static let shells = 16
    static let pipelinesPerShell = 40

    /// Forty pipelines mixing the directions of the crossing, and what they must print.
    static func script(shell: Int) -> (text: String, expected: String) {
        var text = "x=shell\(shell)\n"
        var expected = ""
        for pipeline in 0..<pipelinesPerShell {
            switch pipeline % 5 {
            case 0, 3:
                text += "seq 1 100 | !wc -l\n"
                expected += "100\n"
            case 1, 4:
                text += "!seq 1 50 | wc -l\n"
                expected += "50\n"
            default:
                text += "!echo $x-\(pipeline) | cat\n"
                expected += "shell\(shell)-\(pipeline)\n"
            }
        }
        text += "echo end $?\n"
        expected += "end 0\n"
        return (text, expected)
    }

    @Test(arguments: LocalAgent.Transport.allCases)
    func sixteenShellsAtOnceAgainstOneAgent(transport: LocalAgent.Transport) throws {
        let agent = try LocalAgent(transport)
        let started = Date()
        let runs = try (0..<Self.shells).map { shell in
            try agent.startShell(script: Self.script(shell: shell).text, name: "shell\(shell)")
        }
        for (shell, run) in runs.enumerated() {
            let finished = run.finish(timeout: 60)
            #expect(finished, "shell \(shell) timed out")
            #expect(run.stdout == Self.script(shell: shell).expected, "shell \(shell), stderr: \(run.stderr)")
            #expect(run.stderr.isEmpty, "shell \(shell)")
            #expect(run.status == 0, "shell \(shell), stderr: \(run.stderr)")
        }
        print("16 shells × 40 pipelines over \(transport): \(String(format: "%.2f", Date().timeIntervalSince(started))) s")

        // Every shadow ends with its shell, and the agent reaps it.
        let left = agent.shadows(settlingAt: 0)
        #expect(left.isEmpty, "shadow processes left: \(left)")
        // Nothing the shells started is left running anywhere either.
        let ours = Set(runs.map(\.pid))
        let orphans = ProcessTable.all().filter { ours.contains($0.parent) }
        #expect(orphans.isEmpty, "children of the shells left: \(orphans)")

        // And the agent still serves a new shell.
        let after = try DoshBinary.run(agent.hostArguments + ["-c", "!echo still serving | cat"])
        #expect(after.stdout == "still serving\n", "stderr: \(after.stderr)")
        #expect(agent.shadows(settlingAt: 0).isEmpty)
    }
}
