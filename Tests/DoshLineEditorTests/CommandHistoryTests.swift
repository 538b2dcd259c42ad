import DoshTestSupport
import Testing

@testable import DoshLineEditor

@Suite struct CommandHistoryTests {
    let path = try! makeScratchPath() + "/history"

    @Test func entriesRoundTripThroughTheFile() {
        let tricky = [
            "for i in 1 2\ndo\n  echo $i\ndone",
            #"printf 'a\nb\\c'"#,
            "ends with a backslash \\",
            "\\n is not a newline",
            "tab\there",
            "héllo 日本 👍",
        ]
        let history = CommandHistory(path: path, maximumSize: 100)
        tricky.forEach { history.add($0) }
        #expect(history.entries == tricky)
        #expect(CommandHistory(path: path, maximumSize: 100).entries == tricky)
        // One record per line: every newline in the file ends a record.
        #expect(fileContents(path)?.split(separator: "\n").count == tricky.count)
    }

    @Test func recordEscapes() {
        #expect(HistoryFileFormat.record(for: "a\nb\\c") == Array("a\\nb\\\\c\n".utf8))
        #expect(HistoryFileFormat.entry(fromRecord: Array("a\\tb\\".utf8)) == "a\\tb\\")
    }

    @Test func skipsConsecutiveDuplicates() {
        let history = CommandHistory(path: path, maximumSize: 100)
        for entry in ["ls", "ls", "pwd", "ls", "ls\n"] { history.add(entry) }
        #expect(history.entries == ["ls", "pwd", "ls"])
        #expect(fileContents(path) == "ls\npwd\nls\n")
    }

    @Test func skipsEntriesStartingWithASpaceAndEmptyOnes() {
        let history = CommandHistory(path: path, maximumSize: 100)
        history.add(" secret --password x")
        history.add("")
        history.add("\n")
        history.add("kept")
        #expect(history.entries == ["kept"])
        #expect(fileContents(path) == "kept\n")
    }

    @Test func appendsFromTwoHistoriesInterleave() {
        let first = CommandHistory(path: path, maximumSize: 100)
        let second = CommandHistory(path: path, maximumSize: 100)
        first.add("one")
        second.add("two")
        first.add("three")
        second.add("four")
        #expect(first.entries == ["one", "three"])
        #expect(CommandHistory(path: path, maximumSize: 100).entries == ["one", "two", "three", "four"])
    }

    @Test func concurrentAppendsLoseNothing() async {
        let path = self.path
        let perWriter = 200
        await withTaskGroup(of: Void.self) { group in
            for writer in 0..<4 {
                group.addTask {
                    // Small enough to compact while the others append.
                    let history = CommandHistory(path: path, maximumSize: 1000)
                    for index in 0..<perWriter { history.add("writer \(writer)\nentry \(index)") }
                }
            }
        }
        let loaded = CommandHistory(path: path, maximumSize: 10_000).entries
        #expect(loaded.count == 4 * perWriter)
        #expect(Set(loaded).count == 4 * perWriter)
        #expect(loaded.allSatisfy { $0.hasPrefix("writer ") && $0.contains("\nentry ") })
    }

    @Test func appendsDuringCompactionAreNotLost() async {
        let path = self.path
        CommandHistory(path: path, maximumSize: 10).add("first")
        await withTaskGroup(of: Void.self) { group in
            group.addTask {
                let history = CommandHistory(path: path, maximumSize: 100_000)
                for index in 0..<300 { history.add("entry \(index)") }
            }
            group.addTask {
                // Rewrites the file again and again while the other task appends to it.
                for _ in 0..<300 { _ = HistoryFile(path: path).compact(keeping: 100_000) }
            }
        }
        let loaded = CommandHistory(path: path, maximumSize: 100_000).entries
        #expect(loaded == ["first"] + (0..<300).map { "entry \($0)" })
    }

    @Test func compactionKeepsWholeRecordsUnderConcurrentWriters() async {
        let path = self.path
        await withTaskGroup(of: Void.self) { group in
            for writer in 0..<2 {
                group.addTask {
                    let history = CommandHistory(path: path, maximumSize: 50)
                    for index in 0..<300 { history.add("w\(writer) \(index)") }
                }
            }
        }
        // Each shell counts only its own appends between compactions: the file stays below
        // twice the size per shell writing to it.
        let loaded = CommandHistory(path: path, maximumSize: 10_000).entries
        #expect(loaded.count <= 2 * 2 * 50)
        #expect(loaded.contains("w0 299") || loaded.contains("w1 299"))
        #expect(loaded.allSatisfy { $0.wholeMatch(of: /w[01] \d+/) != nil })
    }

