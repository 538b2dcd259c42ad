/// Where libedit has put the cursor in the rows it draws the prompt and the line on, so the
/// editor can clear those rows itself (libedit offers no call for it) before it shows output
/// above the line.
///
/// The layout follows libedit's own (`prompt_print`, `re_addc`, `re_putc`): the prompt starts in
/// the first column; each of its characters takes what `wcwidth` says, nothing when it cannot
/// be printed (libedit shows a newline in the prompt as nothing), and text between two `ignore`
/// characters takes no room. In the line, a tab moves to the next multiple of 8, a newline
/// starts a new row, an ASCII control character is shown as `^X`, another character that
/// cannot be printed as `\U+XXXX`. A character too wide for what is left of a row goes to the
/// next one, and a row that is exactly full moves the cursor to the start of the next.
struct EditArea {
    /// The terminal's width in columns.
    var columns: Int
    /// Columns a printable character takes, or a negative number when it cannot be printed
    /// (libedit asks `wcwidth`).
    var width: (Unicode.Scalar) -> Int

    private(set) var row = 0
    private(set) var column = 0

    init(columns: Int, width: @escaping (Unicode.Scalar) -> Int) {
        self.columns = max(1, columns)
        self.width = width
    }

    /// The row (from 0, the prompt's first) that holds the cursor when the cursor follows
    /// `textBeforeCursor` after `prompt`.
    static func cursorRow(
        prompt: String, ignore: Unicode.Scalar = "\u{1}", textBeforeCursor: String, columns: Int,
        width: @escaping (Unicode.Scalar) -> Int
    ) -> Int {
        var area = EditArea(columns: columns, width: width)
        var ignoring = false
        for scalar in prompt.unicodeScalars {
            if scalar == ignore {
                ignoring.toggle()
            } else if !ignoring {
                area.put(max(0, width(scalar)))
            }
        }
        for scalar in textBeforeCursor.unicodeScalars { area.add(scalar) }
        return area.row
    }

    mutating func add(_ scalar: Unicode.Scalar) {
        let value = scalar.value
        switch value {
        case 0x09:
            repeat { put(1) } while column % 8 != 0
        case 0x0A:
            row += 1
            column = 0
        case 0..<0x20, 0x7F..<0xA0:
            put(1)  // ^X
            put(1)
        default:
            let columns = width(scalar)
            if columns >= 0 {
                put(columns)
            } else {
                for _ in 0..<(value > 0xFFFF ? 8 : 7) { put(1) }  // \U+XXXX
            }
        }
    }

    mutating func put(_ width: Int) {
        if column + width > columns {
            row += 1
            column = 0
        }
        column += width
        if column >= columns {
            row += 1
            column = 0
        }
    }
}
