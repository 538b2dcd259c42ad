// Writing a tree back as shell text that parses to the same tree (source lines aside): for
// `jobs`, for printing functions, and for checking the parser against itself.

extension CommandList {
    /// The list as valid shell text.
    public var sourceText: String {
        var writer = SourceWriter()
        writer.list(self, terminated: false)
        writer.flushHereDocuments()
        return writer.out
    }
}

extension Pipeline {
    /// The pipeline as valid shell text.
    public var sourceText: String {
        CommandList([ListItem(andOr: AndOrList(first: self))]).sourceText
    }
}

extension Command {
    /// The command as valid shell text.
    public var sourceText: String {
        Pipeline(commands: [self]).sourceText
    }
}

extension Word {
    /// The word as it would be written as a command argument.
    public var sourceText: String {
        var writer = SourceWriter()
        writer.word(self, .unquoted)
        return writer.out
    }
}

/// Where a word is written, which decides how its literal text must be escaped.
enum WordContext {
    case unquoted, doubleQuoted, hereDocument, arithmetic, unquotedOperand, doubleQuotedOperand

    var operandContext: WordContext {
        switch self {
        case .unquoted, .unquotedOperand: .unquotedOperand
        default: .doubleQuotedOperand
        }
    }
}

struct SourceWriter {
    var out = ""
    /// Here-documents whose bodies follow the next newline.
    private var pendingHereDocuments: [Redirection] = []

    // MARK: Commands

    /// `terminated`: a reserved word follows, so the last item needs its `;`.
    mutating func list(_ list: CommandList, terminated: Bool) {
        for (i, item) in list.items.enumerated() {
            andOr(item.andOr)
            if item.background { out += " &" }
            if !pendingHereDocuments.isEmpty {
                flushHereDocuments()
                continue
            }
            if i < list.items.count - 1 {
                out += item.background ? " " : "; "
            } else if terminated, !item.background {
                out += ";"
            }
        }
    }

    mutating func flushHereDocuments() {
        guard !pendingHereDocuments.isEmpty else { return }
        let docs = pendingHereDocuments
        pendingHereDocuments = []
        out += "\n"
        for redirection in docs {
            guard let doc = redirection.hereDocument else { continue }
            var body: String
            if doc.expands {
                var writer = SourceWriter()
                writer.parts(doc.body.parts, .hereDocument)
                body = writer.out
                if !body.isEmpty, !body.hasSuffix("\n") { body += "\\\n" }
            } else {
                body = staticText(doc.body) ?? ""
                if !body.isEmpty, !body.hasSuffix("\n") { body += "\n" }
            }
            let delimiter = staticText(redirection.target) ?? ""
            // A delimiter with a newline in it can never match: such a body ran to the end.
            out += delimiter.contains("\n") ? body : body + delimiter + "\n"
        }
    }

    mutating func andOr(_ list: AndOrList) {
        pipeline(list.first)
        for (op, p) in list.rest {
            out += op == .and ? " && " : " || "
            pipeline(p)
        }
    }

    mutating func pipeline(_ p: Pipeline) {
        switch p.timing {
        case .bash?: out += "time "
        case .posix?: out += "time -p "
        case nil: break
        }
        if p.negated { out += "! " }
        for (i, c) in p.commands.enumerated() {
            if i > 0 { out += " | " }
            command(c)
        }
    }

    mutating func command(_ c: Command) {
        switch c {
        case .simple(let simple): simpleCommand(simple)
        case .compound(let compound, let redirections, _):
            self.compound(compound)
            for r in redirections { out += " "; redirection(r) }
        case .function(let f):
            out += f.name + "() "
            compound(f.body)
            for r in f.redirections { out += " "; redirection(r) }
        }
    }

    private mutating func simpleCommand(_ c: SimpleCommand) {
        var first = true
        func separate() {
            if !first { out += " " }
            first = false
        }
        for a in c.assignments {
            separate()
            out += a.name + "="
            parts(a.value.parts, .unquoted)
        }
        // A first word that would read as a reserved word goes after the redirections, where
        // it was written.
        let redirectionsFirst =
            c.side == .guest && c.assignments.isEmpty && c.words.first.map { w in
                guard w.parts.count == 1, case .literal(let s) = w.parts[0] else { return false }
                return reservedWords.contains(s) || s == "function"
            } ?? false
        if redirectionsFirst {
            for r in c.redirections { separate(); redirection(r) }
        }
        for (i, w) in c.words.enumerated() {
            separate()
            if i == 0, c.side == .host { out += "!" }
            word(w, .unquoted)
        }
        if !redirectionsFirst {
            for r in c.redirections { separate(); redirection(r) }
        }
    }

    private mutating func compound(_ c: CompoundCommand) {
        switch c {
        case .conditional(let e):
            out += "[[ "
            conditional(e)
            out += " ]]"
        case .braceGroup(let l):
            out += "{ "
            list(l, terminated: true)
            out += " }"
        case .subshell(let l):
            out += "( "
            list(l, terminated: false)
            out += " )"
        case .ifClause(let branches, let elseBody):
            for (i, b) in branches.enumerated() {
                out += i == 0 ? "if " : " elif "
                list(b.condition, terminated: true)
                out += " then "
                list(b.body, terminated: true)
            }
            if let elseBody {
                out += " else "
                list(elseBody, terminated: true)
            }
            out += " fi"
        case .whileLoop(let condition, let body), .untilLoop(let condition, let body):
            if case .whileLoop = c { out += "while " } else { out += "until " }
            list(condition, terminated: true)
            out += " do "
            list(body, terminated: true)
            out += " done"
        case .forLoop(let variable, let items, let body):
            out += "for " + variable
            if let items {
                out += " in"
                for w in items { out += " "; word(w, .unquoted) }
            }
            out += "; do "
            list(body, terminated: true)
            out += " done"
        case .caseClause(let subject, let items):
            out += "case "
            word(subject, .unquoted)
            out += " in"
            for item in items {
                out += " ("
                for (i, p) in item.patterns.enumerated() {
                    if i > 0 { out += "|" }
                    word(p, .unquoted)
                }
                out += ") "
                list(item.body, terminated: false)
                out += " ;;"
            }
            out += " esac"
        }
    }

