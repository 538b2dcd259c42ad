import DoshLineEditor
import DoshShell

/// Connects the shell's prompt to the libedit line editor: the editor asks the shell for the
/// prompt and for completions, the shell asks the editor for lines.
final class EditorPromptReader: PromptReader, LineEditorDelegate {
    private let shell: Shell
    private var editor: LineEditor?
    /// The `set -o vi` state the editor was last switched to. Switching resets every key binding
    /// (those of `~/.editrc` too), so it happens only when the option changes.
    private var appliedVi = false

    /// Nil when the line editor cannot run on these fds.
    init?(shell: Shell, history: CommandHistory) {
        self.shell = shell
        // The editor holds its delegate weakly and wants one at creation; self follows at once.
        let placeholder = NoDelegate()
        guard let editor = LineEditor(programName: "dosh", input: 0, output: 1, error: 2, delegate: placeholder, history: history)
        else { return nil }
        self.editor = editor
        editor.delegate = self
        editor.sourceDefaultBindings()
    }

    func readLine(continuation: Bool) -> PromptInput {
        guard let editor else { return .endOfFile }
        if shell.options.vi != appliedVi {
            appliedVi = shell.options.vi
            editor.setEditingMode(vi: appliedVi)
        }
        switch editor.readLine(continuation: continuation, backgroundOutput: shell.backgroundHostOutput) {
        case .line(let line): return .line(line)
        case .endOfFile: return .endOfFile
        case .interrupted: return .interrupted
        }
    }

    func prompt(continuation: Bool) -> String {
        shell.prompt(continuation: continuation)
    }

    var urgentWorkDescriptor: Int32? { shell.urgentWorkDescriptor }

    func doUrgentWork(clearLine: () -> Void) { shell.doUrgentWork(clearLine: clearLine) }

    func complete(line: String, cursor: Int) -> CompletionResult {
        let completion = shell.complete(line: line, cursor: cursor)
        let candidates = completion.candidates.map { CompletionCandidate(replacement: $0.replacement, listed: $0.listed) }
        return CompletionResult(wordStart: completion.wordStart, candidates: candidates)
    }
}

private final class NoDelegate: LineEditorDelegate {
    func prompt(continuation: Bool) -> String { "" }
    func complete(line: String, cursor: Int) -> CompletionResult { .none }
}

extension CommandHistory: CommandHistoryStore {}
