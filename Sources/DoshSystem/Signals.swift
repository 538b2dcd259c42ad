import CDoshSystem
import SystemPackage

#if canImport(Glibc)
    import Glibc
#endif

/// Signal dispositions and the shell's pending-signal set.
///
/// Handlers never run Swift code: the C shim marks a signal pending and wakes a pipe, and the
/// shell looks at pending signals between commands and whenever a blocking call returns EINTR.
public enum Signals {
    public enum Disposition: Sendable {
        case `default`
        case ignore
        /// Record the signal as pending (see `takePending`).
        case catchPending
    }

    /// Sets what happens when `signal` arrives. The corresponding C call is `sigaction`.
    public static func setDisposition(_ signal: Int32, _ disposition: Disposition) throws(Errno) {
        switch disposition {
        case .catchPending:
            let error = dosh_signal_catch(signal)
            if error != 0 { throw Errno(rawValue: error) }
        case .default, .ignore:
            var action = sigaction()
            sigemptyset(&action.sa_mask)
            action.__sigaction_handler.sa_handler = disposition == .ignore ? SIG_IGN : SIG_DFL
            if sigaction(signal, &action, nil) != 0 { throw Errno(rawValue: errno) }
        }
    }

    /// Whether `signal` was ignored when this process started (POSIX: a non-interactive shell
    /// may not trap or reset such a signal).
    public static func isIgnored(_ signal: Int32) -> Bool {
        var current = sigaction()
        guard sigaction(signal, nil, &current) == 0 else { return false }
        return unsafeBitCast(current.__sigaction_handler.sa_handler, to: Int.self) == unsafeBitCast(SIG_IGN, to: Int.self)
    }

    /// Unblocks every signal: a shell starts with an empty signal mask whatever its parent had
    /// (a blocked mask would be inherited by every command). The corresponding C call is
    /// `sigprocmask`.
    public static func unblockAll() {
        var empty = sigset_t()
        sigemptyset(&empty)
        sigprocmask(SIG_SETMASK, &empty, nil)
    }

    /// Blocks every signal and returns the mask there was, for `setMask`. Around fork, so that a
    /// signal sent to the child at once (`sleep 30 & kill $!`) waits until the child has set its
    /// own dispositions: on Linux a blocked signal is never discarded as ignored. The
    /// corresponding C call is `sigprocmask`.
    public static func blockAll() -> sigset_t {
        var all = sigset_t()
        var previous = sigset_t()
        sigfillset(&all)
        sigprocmask(SIG_SETMASK, &all, &previous)
        return previous
    }

    /// Sets the signal mask (from `blockAll`). The corresponding C call is `sigprocmask`.
    public static func setMask(_ mask: sigset_t) {
        var mask = mask
        sigprocmask(SIG_SETMASK, &mask, nil)
    }

    /// In a forked child, with signals blocked: forgets the parent's pending signals and makes
    /// a wake-up pipe of the child's own (the parent's stays the parent's).
    public static func resetInChild() {
        _ = dosh_signal_reset_in_child()
    }

    /// Returns and clears whether `signal` arrived since the last call.
    public static func takePending(_ signal: Int32) -> Bool { dosh_signal_take(signal) }

    /// Whether `signal` arrived and was not taken yet (not cleared).
    public static func isPending(_ signal: Int32) -> Bool { dosh_signal_is_pending(signal) }

    /// The lowest pending signal, if any (not cleared).
    public static var firstPending: Int32? {
        let signal = dosh_signal_first_pending()
        return signal == 0 ? nil : signal
    }

    /// An fd that becomes readable when a caught signal arrives, for poll(2).
    public static var wakeupDescriptor: Int32? {
        let fd = dosh_signal_wakeup_fd()
        return fd < 0 ? nil : fd
    }

    public static func drainWakeup() { dosh_signal_drain_wakeup() }

    /// The highest signal number.
    public static var maximum: Int32 { dosh_signal_max() }

    /// Sends `signal` to a process (`pid` > 0) or a process group (`pid` < -1). The corresponding C
    /// call is `kill`.
    public static func send(_ signal: Int32, to pid: pid_t) throws(Errno) {
        if Glibc.kill(pid, signal) != 0 { throw Errno(rawValue: errno) }
    }
}