    /// Groups are kept as parsed, so `&&` and `||` need no parentheses of their own.
    private mutating func conditional(_ e: ConditionalExpression) {
        switch e {
        case .word(let w): word(w, .unquoted)
        case .unary(let op, let w):
            out += op + " "
            word(w, .unquoted)
        case .binary(let l, let op, let r):
            word(l, .unquoted)
            out += " " + op + " "
            word(r, .unquoted)
        case .not(let inner):
            out += "! "
            conditional(inner)
        case .and(let a, let b), .or(let a, let b):
            conditional(a)
            if case .and = e { out += " && " } else { out += " || " }
            conditional(b)
        case .group(let inner):
            out += "( "
            conditional(inner)
            out += " )"
        }
    }

    mutating func redirection(_ r: Redirection) {
        if let fd = r.fd { out += String(fd) }
        switch r.op {
        case .input: out += "< "
        case .output: out += "> "
        case .append: out += ">> "
        case .clobber: out += ">| "
        case .readWrite: out += "<> "
        case .duplicateInput: out += "<&"
        case .duplicateOutput: out += ">&"
        case .hereString: out += "<<< "
        case .hereDocument(let stripTabs):
            out += stripTabs ? "<<-" : "<<"
            let delimiter = staticText(r.target) ?? ""
            if r.hereDocument?.expands ?? true {
                out += delimiter
            } else {
                out += singleQuoted(delimiter)
            }
            pendingHereDocuments.append(r)
            return
        }
        if r.targetSide == .host { out += "!" }
        word(r.target, .unquoted)
    }

    // MARK: Words

    mutating func word(_ w: Word, _ context: WordContext) {
        if w.parts.isEmpty, context == .unquoted {
            out += "''"
            return
        }
        parts(w.parts, context)
    }

    mutating func parts(_ parts: [WordPart], _ context: WordContext) {
        var braces = 0
        for p in parts { part(p, context, braces: &braces) }
    }

    private mutating func part(_ p: WordPart, _ context: WordContext, braces: inout Int) {
        switch p {
        case .literal(let s): literal(s, context, braces: &braces)
        case .quoted(let s):
            switch context {
            case .unquoted, .unquotedOperand, .arithmetic: out += singleQuoted(s)
            default: literal(s, context, braces: &braces)
            }
        case .doubleQuoted(let inner):
            out += "\""
            self.parts(inner, .doubleQuoted)
            out += "\""
        case .tilde(let user): out += "~" + (user ?? "")
        case .parameter(let pe): parameter(pe, context.operandContext)
        case .commandSubstitution(let l):
            var inner = SourceWriter()
            inner.list(l, terminated: false)
            inner.flushHereDocuments()
            out += inner.out.hasPrefix("(") ? "$( " : "$("
            out += inner.out + ")"
        case .arithmetic(let w):
            out += "$(("
            self.parts(w.parts, .arithmetic)
            out += "))"
        }
    }

    private mutating func literal(_ s: String, _ context: WordContext, braces: inout Int) {
        let escaped: Set<Character>
        switch context {
        case .unquoted, .unquotedOperand, .arithmetic:
            out += s
            return
        case .doubleQuoted, .doubleQuotedOperand: escaped = ["$", "`", "\"", "\\"]
        case .hereDocument: escaped = ["$", "`", "\\"]
        }
        for c in s {
            if escaped.contains(c) {
                out += "\\"
            } else if context == .doubleQuotedOperand, c == "{" {
                braces += 1
            } else if context == .doubleQuotedOperand, c == "}" {
                if braces == 0 { out += "\\" } else { braces -= 1 }
            }
            out.append(c)
        }
    }

    private mutating func parameter(_ pe: ParameterExpansion, _ operandContext: WordContext) {
        out += "${"
        func operand(_ op: String, _ w: Word, context: WordContext? = nil) {
            out += pe.name + op
            parts(w.parts, context ?? operandContext)
        }
        switch pe.operation {
        case .value: out += pe.name
        case .length: out += "#" + pe.name
        case .useDefault(let w, let colon): operand(colon ? ":-" : "-", w)
        case .assignDefault(let w, let colon): operand(colon ? ":=" : "=", w)
        case .errorIfUnset(let w, let colon): operand(colon ? ":?" : "?", w)
        case .useAlternative(let w, let colon): operand(colon ? ":+" : "+", w)
        case .removePrefix(let w, let longest): operand(longest ? "##" : "#", w, context: .unquotedOperand)
        case .removeSuffix(let w, let longest): operand(longest ? "%%" : "%", w, context: .unquotedOperand)
        }
        out += "}"
    }
}

/// `'text'`, with each `'` written as `'\''`.
func singleQuoted(_ s: String) -> String {
    var out = "'"
    for c in s {
        if c == "'" { out += "'\\''" } else { out.append(c) }
    }
    return out + "'"
}
