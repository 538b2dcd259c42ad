// Reads lines with dosh's line editor and prints what each read returned, one result per
// line, so a test can drive it through a pseudo-terminal.
//
//   dosh-lineeditor-probe [--vi] [--like-a-shell] [--history FILE] [--background-output FIFO]
//
// --background-output shows what is written to FIFO while a line is edited, as the shell does
// with the host pty that background host jobs write to.
// --like-a-shell ignores SIGINT, SIGQUIT, SIGTSTP and SIGTERM, as an interactive shell does.
// Prompts are "probe> " and "more> " (after a line ending in a backslash). Completion offers
// words from a fixed list. Every line read is added to the history.
import DoshLineEditor

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

final class FixedWords: LineEditorDelegate {
    static let words = ["apple ", "apricot ", "banana ", "blueberry ", "blackberry ", "cherry ", "directory/", "日本語 "]

    func prompt(continuation: Bool) -> String {
        continuation ? "more> " : "probe> "
    }

    func complete(line: String, cursor: Int) -> CompletionResult {
        let before = Array(line.utf8.prefix(cursor))
        let wordStart = (before.lastIndex(of: UInt8(ascii: " ")) ?? -1) + 1
        let word = String(decoding: before[wordStart...], as: UTF8.self)
        return CompletionResult(wordStart: wordStart, candidates: Self.words.filter { $0.hasPrefix(word) })
    }
}

func report(_ text: String) {
    let escaped = text.replacing("\\", with: "\\\\").replacing("\n", with: "\\n")
    var bytes = Array("\(escaped)\n".utf8)
    _ = bytes.withUnsafeMutableBytes { write(STDOUT_FILENO, $0.baseAddress, $0.count) }
}

setlocale(LC_CTYPE, "")
var arguments = CommandLine.arguments.dropFirst()
var vi = false
var historyPath: String?
var backgroundOutput: Int32?
while let argument = arguments.popFirst() {
    switch argument {
    case "--vi": vi = true
    case "--like-a-shell":
        for number in [SIGINT, SIGQUIT, SIGTSTP, SIGTERM] { _ = signal(number, SIG_IGN) }
    case "--history": historyPath = arguments.popFirst()
    case "--background-output":
        // Read and write: the FIFO never reports end of file when a writer goes away.
        if let path = arguments.popFirst() { backgroundOutput = open(path, O_RDWR | O_CLOEXEC) }
    default:
        report("usage: dosh-lineeditor-probe [--vi] [--like-a-shell] [--history FILE] [--background-output FIFO]")
        exit(2)
    }
}

let delegate = FixedWords()
let history = CommandHistory(path: historyPath, maximumSize: 100)
guard let editor = LineEditor(
    programName: "dosh", input: STDIN_FILENO, output: STDOUT_FILENO, error: STDERR_FILENO,
    delegate: delegate, history: history)
else {
    report("cannot start the line editor")
    exit(1)
}
editor.setEditingMode(vi: vi)
var continuation = false
reading: while true {
    switch editor.readLine(continuation: continuation, backgroundOutput: backgroundOutput) {
    case .line(let line):
        report("got line [\(line)]")
        history.add(line)
        continuation = line.hasSuffix("\\")
    case .interrupted:
        report("got interrupted")
        continuation = false
    case .endOfFile:
        report("got end of file")
        break reading
    }
}
