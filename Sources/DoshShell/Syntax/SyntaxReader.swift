// The state shared by the scanner and the grammar: the text read so far, where we are in it,
// and what is still owed (here-document bodies, alias guards, nesting depth).
//
// Scanning and parsing are interleaved on purpose: alias substitution, reserved words, the `!`
// host marker and here-documents all depend on where the grammar is, and reading stops at the
// end of the current complete command.

/// The deepest nesting of compound commands and expansions accepted; deeper input is a syntax
/// error rather than a stack overflow.
let maximumNestingDepth = 1000

/// Bytes with meaning to the scanner.
enum Byte {
    static let newline = UInt8(ascii: "\n")
    static let space = UInt8(ascii: " ")
    static let tab = UInt8(ascii: "\t")
    static let backslash = UInt8(ascii: "\\")
    static let singleQuote = UInt8(ascii: "'")
    static let doubleQuote = UInt8(ascii: "\"")
    static let dollar = UInt8(ascii: "$")
    static let backquote = UInt8(ascii: "`")
    static let hash = UInt8(ascii: "#")
    static let openParen = UInt8(ascii: "(")
    static let closeParen = UInt8(ascii: ")")
    static let openBrace = UInt8(ascii: "{")
    static let closeBrace = UInt8(ascii: "}")
    static let less = UInt8(ascii: "<")
    static let greater = UInt8(ascii: ">")
    static let pipe = UInt8(ascii: "|")
    static let ampersand = UInt8(ascii: "&")
    static let semicolon = UInt8(ascii: ";")

    static func isBlank(_ b: UInt8) -> Bool { b == space || b == tab }
    /// Characters that end an unquoted word.
    static func isDelimiter(_ b: UInt8) -> Bool {
        switch b {
        case space, tab, newline, pipe, ampersand, semicolon, less, greater, openParen, closeParen: true
        default: false
        }
    }
    static func isDigit(_ b: UInt8) -> Bool { b >= 0x30 && b <= 0x39 }
    static func isNameStart(_ b: UInt8) -> Bool {
        (b >= 0x41 && b <= 0x5A) || (b >= 0x61 && b <= 0x7A) || b == UInt8(ascii: "_")
    }
    static func isNameChar(_ b: UInt8) -> Bool { isNameStart(b) || isDigit(b) }
    /// A UTF-8 continuation byte: part of the character before it.
    static func isContinuation(_ b: UInt8) -> Bool { b & 0xC0 == 0x80 }
}

/// A here-document whose body is read after the next newline token.
struct PendingHereDocument {
    var delimiter: [UInt8]
    var stripTabs: Bool
    var quoted: Bool
}

/// Here-documents of one parsing level: the top level, or the inside of one `$( )`.
struct HereDocumentScope {
    var pending: [PendingHereDocument] = []
    var bodies: [HereDocument] = []
}

/// An alias substitution still in effect: its text occupies `start..<end` of the buffer, and the
/// alias is not substituted again inside it.
struct AliasRegion {
    var name: String
    var start: Int
    var end: Int
}

final class SyntaxReader {
    var source: any LineSource
    /// The text read so far (only the current command's, once a command is finished).
    var bytes: [UInt8] = []
    /// The source line of each byte.
    var lineOfByte: [Int] = []
    var pos = 0
    /// The line number the next line read from the source gets.
    var nextLineNumber: Int
    var sourceExhausted = false
    /// Whether lines read now continue an unfinished command.
    var readingContinuation = false

    let aliases: (String) -> String?
    var aliasRegions: [AliasRegion] = []
    /// Set when an alias ending in a blank was substituted: the first word starting at or after
    /// this offset is checked for an alias too.
    var aliasCheckFrom: Int?
    var aliasSubstitutions = 0

    var depth = 0
    var peeked: ScannedToken?
    /// Where the last consumed token ended (for the typed text of pipelines).
    var lastConsumedEnd = 0
    var hereDocuments = HereDocumentScope()

    init(source: any LineSource, aliases: @escaping (String) -> String?, firstLine: Int, depth: Int = 0) {
        self.source = source
        self.aliases = aliases
        self.nextLineNumber = firstLine
        self.depth = depth
    }

    // MARK: Reading

    /// Makes `bytes[index]` available if the source has it, reading lines as needed.
    func ensure(_ index: Int) -> Bool {
        while index >= bytes.count {
            if sourceExhausted { return false }
            guard let line = source.nextLine(continuation: readingContinuation) else {
                sourceExhausted = true
                return false
            }
            for b in line.utf8 {
                bytes.append(b)
                lineOfByte.append(nextLineNumber)
                if b == Byte.newline { nextLineNumber += 1 }
            }
        }
        return true
    }

    /// The byte `offset` places ahead, or nil at the end of input.
    func byte(_ offset: Int = 0) -> UInt8? {
        ensure(pos + offset) ? bytes[pos + offset] : nil
    }

    func line(at index: Int) -> Int {
        if index < lineOfByte.count { return lineOfByte[index] }
        return lineOfByte.isEmpty || bytes.last == Byte.newline ? nextLineNumber : lineOfByte[lineOfByte.count - 1]
    }

    var currentLine: Int { line(at: pos) }

    func text(_ range: Range<Int>) -> String { String(decoding: bytes[range], as: UTF8.self) }

    /// Forgets the text of finished commands so a long script does not accumulate in memory.
    func discardConsumedText() {
        guard pos > 0, peeked == nil else { return }
        bytes.removeFirst(pos)
        lineOfByte.removeFirst(pos)
        lastConsumedEnd = max(0, lastConsumedEnd - pos)
        pos = 0
        aliasRegions.removeAll()
        aliasCheckFrom = nil
    }

    /// After a syntax error: drop the rest of what was read, so the next command starts afresh.
    func recoverFromError() {
        pos = bytes.count
        peeked = nil
        hereDocuments = HereDocumentScope()
        aliasRegions.removeAll()
        aliasCheckFrom = nil
        depth = 0
        discardConsumedText()
    }

    // MARK: Errors and nesting

    func unexpectedEnd() -> SyntaxError {
        SyntaxError(line: currentLine, message: "syntax error: unexpected end of file")
    }

    func error(_ message: String, line: Int? = nil) -> SyntaxError {
        SyntaxError(line: line ?? currentLine, message: message)
    }

    func enter() throws(SyntaxError) {
        depth += 1
        if depth > maximumNestingDepth {
            throw error("syntax error: nesting too deep")
        }
    }

    func leave() { depth -= 1 }
}
