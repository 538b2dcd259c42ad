internal import CDoshLineEditor
internal import CLibEdit

extension LineEditor {
    /// TAB: asks the delegate for candidates, then inserts the only one or the longest prefix
    /// they share; a second TAB with nothing more to insert lists them below the line.
    func completeWord() -> UInt8 {
        guard let delegate, let (line, cursor) = currentLine() else { return UInt8(CC_ERROR) }
        let result = delegate.complete(line: line, cursor: cursor)
        let bytes = Array(line.utf8)
        var candidates: [CompletionCandidate] = []
        for candidate in result.candidates
        where !candidates.contains(where: { $0.replacement == candidate.replacement }) {
            candidates.append(candidate)
        }
        guard !candidates.isEmpty, result.wordStart >= 0, result.wordStart <= cursor,
            cursor <= bytes.count, result.wordStart == cursor || !Self.isContinuation(bytes[result.wordStart])
        else {
            ambiguousCompletion = nil
            return UInt8(CC_REFRESH_BEEP)
        }
        let word = String(decoding: bytes[result.wordStart..<cursor], as: UTF8.self)

        if candidates.count == 1 {
            ambiguousCompletion = nil
            if candidates[0].replacement != word { replaceWord(word, with: candidates[0].replacement) }
            return UInt8(CC_REFRESH)
        }
        let prefix = CompletionLayout.longestCommonPrefix(candidates.map(\.replacement))
        if prefix.utf8.count > word.utf8.count {
            replaceWord(word, with: prefix)
            ambiguousCompletion = currentLine()
            return UInt8(CC_REFRESH)
        }
        if let previous = ambiguousCompletion, previous.line == line, previous.cursor == cursor {
            let next = listCandidates(candidates.map(\.listed))
            // Another TAB lists them again, also after the keys that answered a question.
            ambiguousCompletion = previous
            return next
        }
        ambiguousCompletion = (line, cursor)
        return UInt8(CC_REFRESH_BEEP)
    }

    /// Replaces `word`, which ends at the cursor, by `replacement`.
    private func replaceWord(_ word: String, with replacement: String) {
        // libedit counts characters as wide characters: one per Unicode scalar.
        el_deletestr(editLine, Int32(clamping: word.unicodeScalars.count))
        if !replacement.isEmpty {
            _ = el_insertstr(editLine, replacement)
        }
    }

    private static func isContinuation(_ byte: UInt8) -> Bool {
        byte & 0xC0 == 0x80
    }
}
