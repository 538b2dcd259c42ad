import DoshSystem

#if canImport(Glibc)
    import Glibc
#endif

/// The actions set with `trap`, by signal number (0 is EXIT).
struct TrapTable {
    /// The command text for each trapped condition; an empty text means "ignore".
    private(set) var actions: [Int32: String] = [:]
    /// Signals ignored when the shell started: a non-interactive shell may not trap them (POSIX).
    var ignoredOnEntry: Set<Int32> = []
    /// In a subshell that has set no trap yet, the parent's actions: what `trap` lists there,
    /// so that `saved=$(trap)` works (POSIX allows it; bash does it).
    private var inherited: [Int32: String]? = nil

    func action(for signal: Int32) -> String? { actions[signal] }

    /// What `trap` with no operands lists.
    var listing: [Int32: String] { inherited ?? actions }

    mutating func set(_ signal: Int32, action: String?) {
        actions[signal] = action
        inherited = nil
        guard signal > 0 else { return }
        switch action {
        case nil: try? Signals.setDisposition(signal, .default)
        case ""?: try? Signals.setDisposition(signal, .ignore)
        default: try? Signals.setDisposition(signal, .catchPending)
        }
    }

    /// A subshell keeps ignored signals ignored and resets caught ones (POSIX 2.11).
    mutating func resetForSubshell() {
        inherited = listing
        for (signal, action) in actions where !action.isEmpty {
            actions[signal] = nil
            if signal > 0 { try? Signals.setDisposition(signal, .default) }
        }
    }
}

extension Shell {
    /// Runs the actions of trapped signals that arrived, in signal order.
    func runPendingTraps() throws(Unwind) {
        guard !runningTrap, Signals.firstPending != nil else { return }
        for signal in 1...Signals.maximum where Signals.takePending(signal) {
            guard let action = traps.action(for: signal), !action.isEmpty else { continue }
            let savedStatus = lastStatus
            runningTrap = true
            defer { runningTrap = false }
            do {
                _ = try evaluate(action, name: "trap")
            } catch .exit(let status) {
                throw .exit(status)
            } catch .returnFromFunction(let status) where functionDepth > 0 || sourceDepth > 0 {
                // `return` in the action returns from the function it interrupted (bash, dash).
                throw .returnFromFunction(status)
            } catch {
                // Other failures in a trap action do not end the shell.
            }
            lastStatus = savedStatus
        }
    }

    /// Runs the EXIT trap, once; returns the status to exit with if the trap called `exit`.
    func runExitTrap() -> Int32? {
        guard let action = traps.action(for: 0), !action.isEmpty else { return nil }
        traps.set(0, action: nil)
        do {
            _ = try evaluate(action, name: "trap")
        } catch .exit(let status) {
            return status
        } catch {}
        return nil
    }
}

extension Shell {
    /// Puts back the disposition the shell keeps for `signal` between waits: its trap's, else
    /// what an interactive shell needs (Ctrl-C caught, to abandon the line; Ctrl-\ and SIGTERM
    /// ignored; the job-control signals ignored under job control), else the default.
    func restoreShellDisposition(_ signal: Int32) {
        if let action = traps.action(for: signal) {
            try? Signals.setDisposition(signal, action.isEmpty ? .ignore : .catchPending)
            return
        }
        let interactive = options.interactive && !isSubshell
        let disposition: Signals.Disposition
        switch signal {
        case SIGINT where interactive, SIGHUP where interactive: disposition = .catchPending
        case SIGQUIT where interactive, SIGTERM where interactive: disposition = .ignore
        case SIGTSTP where jobControlActive, SIGTTIN where jobControlActive, SIGTTOU where jobControlActive:
            disposition = .ignore
        default: disposition = .default
        }
        try? Signals.setDisposition(signal, disposition)
    }

    /// At the prompt, Ctrl-C typed while the shell itself runs (a builtin loop, `read`, `wait`)
    /// abandons the command line, as in bash. Elsewhere, and when INT is trapped, nothing.
    func checkInterrupt() throws(Unwind) {
        guard interruptsAbandonTheLine, traps.action(for: SIGINT) == nil, Signals.takePending(SIGINT) else { return }
        throw .interrupted
    }
}
