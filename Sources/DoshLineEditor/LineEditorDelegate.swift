/// What the line editor asks of the shell while it reads a line.
///
/// Both methods are called on the thread that called ``LineEditor/readLine(continuation:)``,
/// while it runs.
public protocol LineEditorDelegate: AnyObject {
    /// The prompt to show: PS1 already expanded by the shell, or PS2 when `continuation` is true.
    ///
    /// Asked once per ``LineEditor/readLine(continuation:)``. Text between `"\u{1}"` and
    /// `"\u{2}"` (bash's `\[` and `\]`) takes no room on the screen, for colour sequences.
    func prompt(continuation: Bool) -> String

    /// Completion candidates for the word that ends at `cursor`, a UTF-8 byte offset into `line`.
    func complete(line: String, cursor: Int) -> CompletionResult

    /// A descriptor that becomes readable when the caller has work that cannot wait for the line
    /// to be finished (a shell: a trapped signal arrived); the editor then calls
    /// ``doUrgentWork(clearLine:)``. Nil: none (the default).
    var urgentWorkDescriptor: Int32? { get }

    /// Does that work. Before it prints anything it calls `clearLine`, which takes the prompt and
    /// the half-typed line off the screen; the editor draws them again afterwards.
    func doUrgentWork(clearLine: () -> Void)
}

extension LineEditorDelegate {
    public var urgentWorkDescriptor: Int32? { nil }
    public func doUrgentWork(clearLine: () -> Void) {}
}

/// The answer to a completion request.
public struct CompletionResult: Sendable, Equatable {
    /// Where the word being completed starts in the line, as a UTF-8 byte offset.
    public var wordStart: Int
    public var candidates: [CompletionCandidate]

    public init(wordStart: Int, candidates: [CompletionCandidate]) {
        self.wordStart = wordStart
        self.candidates = candidates
    }

    /// Candidates that a listing shows by their last path component, without a final space.
    public init(wordStart: Int, candidates: [String]) {
        self.init(
            wordStart: wordStart,
            candidates: candidates.map { CompletionCandidate(replacement: $0, listed: CompletionLayout.displayName($0)) })
    }

    /// No candidates.
    public static let none = CompletionResult(wordStart: 0, candidates: [CompletionCandidate]())
}

/// One word TAB can put in place of the word being completed.
public struct CompletionCandidate: Sendable, Equatable {
    /// A full replacement for the word, already quoted as needed, ending in `"/"` for a
    /// directory or in `" "` when nothing more can follow.
    public var replacement: String
    /// How a listing of candidates shows it (bash shows a file's name, unquoted).
    public var listed: String

    public init(replacement: String, listed: String) {
        self.replacement = replacement
        self.listed = listed
    }
}

/// What one call to ``LineEditor/readLine(continuation:)`` produced.
public enum LineEditorInput: Equatable, Sendable {
    /// A line, without its final newline. It can hold newlines when it was recalled from a
    /// multi-line history entry.
    case line(String)
    /// Ctrl-D on an empty line, or the terminal went away.
    case endOfFile
    /// Ctrl-C: the line was discarded; the caller shows a fresh prompt.
    case interrupted
}
