internal import CDoshLineEditor
internal import CLibEdit

extension LineEditor {
    /// From this many candidates on, TAB asks before it lists them (readline's default
    /// `completion-query-items`, which bash keeps).
    static let completionQueryItems = 100

    /// Lists `names` in columns below the line, as bash does: from ``completionQueryItems``
    /// names on it first asks `Display all N possibilities? (y or n)`, and a listing taller
    /// than the terminal stops after each screenful at `--More--` (Space: the next screenful,
    /// Enter: one more line, q or n: stop). Then the prompt and the line are drawn again below.
    /// Returns what the editor does next (a CC_* code).
    func listCandidates(_ names: [String]) -> UInt8 {
        if names.count >= Self.completionQueryItems {
            writeOutput("\r\nDisplay all \(names.count) possibilities? (y or n)")
            switch readAnswer(paging: false) {
            case .yes: break
            case .no, .oneMoreLine:  // (Enter is an answer only while paging)
                writeOutput("\r\n")
                return UInt8(CC_REDISPLAY)
            case .interrupt: return interrupt()
            case .endOfInput: return UInt8(CC_EOF)
            }
        }
        let lines = CompletionLayout.columns(names, width: Int(dosh_el_terminal_number(editLine, "co")))
        // A screenful leaves the last row for `--More--`; a terminal of unknown height never stops.
        let pageHeight = Int(dosh_el_terminal_number(editLine, "li")) - 1
        writeOutput("\r\n")
        var shown = 0
        for (index, line) in lines.enumerated() {
            writeOutput(line + "\r\n")
            shown += 1
            guard pageHeight > 0, shown >= pageHeight, index + 1 < lines.count else { continue }
            writeOutput("--More--")
            let answer = readAnswer(paging: true)
            writeOutput("\r" + (terminalString("ce") ?? "") + "\r")
            switch answer {
            case .yes: shown = 0
            case .oneMoreLine: shown -= 1
            case .no: return UInt8(CC_REDISPLAY)
            case .interrupt: return interrupt()
            case .endOfInput: return UInt8(CC_EOF)
            }
        }
        return UInt8(CC_REDISPLAY)
    }

    private enum Answer { case yes, no, oneMoreLine, interrupt, endOfInput }

    /// Waits for an answer as readline's `get_y_or_n`: y, Y or Space is yes; n, N, Delete or
    /// Ctrl-G is no; while paging, Enter is one more line and q or Q is no. Ctrl-C discards the
    /// line, as at the prompt. Any other key beeps and the question stays.
    private func readAnswer(paging: Bool) -> Answer {
        while let key = readKey() {
            switch key {
            case "y", "Y", " ": return .yes
            case "n", "N", Key.delete, Key.abort: return .no
            case "q" where paging, "Q" where paging: return .no
            case "\r" where paging, "\n" where paging: return .oneMoreLine
            case Key.interrupt: return .interrupt
            default: beep()
            }
        }
        return .endOfInput
    }
}
