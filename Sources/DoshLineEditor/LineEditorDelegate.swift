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
}

/// The answer to a completion request.
public struct CompletionResult: Sendable, Equatable {
    /// Where the word being completed starts in the line, as a UTF-8 byte offset.
    public var wordStart: Int
    /// Each candidate is a full replacement for the word, already quoted as needed, ending in
    /// `"/"` for a directory or in `" "` when nothing more can follow.
    public var candidates: [String]

    public init(wordStart: Int, candidates: [String]) {
        self.wordStart = wordStart
        self.candidates = candidates
    }

    /// No candidates.
    public static let none = CompletionResult(wordStart: 0, candidates: [])
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
