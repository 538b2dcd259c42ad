internal import CDoshLineEditor
internal import CLibEdit

/// The line being edited and the rows libedit draws it on: reading it, replacing it, and
/// drawing the prompt and the line again from scratch. libedit offers no call to clear its rows,
/// so the editor does that itself (see ``EditArea``) before it writes above the line or changes
/// the prompt from inside an editor function.
extension LineEditor {
    /// The line being edited and the cursor's UTF-8 offset in it.
    func currentLine() -> (line: String, cursor: Int)? {
        guard let info = el_line(editLine)?.pointee, let buffer = info.buffer,
            let cursor = info.cursor, let end = info.lastchar
        else { return nil }
        let bytes = UnsafeRawBufferPointer(start: buffer, count: max(0, end - buffer))
        return (String(decoding: bytes, as: UTF8.self), min(max(0, cursor - buffer), bytes.count))
    }

    /// Puts `line` in place of the line being edited, the cursor `cursor` Unicode scalars into
    /// it (libedit counts wide characters: one per scalar). Nothing is drawn.
    func replaceLine(with line: String, cursor: Int) {
        guard let info = el_wline(editLine)?.pointee, let buffer = info.buffer, let end = info.lastchar,
            let current = info.cursor
        else { return }
        _ = el_cursor(editLine, Int32(clamping: end - current))
        el_deletestr(editLine, Int32(clamping: end - buffer))
        if !line.isEmpty { _ = el_insertstr(editLine, line) }
        _ = el_cursor(editLine, Int32(clamping: cursor - line.unicodeScalars.count))
    }

    /// Clears the rows of the prompt and the line, then draws `prompt` and the line, which
    /// `change` may alter meanwhile.
    func redrawEditArea(prompt: String, change: () -> Void = {}) {
        writeOutput(eraseEditArea())
        setPrompt(prompt)
        change()
        _ = dosh_el_refresh(editLine)
    }

    /// The terminal control text that moves the cursor to the first column of the prompt's row
    /// and clears from there down; on a terminal that cannot move up, a new line instead.
    func eraseEditArea() -> String {
        let line = currentLine().map { String(decoding: $0.line.utf8.prefix($0.cursor), as: UTF8.self) } ?? ""
        let columns = Int(dosh_el_terminal_number(editLine, "co"))
        let rows = EditArea.cursorRow(
            prompt: currentPrompt, textBeforeCursor: line, columns: columns > 0 ? columns : 80,
            width: { Int(dosh_character_width(wchar_t(bitPattern: $0.value))) })
        guard let up = terminalString("up"), let clear = terminalString("cd") else { return "\r\n" }
        return "\r" + String(repeating: up, count: rows) + clear
    }

    /// One of the terminal's control strings (termcap names), nil when it has none.
    func terminalString(_ name: String) -> String? {
        guard let value = dosh_el_terminal_string(editLine, name) else { return nil }
        let text = String(cString: value)
        return text.isEmpty ? nil : text
    }
}
