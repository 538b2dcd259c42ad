/// bash's reverse incremental history search (Ctrl-R), apart from the terminal: what the
/// search prompt says, which line is shown and where the cursor is in it, after each key.
///
/// As in readline, the search begins at the cursor in the line being edited (which is
/// searched first, then the history from the newest entry back), and each step looks for the
/// newest occurrence of the search text at or before the last match. Moving on to another
/// line skips entries equal to the one shown. A search that fails keeps the last match shown
/// and says `failed` in its prompt. Positions count Unicode scalars, as libedit counts the
/// cursor.
struct ReverseHistorySearch {
    /// The lines searched, oldest first; the last is the line being edited.
    private let lines: [[Unicode.Scalar]]
    /// What the user typed to search for.
    private(set) var text: [Unicode.Scalar] = []
    /// The line shown: the last match's, or the edited line before any match.
    private(set) var lineIndex: Int
    /// The cursor in the line shown: at the last match, or where it was before any match.
    private(set) var cursor: Int
    /// Whether the last step found nothing.
    private(set) var failed = false

    /// A search through `history` (oldest first) that begins in `line` with the cursor
    /// `cursor` scalars into it.
    init(history: [String], line: String, cursor: Int) {
        lines = history.map { Array($0.unicodeScalars) } + [Array(line.unicodeScalars)]
        lineIndex = lines.count - 1
        self.cursor = max(0, min(cursor, lines[lineIndex].count))
    }

    /// The line shown.
    var line: String {
        var view = String.UnicodeScalarView()
        view.append(contentsOf: lines[lineIndex])
        return String(view)
    }

    /// The search text.
    var searchText: String {
        var view = String.UnicodeScalarView()
        view.append(contentsOf: text)
        return String(view)
    }

    /// bash's prompt while searching.
    var prompt: String {
        "(\(failed ? "failed " : "")reverse-i-search)`\(searchText)': "
    }

    /// A character typed: the search text grows, and is looked for from the last match back.
    mutating func type(_ character: Unicode.Scalar) {
        text.append(character)
        search(line: lineIndex, before: cursor + 1)
    }

    /// Backspace: the search text shrinks (a failed step's match holds a prefix of it, so the
    /// shorter text is found there again). With nothing left, the line shown stays.
    mutating func deleteBackward() {
        guard !text.isEmpty else { return }
        text.removeLast()
        if text.isEmpty {
            failed = false
        } else {
            search(line: lineIndex, before: cursor + 1)
        }
    }

    /// Ctrl-R: the next older match. With no search text yet, searches for `previous` (the text
    /// of the search before), as readline does.
    mutating func searchOlder(repeating previous: String) {
        if text.isEmpty {
            guard !previous.isEmpty else { return }
            text = Array(previous.unicodeScalars)
            search(line: lineIndex, before: cursor + 1)
        } else {
            search(line: lineIndex, before: cursor)
        }
    }

    /// Finds the newest occurrence of `text` that starts before offset `limit` of line
    /// `start`, else in an older line; on success shows it, else marks the search failed.
    private mutating func search(line start: Int, before limit: Int) {
        if let offset = Self.lastOccurrence(of: text, in: lines[start], before: limit) {
            show(line: start, offset: offset)
            return
        }
        let shown = lines[lineIndex]
        for index in stride(from: start - 1, through: 0, by: -1) where lines[index] != shown {
            if let offset = Self.lastOccurrence(of: text, in: lines[index], before: lines[index].count + 1) {
                show(line: index, offset: offset)
                return
            }
        }
        failed = true
    }

    private mutating func show(line index: Int, offset: Int) {
        lineIndex = index
        cursor = offset
        failed = false
    }

    /// The greatest offset below `limit` at which `needle` occurs in `line`.
    private static func lastOccurrence(
        of needle: [Unicode.Scalar], in line: [Unicode.Scalar], before limit: Int
    ) -> Int? {
        guard !needle.isEmpty, needle.count <= line.count else { return nil }
        var offset = min(limit - 1, line.count - needle.count)
        while offset >= 0 {
            if line[offset..<offset + needle.count].elementsEqual(needle) { return offset }
            offset -= 1
        }
        return nil
    }
}