    @Test func keepsTheNewestEntriesAndCapsTheFile() {
        let history = CommandHistory(path: path, maximumSize: 3)
        for index in 1...10 { history.add("command \(index)") }
        #expect(history.entries == ["command 8", "command 9", "command 10"])
        let records = fileContents(path)?.split(separator: "\n") ?? []
        #expect(records.count <= 6)
        #expect(records.last == "command 10")
        #expect(CommandHistory(path: path, maximumSize: 3).entries == history.entries)

        history.setMaximumSize(1)
        #expect(history.entries == ["command 10"])
        #expect(fileContents(path) == "command 10\n")
    }

    @Test func zeroSizeKeepsNothingAndLeavesTheFileAlone() {
        writeFile(path, "a\nb\nc\nd\n")
        let history = CommandHistory(path: path, maximumSize: 0)
        history.add("e")
        #expect(history.entries.isEmpty)
        #expect(fileContents(path) == "a\nb\nc\nd\n")
    }

    @Test func negativeSizeIsUnlimited() {
        let history = CommandHistory(path: nil, maximumSize: -1)
        for index in 0..<600 { history.add("\(index)") }
        #expect(history.entries.count == 600)
    }

    @Test func fileWithoutFinalNewline() {
        writeFile(path, "a\nb")
        let history = CommandHistory(path: path, maximumSize: 10)
        #expect(history.entries == ["a", "b"])
        history.add("c")
        #expect(fileContents(path) == "a\nb\nc\n")
    }

    @Test func memoryOnlyWithoutPath() {
        let history = CommandHistory(path: nil, maximumSize: 2)
        ["a", "b", "c"].forEach { history.add($0) }
        #expect(history.entries == ["b", "c"])
    }

    @Test func addSaysWhetherTheEntryWasKept() {
        let history = CommandHistory(path: nil, maximumSize: 10)
        #expect(history.add("ls"))
        #expect(!history.add("ls"))
        #expect(!history.add(" hidden"))
        #expect(!history.add(""))
    }

    @Test func replaceNewestChangesMemoryAndTheFile() {
        let history = CommandHistory(path: path, maximumSize: 10)
        ["echo a", "fc -s"].forEach { history.add($0) }
        // Another shell appended after this one's newest entry.
        CommandHistory(path: path, maximumSize: 10).add("other shell")
        history.replaceNewest(with: "echo a\n")
        #expect(history.entries == ["echo a", "echo a"])
        #expect(fileContents(path) == "echo a\necho a\nother shell\n")
        #expect(CommandHistory(path: path, maximumSize: 10).entries == ["echo a", "echo a", "other shell"])
    }

    @Test func replaceNewestOfAnEmptyHistoryAdds() {
        let history = CommandHistory(path: path, maximumSize: 10)
        history.replaceNewest(with: "first")
        #expect(history.entries == ["first"])
        #expect(fileContents(path) == "first\n")
    }

    @Test func removeForgetsEntriesInMemoryAndTheirNewestRecords() {
        let history = CommandHistory(path: path, maximumSize: 10)
        ["a", "secret", "b", "c"].forEach { history.add($0) }
        history.remove(1...2)
        #expect(history.entries == ["a", "c"])
        #expect(fileContents(path) == "a\nc\n")
        history.remove(5...6)
        #expect(history.entries == ["a", "c"])
    }

    @Test func clearForgetsMemoryAndTheFile() {
        let history = CommandHistory(path: path, maximumSize: 10)
        ["a", "b"].forEach { history.add($0) }
        history.clear()
        #expect(history.entries.isEmpty)
        #expect(fileContents(path) == "")
        history.add("c")
        #expect(CommandHistory(path: path, maximumSize: 10).entries == ["c"])
    }

    @Test func unwritableFileDoesNotStopTheShell() {
        let history = CommandHistory(path: "/nonexistent-directory/history", maximumSize: 5)
        history.add("still remembered")
        #expect(history.entries == ["still remembered"])
    }
}
