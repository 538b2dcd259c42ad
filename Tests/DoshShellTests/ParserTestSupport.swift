@testable import DoshShell

/// Parses `text` with the given aliases.
func parsed(_ text: String, aliases: [String: String] = [:]) throws -> CommandList {
    try Parser.parse(text, aliases: { aliases[$0] })
}

/// The first command of list item `index`.
func command(_ list: CommandList, _ index: Int = 0) -> Command? {
    guard index < list.items.count else { return nil }
    return list.items[index].andOr.first.commands.first
}

/// The first simple command of list item `index`.
func simpleCommand(_ list: CommandList, _ index: Int = 0) -> SimpleCommand? {
    if case .simple(let s)? = command(list, index) { return s }
    return nil
}

/// The words of the only simple command in `text`.
func words(_ text: String) throws -> [Word] {
    try simpleCommand(parsed(text))?.words ?? []
}

/// The only word of `echo WORD`.
func argument(_ text: String) throws -> Word? {
    let w = try words("echo " + text)
    return w.count == 2 ? w[1] : nil
}

/// A `LineSource` that counts the lines it has handed out.
final class CountingLineSource: LineSource {
    var lines: [String]
    var handedOut = 0
    var continuations: [Bool] = []

    init(_ text: String) {
        var lines: [String] = []
        var current = ""
        for c in text {
            current.append(c)
            if c == "\n" {
                lines.append(current)
                current = ""
            }
        }
        if !current.isEmpty { lines.append(current) }
        self.lines = lines
    }

    func nextLine(continuation: Bool) -> String? {
        guard handedOut < lines.count else { return nil }
        handedOut += 1
        continuations.append(continuation)
        return lines[handedOut - 1]
    }
}

/// Trees compared without their source line numbers.
enum LineEraser {
    static func erase(_ l: CommandList) -> CommandList {
        CommandList(
            l.items.map { item in
                ListItem(
                    andOr: AndOrList(
                        first: erase(item.andOr.first),
                        rest: item.andOr.rest.map { (op: $0.op, pipeline: erase($0.pipeline)) }),
                    background: item.background)
            })
    }

    static func erase(_ p: Pipeline) -> Pipeline {
        Pipeline(negated: p.negated, commands: p.commands.map(erase), line: 0)
    }

    static func erase(_ c: Command) -> Command {
        switch c {
        case .simple(let s):
            return .simple(
                SimpleCommand(
                    assignments: s.assignments.map { Assignment(name: $0.name, value: erase($0.value)) },
                    words: s.words.map(erase), redirections: s.redirections.map(erase), side: s.side, line: 0))
        case .compound(let c, let r, _):
            return .compound(erase(c), redirections: r.map(erase), line: 0)
        case .function(let f):
            return .function(
                FunctionDefinition(name: f.name, body: erase(f.body), redirections: f.redirections.map(erase), line: 0))
        }
    }

    static func erase(_ c: CompoundCommand) -> CompoundCommand {
        switch c {
        case .braceGroup(let l): .braceGroup(erase(l))
        case .conditional(let e): .conditional(erase(e))
        case .subshell(let l): .subshell(erase(l))
        case .ifClause(let branches, let e):
            .ifClause(
                branches: branches.map { ConditionalBranch(condition: erase($0.condition), body: erase($0.body)) },
                elseBody: e.map(erase))
        case .whileLoop(let c, let b): .whileLoop(condition: erase(c), body: erase(b))
        case .untilLoop(let c, let b): .untilLoop(condition: erase(c), body: erase(b))
        case .forLoop(let v, let items, let b): .forLoop(variable: v, items: items.map { $0.map(erase) }, body: erase(b))
        case .caseClause(let s, let items):
            .caseClause(
                subject: erase(s), items: items.map { CaseItem(patterns: $0.patterns.map(erase), body: erase($0.body)) })
        }
    }

    static func erase(_ e: ConditionalExpression) -> ConditionalExpression {
        switch e {
        case .word(let w): .word(erase(w))
        case .unary(let op, let w): .unary(op, erase(w))
        case .binary(let l, let op, let r): .binary(erase(l), op, erase(r))
        case .not(let inner): .not(erase(inner))
        case .and(let a, let b): .and(erase(a), erase(b))
        case .or(let a, let b): .or(erase(a), erase(b))
        case .group(let inner): .group(erase(inner))
        }
    }

    static func erase(_ r: Redirection) -> Redirection {
        var r = r
        r.target = erase(r.target)
        if let h = r.hereDocument { r.hereDocument = HereDocument(body: erase(h.body), expands: h.expands) }
        return r
    }

    static func erase(_ w: Word) -> Word { Word(w.parts.map(erase)) }

    static func erase(_ p: WordPart) -> WordPart {
        switch p {
        case .doubleQuoted(let parts): .doubleQuoted(parts.map(erase))
        case .commandSubstitution(let l): .commandSubstitution(erase(l))
        case .arithmetic(let w): .arithmetic(erase(w))
        case .parameter(let pe): .parameter(ParameterExpansion(name: pe.name, operation: erase(pe.operation)))
        default: p
        }
    }

    static func erase(_ op: ParameterOperation) -> ParameterOperation {
        switch op {
        case .value, .length: op
        case .useDefault(let w, let c): .useDefault(erase(w), colon: c)
        case .assignDefault(let w, let c): .assignDefault(erase(w), colon: c)
        case .errorIfUnset(let w, let c): .errorIfUnset(erase(w), colon: c)
        case .useAlternative(let w, let c): .useAlternative(erase(w), colon: c)
        case .removePrefix(let w, let l): .removePrefix(erase(w), longest: l)
        case .removeSuffix(let w, let l): .removeSuffix(erase(w), longest: l)
        }
    }
}

/// A command without line numbers, to compare shapes.
func shape(_ c: Command?) -> Command? { c.map(LineEraser.erase) }

/// The tree of a text known to parse, for building expected values (empty if it does not).
func tree(_ text: String) -> CommandList { (try? parsed(text)) ?? CommandList([]) }
