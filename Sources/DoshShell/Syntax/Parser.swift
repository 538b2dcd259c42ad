// Placeholder: the parser is being written; see Syntax/README in the issue.

/// Supplies source text line by line; the parser asks for more only when a command is unfinished,
/// so a script read from a pipe is consumed no further than the command being run.
public protocol LineSource {
    /// The next line including its trailing newline (the last line of input may lack one), or nil
    /// at the end of input. `continuation` is true when the parser needs more text to finish a
    /// command (an interactive shell then prompts with PS2).
    mutating func nextLine(continuation: Bool) -> String?
}

/// A syntax error: `dosh: line 3: syntax error near 'fi'`.
public struct SyntaxError: Error, Sendable, Equatable, CustomStringConvertible {
    public var line: Int
    public var message: String

    public init(line: Int, message: String) {
        self.line = line
        self.message = message
    }

    public var description: String { "line \(line): \(message)" }
}
