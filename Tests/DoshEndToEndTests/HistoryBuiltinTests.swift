import DoshTestSupport
import Foundation
import Testing

/// `history` and `fc` in an interactive shell (`dosh -i` reading its standard input, with a
/// history file of its own), against what bash prints for the same lines.
@Suite struct HistoryBuiltinTests {
    /// Runs `lines` in an interactive dosh whose state (the history file) is in a scratch
    /// directory; returns stdout, stderr and the history file afterwards.
    private func interactive(_ lines: String, files: [String: String] = [:]) throws -> (out: String, err: String, file: String) {
        let directory = try makeScratchDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        for (name, text) in files {
            let url = directory.appendingPathComponent(name)
            try text.write(to: url, atomically: true, encoding: .utf8)
            try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: url.path)
        }
        let environment = [
            "PATH": "/usr/local/bin:/usr/bin:/bin", "HOME": directory.path, "LC_ALL": "C",
            "XDG_STATE_HOME": directory.path, "XDG_CONFIG_HOME": directory.path, "PS1": "", "PS2": "",
        ]
        let result = try DoshBinary.run(["-i"], input: lines, directory: directory, environment: environment)
        #expect(!result.timedOut, "timed out")
        let file = (try? String(contentsOf: directory.appendingPathComponent("dosh/history"), encoding: .utf8)) ?? ""
        return (result.stdout, result.stderr, file)
    }

    @Test func historyListsNumbersTheLastNAndClears() throws {
        let run = try interactive("echo a\necho b\nhistory\nhistory 2\nhistory -c\nhistory\n")
        #expect(run.out == """
            a
            b
                1  echo a
                2  echo b
                3  history
                3  history
                4  history 2
                1  history

            """)
        #expect(run.file == "history\n")
    }

    @Test func historyDeleteRemovesEntriesFromMemoryAndTheFile() throws {
        let run = try interactive("echo a\necho b\necho c\nhistory -d 2\nhistory -d -1\nhistory -d 1-2\nhistory\nhistory -d 99\n")
        #expect(run.out == "a\nb\nc\n    1  history -d 2\n    2  history -d 1-2\n    3  history\n")
        #expect(run.err.contains("dosh: history: 99: history position out of range\n"))
        #expect(run.file == "history -d 2\nhistory -d 1-2\nhistory\nhistory -d 99\n")
    }

    @Test func blankLinesBeforeACommandAreNotPartOfItsEntry() throws {
        let run = try interactive("\n  \n\techo x\n\nhistory\n")
        #expect(run.out == "x\n    1  \techo x\n    2  history\n")
        #expect(run.file == "\techo x\nhistory\n")
    }

    @Test func fcListsRangesWithoutCountingItself() throws {
        let run = try interactive("echo a\necho b\nhistory\nfc -l\nfc -l -3 -2\nfc -ln -1\nfc -l 2 3\nfc -l echo\nfc -lr 2 3\n")
        #expect(run.out == """
            a
            b
                1  echo a
                2  echo b
                3  history
            1\t echo a
            2\t echo b
            3\t history
            2\t echo b
            3\t history
            \t fc -l -3 -2
            2\t echo b
            3\t history
            2\t echo b
            3\t history
            4\t fc -l
            5\t fc -l -3 -2
            6\t fc -ln -1
            7\t fc -l 2 3
            3\t history
            2\t echo b

            """)
    }

    @Test func fcSubstitutesRunsAndTakesTheRunCommandsPlace() throws {
        let run = try interactive("echo aa\nfc -s a=x\nfc -s e=E echo\nfc -s echo\nhistory\n")
        #expect(run.out == """
            aa
            xx
            xx
                1  echo aa
                2  echo xx
                3  Echo xx
                4  echo xx
                5  history

            """)
        // The command run is shown first, on standard error.
        #expect(run.err.contains("echo xx\n"))
        #expect(run.err.contains("Echo: command not found"))
        #expect(run.file == "echo aa\necho xx\nEcho xx\necho xx\nhistory\n")
    }

    @Test func fcEditsWithFCEDITThenEDITORAndRunsTheResult() throws {
        let editor = "#!/bin/sh\nsed -i s/one/two/ \"$1\"\n"
        let run = try interactive(
            "echo one\nFCEDIT=./edit fc\nEDITOR=./edit fc -1\nfc -e ./edit 1\nFCEDIT=false fc; echo status $?\nfc -l\n",
            files: ["edit": editor])
        #expect(run.out == """
            one
            two
            two
            two
            status 1
            1\t echo one
            2\t echo two
            3\t echo two
            4\t echo two
            5\t FCEDIT=false fc; echo status $?

            """)
    }

    @Test func fcReportsWhatItCannotFind() throws {
        let run = try interactive("fc -s\necho x\nfc -s nothing\nfc -l 1 2 3\nfc -z\n")
        #expect(run.err.contains("dosh: fc: no command found\n"))
        #expect(run.err.contains("dosh: fc: nothing: no command found\n"))
        #expect(run.err.contains("dosh: fc: too many arguments\n"))
        #expect(run.err.contains("dosh: fc: -z: invalid option\n"))
    }
}
