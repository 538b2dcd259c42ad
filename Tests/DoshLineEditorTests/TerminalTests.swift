import DoshTestSupport
import Foundation
import Testing

/// Drives `dosh-lineeditor-probe` through a real pseudo-terminal with `drive_probe.py` (python3
/// and pexpect): typing, arrows, history, Ctrl-R, TAB, Ctrl-C, Ctrl-D, resizes, UTF-8, vi mode.
@Suite struct TerminalTests {
    static let testsDirectory = URL(fileURLWithPath: #filePath).deletingLastPathComponent()

    /// The built probe, beside the test bundle.
    static var probePath: String? {
        let path = Products.path("dosh-lineeditor-probe")
        return FileManager.default.isExecutableFile(atPath: path) ? path : nil
    }

    @Test func editingThroughARealTerminal() throws {
        if let missing = missingTerminalPrerequisite() {
            // CI and this project's machines run as root with everything installed: never skip there.
            if getuid() == 0 {
                Issue.record("the terminal test cannot run: \(missing)")
            } else {
                print("skipping the line editor's terminal test: \(missing)")
            }
            return
        }
        let probe = try #require(Self.probePath, "dosh-lineeditor-probe was not built")
        let workDirectory = FileManager.default.temporaryDirectory
            .appendingPathComponent("dosh-lineeditor-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: workDirectory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: workDirectory) }

        let driver = Process()
        driver.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        driver.arguments = [
            "python3", Self.testsDirectory.appendingPathComponent("drive_probe.py").path,
            probe, workDirectory.path,
        ]
        let output = Pipe()
        driver.standardOutput = output
        driver.standardError = output
        try driver.run()
        let report = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        driver.waitUntilExit()

        print(report)
        #expect(driver.terminationStatus == 0, "\(report)")
        #expect(report.contains("ok history file"))
    }
}
