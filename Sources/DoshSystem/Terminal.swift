import CDoshSystem
import SystemPackage

#if canImport(Glibc)
    import Glibc
#endif

/// Terminal modes, sizes, foreground process groups and pseudo-terminals, each a thin wrapper
/// over one call. Modes travel as the raw bytes of `struct termios`, so that they can cross the
/// wire unchanged between two machines of the same ABI.
public enum Terminal {
    /// A terminal's size in character cells.
    public struct WindowSize: Sendable, Equatable {
        public var rows: UInt16
        public var columns: UInt16

        public init(rows: UInt16, columns: UInt16) {
            self.rows = rows
            self.columns = columns
        }
    }

    /// When new attributes take effect (`tcsetattr`'s `optional_actions`).
    public enum When: Sendable {
        /// At once (TCSANOW).
        case now
        /// After the output written so far has been sent (TCSADRAIN): for restoring modes.
        case afterOutput
        /// After output is sent, discarding unread input (TCSAFLUSH).
        case afterOutputDiscardingInput
    }

    /// The size of this machine's `struct termios`: attributes of another size come from an
    /// incompatible ABI and cannot be applied.
    public static let attributesSize = MemoryLayout<termios>.size

    /// The terminal's modes as the raw bytes of `struct termios`. The corresponding C call is
    /// `tcgetattr`.
    public static func attributes(_ fd: FileDescriptor) throws(Errno) -> [UInt8] {
        var modes = termios()
        if tcgetattr(fd.rawValue, &modes) != 0 { throw Errno(rawValue: errno) }
        return withUnsafeBytes(of: &modes) { Array($0) }
    }

    /// Applies modes read by `attributes` (here or on a machine of the same ABI). Bytes of
    /// another size than `attributesSize` are refused with EINVAL. The corresponding C call is
    /// `tcsetattr`.
    public static func setAttributes(_ bytes: [UInt8], on fd: FileDescriptor, when: When = .now) throws(Errno) {
        guard bytes.count == attributesSize else { throw Errno.invalidArgument }
        var modes = termios()
        withUnsafeMutableBytes(of: &modes) { raw in
            for (offset, byte) in bytes.enumerated() { raw[offset] = byte }
        }
        let action: Int32
        switch when {
        case .now: action = TCSANOW
        case .afterOutput: action = TCSADRAIN
        case .afterOutputDiscardingInput: action = TCSAFLUSH
        }
        while tcsetattr(fd.rawValue, action, &modes) != 0 {
            if errno != EINTR { throw Errno(rawValue: errno) }
        }
    }

    /// The terminal's size. The corresponding C call is `ioctl(TIOCGWINSZ)`.
    public static func windowSize(_ fd: FileDescriptor) throws(Errno) -> WindowSize {
        var rows: UInt16 = 0
        var columns: UInt16 = 0
        if dosh_get_window_size(fd.rawValue, &rows, &columns) != 0 { throw Errno(rawValue: errno) }
        return WindowSize(rows: rows, columns: columns)
    }

    /// Sets the terminal's size; the kernel sends SIGWINCH to its foreground process group when
    /// the size changes. The corresponding C call is `ioctl(TIOCSWINSZ)`.
    public static func setWindowSize(_ fd: FileDescriptor, _ size: WindowSize) throws(Errno) {
        if dosh_set_window_size(fd.rawValue, size.rows, size.columns) != 0 { throw Errno(rawValue: errno) }
    }

    /// The terminal's foreground process group. The corresponding C call is `tcgetpgrp`; it
    /// fails with ENOTTY unless `fd` is the caller's controlling terminal.
    public static func foregroundProcessGroup(_ fd: FileDescriptor) throws(Errno) -> pid_t {
        let group = tcgetpgrp(fd.rawValue)
        if group < 0 { throw Errno(rawValue: errno) }
        return group
    }

    /// Makes `group` the terminal's foreground process group. The corresponding C call is
    /// `tcsetpgrp`. A caller outside the foreground group must ignore (or block) SIGTTOU, or it
    /// is stopped.
    public static func setForegroundProcessGroup(_ fd: FileDescriptor, _ group: pid_t) throws(Errno) {
        while tcsetpgrp(fd.rawValue, group) != 0 {
            if errno != EINTR { throw Errno(rawValue: errno) }
        }
    }

    /// The session of the terminal (the pid of its session leader). The corresponding C call is
    /// `tcgetsid`; it fails with ENOTTY unless `fd` is the caller's controlling terminal.
    public static func session(_ fd: FileDescriptor) throws(Errno) -> pid_t {
        let session = tcgetsid(fd.rawValue)
        if session < 0 { throw Errno(rawValue: errno) }
        return session
    }

    /// Makes the terminal the controlling terminal of the caller, which must be a session leader
    /// without one. The corresponding C call is `ioctl(TIOCSCTTY)`.
    public static func makeControlling(_ fd: FileDescriptor) throws(Errno) {
        if dosh_set_controlling_terminal(fd.rawValue) != 0 { throw Errno(rawValue: errno) }
    }

    /// Opens a new pseudo-terminal master (close-on-exec, not a controlling terminal) with its
    /// slave granted and unlocked; returns the master and the slave's path. The corresponding C
    /// calls are `posix_openpt`, `grantpt`, `unlockpt` and `ptsname_r`.
    public static func openPseudoTerminal() throws(Errno) -> (master: FileDescriptor, slavePath: String) {
        var name = [CChar](repeating: 0, count: 128)
        let master = dosh_open_pty_master(&name, name.count)
        if master < 0 { throw Errno(rawValue: errno) }
        let path = name.withUnsafeBufferPointer { String(cString: $0.baseAddress!) }
        return (FileDescriptor(rawValue: master), path)
    }

    /// The path of a pty master's slave. The corresponding C call is `ptsname_r`.
    public static func slavePath(ofMaster master: FileDescriptor) throws(Errno) -> String {
        var name = [CChar](repeating: 0, count: 128)
        if dosh_pty_slave_name(master.rawValue, &name, name.count) != 0 { throw Errno(rawValue: errno) }
        return name.withUnsafeBufferPointer { String(cString: $0.baseAddress!) }
    }

    /// Whether `fd` is a terminal. The corresponding C call is `isatty`.
    public static func isTerminal(_ fd: FileDescriptor) -> Bool { isatty(fd.rawValue) == 1 }
}
