import DoshTestSupport
import Foundation
import Testing

/// One case of a golden file: a script and what running it must print and return.
///
/// Format of `Golden/*.test`:
/// ```
/// === name of the case
/// script lines…
/// --- stdout
/// expected standard output lines…
/// --- stderr
/// expected standard error lines (optional; unchecked when absent)
/// --- status 1          (optional; default 0)
/// --- mode stdin        (optional: file (default), stdin, or c)
/// ```
/// `--- stdout-no-newline` is `--- stdout` for output that does not end with a newline.
/// In expected stderr, prefixes are compared as written: like bash, a script names itself
/// (`script.sh: line N:`), `-c` and standard input say `dosh: line N:`.
struct GoldenCase: CustomTestStringConvertible, Sendable {
    var file: String
    var name: String
    var script: String = ""
    var stdout: String = ""
    var stderr: String? = nil
    var status: Int32 = 0
    var mode = "file"

    var testDescription: String { "\(file): \(name)" }
}

enum GoldenFiles {
    static let directory = DoshBinary.packageRoot.appendingPathComponent("Tests/DoshEndToEndTests/Golden")

    static func load() -> [GoldenCase] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? []
        return names.filter { $0.hasSuffix(".test") }.sorted().flatMap { name in
            parse((try? String(contentsOf: directory.appendingPathComponent(name), encoding: .utf8)) ?? "", file: name)
        }
    }

    static func parse(_ text: String, file: String) -> [GoldenCase] {
        var cases: [GoldenCase] = []
        var current: GoldenCase? = nil
        var section = "script"
        var lines: [String] = []
        var noNewline = false

        func flushSection() {
            guard current != nil else { return }
            // The blank line that separates cases is not part of a section without a newline.
            if noNewline { while lines.last == "" { lines.removeLast() } }
            var body = lines.joined(separator: "\n")
            if !lines.isEmpty && !noNewline { body += "\n" }
            switch section {
            case "script": current!.script = body
            case "stdout": current!.stdout = body
            case "stderr": current!.stderr = body
            default: break
            }
            lines = []
            noNewline = false
        }

        for line in text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init) {
            if line.hasPrefix("=== ") {
                flushSection()
                if let done = current { cases.append(done) }
                current = GoldenCase(file: file, name: String(line.dropFirst(4)))
                section = "script"
            } else if line.hasPrefix("--- "), current != nil {
                flushSection()
                let words = line.dropFirst(4).split(separator: " ", maxSplits: 1).map(String.init)
                switch words.first {
                case "stdout": section = "stdout"
                case "stdout-no-newline": section = "stdout"; noNewline = true
                case "stderr": section = "stderr"
                case "status": current!.status = Int32(words.count > 1 ? words[1] : "0") ?? 0; section = "none"
                case "mode": current!.mode = words.count > 1 ? words[1] : "file"; section = "none"
                default: section = "none"
                }
            } else if current != nil && section != "none" {
                lines.append(line)
            }
        }
        flushSection()
        if let done = current { cases.append(done) }
        // Trailing blank lines between cases are not part of the last section.
        return cases.map { golden in
            var golden = golden
            while golden.stdout.hasSuffix("\n\n") { golden.stdout.removeLast() }
            if let stderr = golden.stderr, stderr.hasSuffix("\n\n") {
                var trimmed = stderr
                while trimmed.hasSuffix("\n\n") { trimmed.removeLast() }
                golden.stderr = trimmed
            }
            return golden
        }
    }
}

@Suite struct GoldenScripts {
    @Test(arguments: GoldenFiles.load())
    func golden(_ golden: GoldenCase) throws {
        let directory = try makeScratchDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let result: DoshRun
        switch golden.mode {
        case "stdin":
            result = try DoshBinary.run([], input: golden.script, directory: directory)
        case "c":
            result = try DoshBinary.run(["-c", golden.script], directory: directory)
        default:
            let script = directory.appendingPathComponent("script.sh")
            try golden.script.write(to: script, atomically: true, encoding: .utf8)
            result = try DoshBinary.run(["script.sh"], directory: directory)
        }
        #expect(!result.timedOut, "timed out")
        #expect(result.stdout == golden.stdout, "stdout")
        if let stderr = golden.stderr { #expect(result.stderr == stderr, "stderr") }
        #expect(result.status == golden.status, "status; stderr: \(result.stderr)")
    }
}
