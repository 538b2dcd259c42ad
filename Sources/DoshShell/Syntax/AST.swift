// The typed syntax tree of a dosh program.
//
// Every simple command and every redirection target carries a `Side`: the `!` rules of the
// language are decided once, by the parser, and the executor only reads them.

/// Which machine a command runs on, or a file lives on.
public enum Side: Sendable, Hashable {
    /// The machine dosh runs on.
    case guest
    /// The machine doshd runs on, reached through the shadow process.
    case host
}

/// A word as written: a sequence of parts that expansion turns into zero or more fields.
public struct Word: Sendable, Hashable {
    public var parts: [WordPart]

    public init(_ parts: [WordPart]) { self.parts = parts }

    /// A word made of one unquoted literal.
    public static func literal(_ text: String) -> Word { Word([.literal(text)]) }
}

/// One piece of a word.
public indirect enum WordPart: Sendable, Hashable {
    /// Unquoted text: subject to field splitting (no), pathname expansion (yes).
    case literal(String)
    /// Text that was quoted (`'…'`, `$'…'` after decoding, or a backslash-escaped character):
    /// taken literally, never a pattern, never split.
    case quoted(String)
    /// `"…"`: its parts expand, but the result is one field and never a pattern.
    case doubleQuoted([WordPart])
    /// `~` or `~user` at the start of a word (or after `=`/`:` in an assignment value).
    /// `nil` means the current user's home.
    case tilde(String?)
    /// `$name`, `${name}`, `${name op word}`, `${#name}`.
    case parameter(ParameterExpansion)
    /// `$(…)` or `` `…` ``, parsed when the word is parsed.
    case commandSubstitution(CommandList)
    /// `$((…))`: the expression text, itself a word (parameters and substitutions expand first).
    case arithmetic(Word)
}

/// `${name…}` in all its forms.
public struct ParameterExpansion: Sendable, Hashable {
    /// A variable name, a positional number (`1`, `10`), or a special parameter (`?`, `#`, `@`…).
    public var name: String
    public var operation: ParameterOperation

    public init(name: String, operation: ParameterOperation = .value) {
        self.name = name
        self.operation = operation
    }
}

public enum ParameterOperation: Sendable, Hashable {
    /// `$x`, `${x}`
    case value
    /// `${#x}`
    case length
    /// `${x-w}` (`colon`: `${x:-w}`, which also treats the empty string as unset)
    case useDefault(Word, colon: Bool)
    /// `${x=w}`, `${x:=w}`
    case assignDefault(Word, colon: Bool)
    /// `${x?w}`, `${x:?w}`; the word may be empty (a standard message is used then).
    case errorIfUnset(Word, colon: Bool)
    /// `${x+w}`, `${x:+w}`
    case useAlternative(Word, colon: Bool)
    /// `${x#p}` (`longest`: `${x##p}`)
    case removePrefix(Word, longest: Bool)
    /// `${x%p}` (`longest`: `${x%%p}`)
    case removeSuffix(Word, longest: Bool)
}

/// `name=value` before a command (or alone).
public struct Assignment: Sendable, Hashable {
    public var name: String
    public var value: Word

    public init(name: String, value: Word) {
        self.name = name
        self.value = value
    }
}

public enum RedirectionOperator: Sendable, Hashable {
    case input  // <
    case output  // >
    case append  // >>
    case clobber  // >|
    case readWrite  // <>
    case duplicateInput  // <&
    case duplicateOutput  // >&
    /// `<<` (`stripTabs`: `<<-`)
    case hereDocument(stripTabs: Bool)
    /// `<<< word` (bash): the expanded word and a newline. Always guest-side: no `!` target.
    case hereString
}

