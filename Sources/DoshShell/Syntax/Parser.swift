// The entry points of the language front end: a line source, the parser, its errors.

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

/// Parses dosh source (POSIX sh plus the `!` host marker) one complete command at a time.
public struct Parser {
    private let reader: SyntaxReader

    /// `aliases` returns the replacement text for an alias name, or nil; it is consulted during
    /// parsing at command-word position (so an alias defined by one command applies from the next
    /// complete command on, like POSIX shells).
    public init(source: some LineSource, aliases: @escaping (String) -> String? = { _ in nil }, firstLine: Int = 1) {
        reader = SyntaxReader(source: source, aliases: aliases, firstLine: firstLine)
    }

    /// Parses the next complete command: everything up to an unquoted newline that ends a
    /// complete list (or end of input). Reads further lines from the source only while the
    /// command is unfinished (open quote, `if` without `fi`, trailing `|`/`&&`/`||`, pending
    /// here-document bodies, backslash-newline). Returns nil at end of input.
    /// Empty lines and comment-only lines are skipped (never returned as empty lists).
    ///
    /// After an error the rest of the text read so far is discarded, and parsing can go on with
    /// the next line.
    public mutating func parseNextCommand() throws(SyntaxError) -> CommandList? {
        do {
            return try reader.parseCompleteCommand()
        } catch {
            reader.recoverFromError()
            throw error
        }
    }

    /// The line number the next command starts on (for LINENO / error messages).
    public var currentLine: Int { reader.currentLine }

    /// Convenience: parses a whole text (for `-c`, `eval`, tests).
    public static func parse(_ text: String, aliases: @escaping (String) -> String? = { _ in nil }) throws(SyntaxError)
        -> CommandList
    {
        var parser = Parser(source: StringLineSource(text), aliases: aliases)
        var items: [ListItem] = []
        while let list = try parser.parseNextCommand() { items += list.items }
        return CommandList(items)
    }
}
