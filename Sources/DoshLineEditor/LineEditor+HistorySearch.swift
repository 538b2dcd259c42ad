internal import CLibEdit

extension LineEditor {
    /// Ctrl-R: bash's reverse incremental search through ``history``. libedit has a search of
    /// its own, but its prompt (`bck:`) is written into its code; this editor function reads
    /// the keys itself instead (see ``ReverseHistorySearch`` for how it searches).
    ///
    /// The prompt becomes `` (reverse-i-search)`TEXT': `` and the line the newest entry that
    /// holds TEXT, with the cursor on the match. A printable key adds to TEXT, Backspace takes
    /// from it, Ctrl-R goes to the next older match. Ctrl-G puts the line back as it was;
    /// Ctrl-C discards it, as at the prompt. Esc leaves the match in the line to be edited; any
    /// other control key (Enter, an arrow, Ctrl-A, TAB, …) does so too and then does what it
    /// does, so Enter runs the match.
    func searchHistory() -> UInt8 {
        guard let (line, utf8Cursor) = currentLine() else { return UInt8(CC_ERROR) }
        let prompt = currentPrompt
        let cursor = String(decoding: line.utf8.prefix(utf8Cursor), as: UTF8.self).unicodeScalars.count
        var search = ReverseHistorySearch(history: history.entries, line: line, cursor: cursor)
        show(search)
        while true {
            guard let key = readKey() else { return UInt8(CC_EOF) }
            switch key {
            case Key.reverseSearch:
                search.searchOlder(repeating: lastHistorySearch)
            case Key.delete, Key.backspace:
                search.deleteBackward()
            case Key.abort:
                redrawEditArea(prompt: prompt) { replaceLine(with: line, cursor: cursor) }
                return UInt8(CC_NORM)
            case Key.interrupt:
                // bash leaves the search on the screen and `^C` after it.
                setPrompt(prompt)
                return interrupt()
            case let key where Key.isControl(key):
                // A lone Esc only ends the search; another control key, or an Esc that starts
                // a sequence (an arrow), is then read again by libedit. (Decided before the
                // line is drawn: what is typed once it shows is not part of the sequence.)
                let again = key != Key.escape || keyFollows()
                lastHistorySearch = search.searchText
                redrawEditArea(prompt: prompt) { replaceLine(with: search.line, cursor: search.cursor) }
                if again { pushBack(key) }
                return UInt8(CC_NORM)
            default:
                search.type(key)
            }
            if search.failed { beep() }
            show(search)
        }
    }

    /// Shows the search prompt and the line the search has found.
    private func show(_ search: ReverseHistorySearch) {
        redrawEditArea(prompt: search.prompt) { replaceLine(with: search.line, cursor: search.cursor) }
    }
}
