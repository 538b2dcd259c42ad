import DoshSystem

#if canImport(Glibc)
    import Glibc
#endif

/// What cannot wait at the prompt until the line is finished: a trapped signal's action runs
/// as soon as the signal arrives, as in bash, while the user is still typing.
extension Shell {
    /// Readable when a caught signal arrived (the shell's signal wake-up pipe).
    public var urgentWorkDescriptor: Int32? { Signals.wakeupDescriptor }

    /// Runs the actions of trapped signals that arrived; `clearLine` first, if there are any.
    public func doUrgentWork(clearLine: () -> Void) {
        Signals.drainWakeup()
        guard let signal = Signals.firstPending, traps.action(for: signal).map({ !$0.isEmpty }) ?? false else { return }
        clearLine()
        try? runPendingTraps()
    }
}
