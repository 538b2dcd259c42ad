// Here-documents (XCU 2.7.4): bodies are read after the newline that ends the line holding
// their operators, in order, then put into the tree once the enclosing command is complete.

extension SyntaxReader {
    /// Registers `<<word`/`<<-word`; returns the target word and placeholder the parser stores.
    func registerHereDocument(delimiterToken t: ScannedToken, stripTabs: Bool) -> (Word, HereDocument) {
        let (delimiter, quoted) = hereDocumentDelimiter(bytes[t.start..<t.end])
        hereDocuments.pending.append(PendingHereDocument(delimiter: delimiter, stripTabs: stripTabs, quoted: quoted))
        let text = String(decoding: delimiter, as: UTF8.self)
        let placeholder = HereDocument(body: quoted ? Word([.quoted("")]) : Word([]), expands: !quoted)
        return (Word([quoted ? .quoted(text) : .literal(text)]), placeholder)
    }

    /// Reads the bodies owed by the line just ended. A body missing its delimiter line ends at
    /// the end of input, as in bash.
    func readPendingHereDocuments() throws(SyntaxError) {
        let pending = hereDocuments.pending
        hereDocuments.pending = []
        for doc in pending {
            var body: [UInt8] = []
            let firstLine = currentLine
            while ensure(pos) {
                let line = readHereDocumentLine(stripTabs: doc.stripTabs, joinContinuations: !doc.quoted)
                if line == doc.delimiter { break }
                body.append(contentsOf: line)
                body.append(Byte.newline)
            }
            let word: Word
            if doc.quoted {
                word = Word([.quoted(String(decoding: body, as: UTF8.self))])
            } else {
                word = try parseHereDocumentBody(body, firstLine: firstLine)
            }
            hereDocuments.bodies.append(HereDocument(body: word, expands: !doc.quoted))
        }
    }

    /// One line of a body, without its newline. In an expanding body a line ending in an
    /// unescaped `\` continues on the next line, before the delimiter is looked for (as bash does).
    private func readHereDocumentLine(stripTabs: Bool, joinContinuations: Bool) -> [UInt8] {
        var line: [UInt8] = []
        while ensure(pos) {
            var end = pos
            while ensure(end), bytes[end] != Byte.newline { end += 1 }
            var start = pos
            if stripTabs {
                while start < end, bytes[start] == Byte.tab { start += 1 }
            }
            pos = min(end + 1, bytes.count)
            line.append(contentsOf: bytes[start..<end])
            var backslashes = 0
            while backslashes < line.count, line[line.count - 1 - backslashes] == Byte.backslash { backslashes += 1 }
            guard joinContinuations, backslashes % 2 == 1, end < bytes.count else { break }
            line.removeLast()
        }
        return line
    }

    private func parseHereDocumentBody(_ body: [UInt8], firstLine: Int) throws(SyntaxError) -> Word {
        let inner = SyntaxReader(
            source: StringLineSource(String(decoding: body, as: UTF8.self)), aliases: aliases,
            firstLine: firstLine, depth: depth)
        inner.readingContinuation = true
        var builder = PartsBuilder()
        while let b = inner.byte() {
            try inner.scanDoubleQuotedPiece(b, into: &builder, specials: hereDocumentEscapable)
        }
        return Word(builder.finish())
    }

    /// Puts the bodies read so far into the here-document redirections of `list`, in source
    /// order; bodies never read (input ended first) stay empty.
    func fillHereDocuments(in list: inout CommandList) {
        var bodies = hereDocuments.bodies[...]
        hereDocuments = HereDocumentScope()
        guard !bodies.isEmpty else { return }
        HereDocumentFiller.fill(&list, with: &bodies)
    }
}

