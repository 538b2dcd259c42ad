/// The pure parts of TAB completion: what to insert and how to list candidates.
enum CompletionLayout {
    /// The longest prefix all `strings` share, cut only between characters (grapheme clusters),
    /// so a multi-byte UTF-8 sequence or a character with its combining marks is never split.
    /// Characters compare by their exact scalars: "é" and "e\u{301}" differ.
    static func longestCommonPrefix(_ strings: [String]) -> String {
        guard var prefix = strings.first.map({ $0[...] }) else { return "" }
        for string in strings.dropFirst() {
            var end = prefix.startIndex
            var other = string.startIndex
            while end < prefix.endIndex, other < string.endIndex,
                prefix[end].unicodeScalars.elementsEqual(string[other].unicodeScalars)
            {
                prefix.formIndex(after: &end)
                string.formIndex(after: &other)
            }
            prefix = prefix[..<end]
            if prefix.isEmpty { break }
        }
        return String(prefix)
    }

    /// How a candidate appears in a listing: without its final space, and only its last path
    /// component (a directory keeps its "/"), like bash.
    static func displayName(_ candidate: String) -> String {
        var name = Substring(candidate)
        if name.hasSuffix(" ") { name = name.dropLast() }
        let body = name.hasSuffix("/") ? name.dropLast() : name
        if let slash = body.lastIndex(of: "/") {
            name = name[name.index(after: slash)...]
        }
        return name.isEmpty ? candidate : String(name)
    }

    /// Lays `items` out in columns for a terminal `width` columns wide, filled top to bottom
    /// and then left to right like `ls`, two spaces between columns, no trailing spaces.
    /// An item wider than the terminal gets a line of its own.
    static func columns(_ items: [String], width: Int) -> [String] {
        guard !items.isEmpty else { return [] }
        let gap = 2
        let widths = items.map(TerminalText.width(of:))
        let cell = (widths.max() ?? 0) + gap
        let usableWidth = width > 0 ? width : 80
        let columnCount = max(1, min(items.count, (usableWidth + gap) / cell))
        let rowCount = (items.count + columnCount - 1) / columnCount
        // With the rows fixed, drop columns that would stay empty.
        let usedColumns = (items.count + rowCount - 1) / rowCount

        var lines: [String] = []
        lines.reserveCapacity(rowCount)
        for row in 0..<rowCount {
            var line = ""
            for column in 0..<usedColumns {
                let index = column * rowCount + row
                guard index < items.count else { break }
                line += items[index]
                let isLastInRow = column + 1 == usedColumns || index + rowCount >= items.count
                if !isLastInRow {
                    line += String(repeating: " ", count: cell - widths[index])
                }
            }
            lines.append(line)
        }
        return lines
    }
}
