import CDoshSystem
import SystemPackage

#if canImport(Glibc)
    import Glibc
#endif

/// What `waitpid` reported about a child.
public enum WaitStatus: Sendable, Equatable {
    case exited(Int32)
    case signaled(Int32, coreDumped: Bool)
    case stopped(Int32)
    case continued

    init(raw: Int32) {
        if dosh_wifexited(raw) {
            self = .exited(dosh_wexitstatus(raw))
        } else if dosh_wifsignaled(raw) {
            self = .signaled(dosh_wtermsig(raw), coreDumped: dosh_wcoredump(raw))
        } else if dosh_wifstopped(raw) {
            self = .stopped(dosh_wstopsig(raw))
        } else {
            self = .continued
        }
    }

    /// The shell's `$?` for this status: the exit code, or 128+N for signal N.
    public var shellStatus: Int32 {
        switch self {
        case .exited(let code): return code
        case .signaled(let signal, _), .stopped(let signal): return 128 + signal
        case .continued: return 0
        }
    }

    /// Whether the process is gone (as opposed to stopped or continued).
    public var isTerminated: Bool {
        switch self {
        case .exited, .signaled: return true
        case .stopped, .continued: return false
        }
    }
}

public struct WaitOptions: OptionSet, Sendable {
    public let rawValue: Int32
    public init(rawValue: Int32) { self.rawValue = rawValue }
    /// Return at once when no child has changed state.
    public static let noHang = WaitOptions(rawValue: WNOHANG)
    /// Also report stopped children.
    public static let untraced = WaitOptions(rawValue: WUNTRACED)
    /// Also report continued children.
    public static let continued = WaitOptions(rawValue: WCONTINUED)
}

public enum Wait {
    /// Waits for a child (`pid` > 0), any child in group -`pid` (`pid` < -1), or any child (-1).
    /// Returns nil with `.noHang` when none changed state. The corresponding C call is `waitpid`.
    /// `EINTR` is reported as `Errno.interrupted` so the caller can look at pending signals.
    public static func wait(_ pid: pid_t, options: WaitOptions = []) throws(Errno) -> (pid: pid_t, status: WaitStatus)? {
        var raw: Int32 = 0
        let result = waitpid(pid, &raw, options.rawValue)
        if result < 0 { throw Errno(rawValue: errno) }
        if result == 0 { return nil }
        return (result, WaitStatus(raw: raw))
    }
}
