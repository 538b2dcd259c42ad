internal import CLibEdit

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Keys that editor functions reading keys of their own (the completion question) give a
/// meaning.
enum Key {
    static let abort: Unicode.Scalar = "\u{07}"  // Ctrl-G
    static let delete: Unicode.Scalar = "\u{7F}"
    static let interrupt: Unicode.Scalar = "\u{03}"  // Ctrl-C
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

    /// The terminal's bell.
    func beep() {
        writeOutput(terminalString("bl") ?? "\u{07}")
    }
}
