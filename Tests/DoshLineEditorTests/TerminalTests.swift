import Foundation
import Testing

/// Drives `dosh-lineeditor-probe` through a real pseudo-terminal with `drive_probe.py` (python3
/// and pexpect): typing, arrows, history, Ctrl-R, TAB, Ctrl-C, Ctrl-D, resizes, UTF-8, vi mode.
@Suite struct TerminalTests {
    static let testsDirectory = URL(fileURLWithPath: #filePath).deletingLastPathComponent()

    /// The built probe: the test bundle sits beside the executables.
    static var probePath: String? {
        var directory = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        while directory.path != "/" {
            let candidate = directory.appendingPathComponent("dosh-lineeditor-probe").path
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
            directory = directory.deletingLastPathComponent()
        }
        return nil
    }

    /// Why the terminal test cannot run here, or nil when it can.
    static func missingPrerequisite() -> String? {
        if !FileManager.default.isReadableFile(atPath: "/dev/ptmx") { return "no /dev/ptmx" }
        let check = Process()
        check.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        check.arguments = ["python3", "-c", "import pexpect"]
        check.standardOutput = FileHandle.nullDevice
        check.standardError = FileHandle.nullDevice
        guard (try? check.run()) != nil else { return "python3 is not installed" }
        check.waitUntilExit()
        return check.terminationStatus == 0 ? nil : "python3 has no pexpect module"
    }

    @Test func editingThroughARealTerminal() throws {
        if let missing = Self.missingPrerequisite() {
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
