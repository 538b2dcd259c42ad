internal import CLibEdit

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Keys that editor functions reading keys of their own (the history search, the completion
/// question) give a meaning.
enum Key {
    static let abort: Unicode.Scalar = "\u{07}"  // Ctrl-G
    static let backspace: Unicode.Scalar = "\u{08}"  // Ctrl-H
    static let delete: Unicode.Scalar = "\u{7F}"
    static let escape: Unicode.Scalar = "\u{1B}"
    static let interrupt: Unicode.Scalar = "\u{03}"  // Ctrl-C
    static let reverseSearch: Unicode.Scalar = "\u{12}"  // Ctrl-R

    /// Whether `key` is a control character (ASCII or C1, and Delete): one that edits rather
    /// than types.
    static func isControl(_ key: Unicode.Scalar) -> Bool {
        key.value < 0x20 || (0x7F..<0xA0).contains(key.value)
    }
}

extension LineEditor {
    /// The next key, for an editor function that reads keys itself: through libedit
    /// (`el_wgetc`), so keys pushed back come first and background output is still shown while
    /// it waits. Nil at end of input, or when a signal ended editing (then ``readLine`` reports
    /// an interrupt, as when libedit's own read is cut short).
    func readKey() -> Unicode.Scalar? {
        var character: wchar_t = 0
        let count = el_wgetc(editLine, &character)
        guard count == 1 else {
            if count < 0 && errno == EINTR { interrupted = true }
            return nil
        }
        return Unicode.Scalar(UInt32(bitPattern: character)) ?? "\u{FFFD}"
    }

    /// Gives `key` back to libedit, which reads it next and does what it is bound to.
    func pushBack(_ key: Unicode.Scalar) {
        let text: [wchar_t] = [wchar_t(bitPattern: key.value), 0]
        el_wpush(editLine, text)
    }

    /// Whether another key arrives within `milliseconds`: an Esc followed at once by more is
    /// the start of a key's sequence (an arrow), not a key of its own. readline waits 100 ms.
    func keyFollows(within milliseconds: Int32 = 100) -> Bool {
        var descriptor = pollfd(fd: inputDescriptor, events: Int16(POLLIN), revents: 0)
        return poll(&descriptor, 1, milliseconds) > 0
    }

    /// The terminal's bell.
    func beep() {
        writeOutput(terminalString("bl") ?? "\u{07}")
    }
}