/// The body of a here-document, filled in by the parser once the lines after the command are read.
public struct HereDocument: Sendable, Hashable {
    /// The body. When the delimiter was quoted it is a single `.quoted` part; otherwise it holds
    /// parameter, command and arithmetic expansions (and `\$ \` \\ \newline` already resolved).
    public var body: Word
    /// Whether the delimiter was unquoted, so the body expands.
    public var expands: Bool

    public init(body: Word, expands: Bool) {
        self.body = body
        self.expands = expands
    }
}

/// `[n]op target`.
public struct Redirection: Sendable, Hashable {
    /// The fd written before the operator, if any (`2>`); the default depends on the operator.
    public var fd: Int32?
    public var op: RedirectionOperator
    /// The file name, fd number (for `<&`, `>&`), or here-document delimiter as written.
    public var target: Word
    /// Where the target file lives: `> f` is a guest file, `> !f` a host file, whichever side the
    /// command runs on.
    public var targetSide: Side
    /// Set for `<<` and `<<-`.
    public var hereDocument: HereDocument?

    public init(
        fd: Int32?, op: RedirectionOperator, target: Word, targetSide: Side = .guest,
        hereDocument: HereDocument? = nil
    ) {
        self.fd = fd
        self.op = op
        self.target = target
        self.targetSide = targetSide
        self.hereDocument = hereDocument
    }

    /// The fd the redirection applies to when none is written.
    public var effectiveFD: Int32 {
        if let fd { return fd }
        switch op {
        case .input, .readWrite, .duplicateInput, .hereDocument, .hereString: return 0
        case .output, .append, .clobber, .duplicateOutput: return 1
        }
    }
}

/// `A=1 name args… redirections`: assignments, words and redirections in any order as written,
/// kept apart here. `side` is `.host` for `!name …`.
public struct SimpleCommand: Sendable, Hashable {
    public var assignments: [Assignment]
    public var words: [Word]
    public var redirections: [Redirection]
    public var side: Side
    /// The source line the command starts on (for `LINENO` and error messages).
    public var line: Int

    public init(
        assignments: [Assignment] = [], words: [Word] = [], redirections: [Redirection] = [],
        side: Side = .guest, line: Int = 0
    ) {
        self.assignments = assignments
        self.words = words
        self.redirections = redirections
        self.side = side
        self.line = line
    }
}

public struct CaseItem: Sendable, Hashable {
    public var patterns: [Word]
    public var body: CommandList

    public init(patterns: [Word], body: CommandList) {
        self.patterns = patterns
        self.body = body
    }
}

public struct ConditionalBranch: Sendable, Hashable {
    public var condition: CommandList
    public var body: CommandList

    public init(condition: CommandList, body: CommandList) {
        self.condition = condition
        self.body = body
    }
}

public indirect enum CompoundCommand: Sendable, Hashable {
    /// `{ …; }`
    case braceGroup(CommandList)
    /// `[[ expression ]]` (bash)
    case conditional(ConditionalExpression)
    /// `( … )`
    case subshell(CommandList)
    /// `if c; then b; elif c; then b; else e; fi`: one branch per `if`/`elif`.
    case ifClause(branches: [ConditionalBranch], elseBody: CommandList?)
    /// `while c; do b; done`
    case whileLoop(condition: CommandList, body: CommandList)
    /// `until c; do b; done`
    case untilLoop(condition: CommandList, body: CommandList)
    /// `for name [in words]; do b; done`; `items` is nil without `in` (iterate over `"$@"`).
    case forLoop(variable: String, items: [Word]?, body: CommandList)
    /// `case word in pattern|pattern) body ;; … esac`
    case caseClause(subject: Word, items: [CaseItem])
}

public struct FunctionDefinition: Sendable, Hashable {
    public var name: String
    /// The body: a compound command, with redirections applied on every call.
    public var body: CompoundCommand
    public var redirections: [Redirection]
    public var line: Int

    public init(name: String, body: CompoundCommand, redirections: [Redirection] = [], line: Int = 0) {
        self.name = name
        self.body = body
        self.redirections = redirections
        self.line = line
    }
}

