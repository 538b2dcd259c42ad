#if canImport(Glibc)
    import Glibc
#endif

/// Reading and changing modes obtained from `Terminal.attributes`.
extension Terminal {
    /// `modes` with input and output processing off, as a relay needs: every key passes
    /// through untouched, every byte is written as it comes. The corresponding C call is
    /// `cfmakeraw`.
    public static func rawAttributes(_ modes: [UInt8]) -> [UInt8] {
        guard var value = decode(modes) else { return modes }
        cfmakeraw(&value)
        return withUnsafeBytes(of: &value) { Array($0) }
    }

    /// The keys that raise a signal under `modes` (VINTR → SIGINT, VQUIT → SIGQUIT, VSUSP →
    /// SIGTSTP), or none when ISIG is off; disabled keys (`_POSIX_VDISABLE`) are left out.
    public static func signalKeys(_ modes: [UInt8]) -> [UInt8: Int32] {
        guard let value = decode(modes), value.c_lflag & tcflag_t(ISIG) != 0 else { return [:] }
        var keys: [UInt8: Int32] = [:]
        let characters = withUnsafeBytes(of: value.c_cc) { Array($0) }
        for (index, signal) in [(Int(VINTR), SIGINT), (Int(VQUIT), SIGQUIT), (Int(VSUSP), SIGTSTP)]
        where index < characters.count && characters[index] != 0 {
            keys[characters[index]] = signal
        }
        return keys
    }

    private static func decode(_ bytes: [UInt8]) -> termios? {
        guard bytes.count == attributesSize else { return nil }
        var value = termios()
        withUnsafeMutableBytes(of: &value) { raw in
            for (offset, byte) in bytes.enumerated() { raw[offset] = byte }
        }
        return value
    }
}
