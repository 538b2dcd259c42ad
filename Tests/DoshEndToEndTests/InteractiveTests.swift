import DoshTestSupport
import Foundation
import Testing

/// Drives an interactive dosh through a real pseudo-terminal with `Interactive/drive_dosh.py`
/// (python3 and pexpect): prompt, multi-line input, completion, Ctrl-C, Ctrl-R, history.
@Suite struct InteractiveTests {
    static let driver = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("Interactive/drive_dosh.py")

    static let jobsDriver = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("Interactive/drive_jobs.py")

    static let promptDriver = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("Interactive/drive_prompt.py")

    /// The `!` rules, jobs, Ctrl-C and error lines as typed at the prompt, with job control on.
    @Test func theRulesHoldAtThePrompt() throws { try drive(Self.promptDriver, "the prompt") }

    static let matrixDriver = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("Interactive/drive_matrix.py")

    /// The two-world matrix (`TwoWorldsMatrix`) typed at the prompt, in the foreground and as
    /// `{ …; } & wait`, over each transport: what holds in a script holds at the prompt.
    @Test(arguments: TwoWorlds.Transport.allCases) func theMatrixOfRulesHoldsAtThePrompt(over transport: TwoWorlds.Transport) throws {
        if let missing = missingTerminalPrerequisite() ?? TwoWorlds.missingPrerequisite() {
            if getuid() == 0 { Issue.record("the matrix terminal test cannot run: \(missing)") } else { print("skipping: \(missing)") }
            return
        }
        let worlds = try TwoWorlds(transport: transport)
        let work = try makeScratchDirectory()
        defer { try? FileManager.default.removeItem(at: work) }
        let lines = work.appendingPathComponent("lines.json")
        try JSONEncoder().encode(TwoWorldsMatrix.lines).write(to: lines)
        let report = try runPython([Self.matrixDriver.path, work.path, lines.path] + worlds.guestCommand(arguments: []))
        print(report.output)
        #expect(report.status == 0, "\(report.output)")
    }

    @Test func jobControlAcrossBothSides() throws { try drive(Self.jobsDriver, "the job-control") }

    @Test func interactiveSessionThroughARealTerminal() throws { try drive(Self.driver, "the interactive") }

    /// Runs a pexpect driver with dosh and a scratch directory; it prints `ok`/`FAILED` lines.
    /// CI runs as root with everything installed: it never skips there.
    private func drive(_ driver: URL, _ what: String) throws {
        if let missing = missingTerminalPrerequisite() {
            if getuid() == 0 {
                Issue.record("\(what) terminal test cannot run: \(missing)")
            } else {
                print("skipping \(what) terminal test: \(missing)")
            }
            return
        }
        let work = try makeScratchDirectory()
        defer { try? FileManager.default.removeItem(at: work) }
        let report = try runPython([driver.path, DoshBinary.path, work.path])
        print(report.output)
        #expect(report.status == 0, "\(report.output)")
    }
}