public indirect enum Command: Sendable, Hashable {
    case simple(SimpleCommand)
    case compound(CompoundCommand, redirections: [Redirection], line: Int)
    case function(FunctionDefinition)
}

/// `[time [-p]] [!] command | command | …`
public struct Pipeline: Sendable, Hashable {
    /// `time`: how the pipeline's times are reported on stderr once it ends.
    public enum Timing: Sendable, Hashable {
        /// bash's default: `real\t0m0.004s` and so on, after an empty line.
        case bash
        /// `time -p`, POSIX's: `real 0.00` and so on.
        case posix
    }

    public var timing: Timing?
    public var negated: Bool
    public var commands: [Command]
    public var line: Int
    /// The pipeline as the user wrote it (what `jobs` shows); empty for a tree not read from
    /// text. Not part of the tree's identity.
    public var typedText: String

    public init(timing: Timing? = nil, negated: Bool = false, commands: [Command], line: Int = 0, typedText: String = "") {
        self.timing = timing
        self.negated = negated
        self.commands = commands
        self.line = line
        self.typedText = typedText
    }

    public static func == (lhs: Pipeline, rhs: Pipeline) -> Bool {
        lhs.timing == rhs.timing && lhs.negated == rhs.negated && lhs.commands == rhs.commands && lhs.line == rhs.line
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(timing)
        hasher.combine(negated)
        hasher.combine(commands)
        hasher.combine(line)
    }
}

public enum AndOrOperator: Sendable, Hashable {
    case and  // &&
    case or  // ||
}

/// `pipeline && pipeline || pipeline …`
public struct AndOrList: Sendable, Hashable {
    public var first: Pipeline
    public var rest: [(op: AndOrOperator, pipeline: Pipeline)]
    /// The list as the user wrote it (what `jobs` shows for `list &`); empty for a tree not
    /// read from text. Not part of the tree's identity.
    public var typedText: String

    public init(first: Pipeline, rest: [(op: AndOrOperator, pipeline: Pipeline)] = [], typedText: String = "") {
        self.first = first
        self.rest = rest
        self.typedText = typedText
    }

    public static func == (lhs: AndOrList, rhs: AndOrList) -> Bool {
        lhs.first == rhs.first && lhs.rest.elementsEqual(rhs.rest) { $0.op == $1.op && $0.pipeline == $1.pipeline }
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(first)
        for (op, pipeline) in rest {
            hasher.combine(op)
            hasher.combine(pipeline)
        }
    }
}

/// One and-or list and how it ends: `;`/newline, or `&` (run in the background).
public struct ListItem: Sendable, Hashable {
    public var andOr: AndOrList
    public var background: Bool

    public init(andOr: AndOrList, background: Bool = false) {
        self.andOr = andOr
        self.background = background
    }
}

/// A sequence of and-or lists: a script, a function body, the inside of `{ }`, `( )`, `$( )`.
public struct CommandList: Sendable, Hashable {
    public var items: [ListItem]

    public init(_ items: [ListItem] = []) { self.items = items }

    public var isEmpty: Bool { items.isEmpty }
}

/// The expression of `[[ … ]]`. Operands are words, expanded without field splitting or
/// pathname expansion when the command runs.
public indirect enum ConditionalExpression: Sendable, Hashable {
    /// A word alone: true when it expands to a non-empty string.
    case word(Word)
    /// `-f file`, `-n string`, …: the unary primaries of `test`.
    case unary(String, Word)
    /// `a == pattern`, `a != pattern`, `a =~ regex`, `a < b`, `a -eq b`, `a -nt b`, …
    case binary(Word, String, Word)
    case not(ConditionalExpression)
    case and(ConditionalExpression, ConditionalExpression)
    case or(ConditionalExpression, ConditionalExpression)
    /// `( expression )`
    case group(ConditionalExpression)
}