/// The delimiter after quote removal, and whether any part of it was quoted.
func hereDocumentDelimiter(_ raw: ArraySlice<UInt8>) -> ([UInt8], Bool) {
    var out: [UInt8] = []
    var quoted = false
    var i = raw.startIndex
    while i < raw.endIndex {
        let b = raw[i]
        switch b {
        case Byte.backslash:
            quoted = true
            if i + 1 < raw.endIndex {
                if raw[i + 1] != Byte.newline { out.append(raw[i + 1]) }
                i += 2
            } else {
                i += 1
            }
        case Byte.singleQuote:
            quoted = true
            i += 1
            while i < raw.endIndex, raw[i] != Byte.singleQuote {
                out.append(raw[i])
                i += 1
            }
            i += 1
        case Byte.doubleQuote:
            quoted = true
            i += 1
            while i < raw.endIndex, raw[i] != Byte.doubleQuote {
                if raw[i] == Byte.backslash, i + 1 < raw.endIndex, doubleQuoteEscapable.contains(raw[i + 1]) {
                    i += 1
                }
                out.append(raw[i])
                i += 1
            }
            i += 1
        default:
            out.append(b)
            i += 1
        }
    }
    return (out, quoted)
}

/// Walks a tree in source order, visiting the here-document redirections of this parsing level
/// (not those inside command substitutions, which have their own).
enum HereDocumentFiller {
    static func fill(_ list: inout CommandList, with bodies: inout ArraySlice<HereDocument>) {
        for i in list.items.indices {
            fill(&list.items[i].andOr.first, with: &bodies)
            for j in list.items[i].andOr.rest.indices {
                fill(&list.items[i].andOr.rest[j].pipeline, with: &bodies)
            }
        }
    }

    static func fill(_ pipeline: inout Pipeline, with bodies: inout ArraySlice<HereDocument>) {
        for i in pipeline.commands.indices { fill(&pipeline.commands[i], with: &bodies) }
    }

    static func fill(_ command: inout Command, with bodies: inout ArraySlice<HereDocument>) {
        switch command {
        case .simple(var simple):
            fill(&simple.redirections, with: &bodies)
            command = .simple(simple)
        case .compound(var compound, var redirections, let line):
            fill(&compound, with: &bodies)
            fill(&redirections, with: &bodies)
            command = .compound(compound, redirections: redirections, line: line)
        case .function(var definition):
            fill(&definition.body, with: &bodies)
            fill(&definition.redirections, with: &bodies)
            command = .function(definition)
        }
    }

    static func fill(_ compound: inout CompoundCommand, with bodies: inout ArraySlice<HereDocument>) {
        switch compound {
        case .braceGroup(var list):
            fill(&list, with: &bodies)
            compound = .braceGroup(list)
        case .subshell(var list):
            fill(&list, with: &bodies)
            compound = .subshell(list)
        case .ifClause(var branches, var elseBody):
            for i in branches.indices {
                fill(&branches[i].condition, with: &bodies)
                fill(&branches[i].body, with: &bodies)
            }
            if var e = elseBody {
                fill(&e, with: &bodies)
                elseBody = e
            }
            compound = .ifClause(branches: branches, elseBody: elseBody)
        case .whileLoop(var condition, var body):
            fill(&condition, with: &bodies)
            fill(&body, with: &bodies)
            compound = .whileLoop(condition: condition, body: body)
        case .untilLoop(var condition, var body):
            fill(&condition, with: &bodies)
            fill(&body, with: &bodies)
            compound = .untilLoop(condition: condition, body: body)
        case .forLoop(let variable, let items, var body):
            fill(&body, with: &bodies)
            compound = .forLoop(variable: variable, items: items, body: body)
        case .caseClause(let subject, var items):
            for i in items.indices { fill(&items[i].body, with: &bodies) }
            compound = .caseClause(subject: subject, items: items)
        case .conditional:
            break  // operands are words: no redirections, so no here-documents
        }
    }

    static func fill(_ redirections: inout [Redirection], with bodies: inout ArraySlice<HereDocument>) {
        for i in redirections.indices where redirections[i].hereDocument != nil {
            guard let body = bodies.popFirst() else { return }
            redirections[i].hereDocument = body
        }
    }
}
