#if canImport(Glibc)
    import Glibc
#endif

/// Which side gets the terminal in a foreground job, decided before its first stage starts.
///
/// A job has one terminal, as a local pipeline does, and it lives on one side:
/// - a job whose host stages do not touch the terminal keeps the guest terminal (its guest
///   process group is the terminal's foreground group);
/// - a job whose guest stages do not touch it runs on the session's host pty, relayed to the
///   guest terminal, which is raw meanwhile (`!vim`, `!less`, `!top`);
/// - when both sides do, the side of the last stage that touches the terminal wins: that is the
///   program whose output the user watches (`ls | !less` runs on the host pty, `!seq 3 | tac` on
///   the guest terminal). The other side's terminal fds are then that same terminal: guest
///   stages get the host pty's slave, host stages the guest terminal as a plain fd. So every
///   process of the job writes through one line discipline (no staircase from a raw terminal),
///   keys reach whoever reads, and an interrupt or suspend key reaches both sides.
enum TerminalRule {
    /// The side that holds the terminal for a foreground pipeline of `commands` (`isHost` tells
    /// which run on the host), given which of the shell's fds 0, 1, 2 are the terminal.
    static func side(of commands: [Command], isHost: (Command) -> Bool, terminalFDs: Set<Int32>) -> TerminalSide {
        var last: TerminalSide? = nil
        var hostTouches = false
        var guestTouches = false
        for (index, command) in commands.enumerated() {
            var inherited: Set<Int32> = terminalFDs.intersection([2])
            if index == 0 && terminalFDs.contains(0) { inherited.insert(0) }
            if index == commands.count - 1 && terminalFDs.contains(1) { inherited.insert(1) }
            guard !terminalDescriptors(of: command, inheriting: inherited).isEmpty else { continue }
            let host = isHost(command)
            if host { hostTouches = true } else { guestTouches = true }
            last = host ? .host : .guest
        }
        if !hostTouches { return .guest }
        if !guestTouches { return .host }
        return last ?? .guest
    }

    /// Which of fds 0, 1, 2 of `command` would be the terminal, given those it inherits: its own
    /// redirections, in order, take fds away (`> f`) or copy them (`2>&1`).
    static func terminalDescriptors(of command: Command, inheriting inherited: Set<Int32>) -> Set<Int32> {
        var terminal = inherited
        for redirection in redirections(of: command) {
            let fd = redirection.effectiveFD
            switch redirection.op {
            case .duplicateInput, .duplicateOutput:
                if let source = literalDescriptor(redirection.target), terminal.contains(source) {
                    terminal.insert(fd)
                } else {
                    terminal.remove(fd)
                }
            default:
                terminal.remove(fd)
            }
        }
        return terminal.intersection([0, 1, 2])
    }

    private static func redirections(of command: Command) -> [Redirection] {
        switch command {
        case .simple(let simple): return simple.redirections
        case .compound(_, let redirections, _): return redirections
        case .function: return []
        }
    }

    /// The fd number a `>&N` target names, when it is written as a plain number.
    private static func literalDescriptor(_ word: Word) -> Int32? {
        guard word.parts.count == 1, case .literal(let text) = word.parts[0] else { return nil }
        return Int32(text)
    }
}
