#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Signal names and numbers for `kill`, `trap` and exit-status reports, with this system's
/// numbering.
///
/// Names are accepted with or without `SIG` and in any case (`INT`, `SIGINT`, `int`), as are
/// numbers, real-time signals as `RTMIN+N` / `RTMAX-N`, and `EXIT` for 0. The trap-only
/// conditions `ERR`, `DEBUG` and `RETURN` are not signals and are left to `trap`.
public enum SignalNames {
    /// `INT`, `SIGINT`, `int`, or a number (`2`) → signal number; `EXIT`/`0` → 0. nil if unknown.
    public static func number(for name: String) -> Int32? {
        if let first = name.utf8.first, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(first) {
            guard name.utf8.allSatisfy({ (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) }),
                let value = Int32(name), value == 0 || Self.name(of: value) != nil
            else { return nil }
            return value
        }
        var upper = name.uppercased()
        if upper.hasPrefix("SIG") { upper.removeFirst(3) }
        if upper == "EXIT" { return 0 }
        if let entry = classic.first(where: { $0.name == upper }) { return entry.number }
        if let alias = aliases.first(where: { $0.name == upper }) { return alias.number }
        return realTimeNumber(upper)
    }

    /// 2 → "INT" (without SIG), 0 → "EXIT", nil for unknown.
    public static func name(of number: Int32) -> String? {
        if number == 0 { return "EXIT" }
        if let entry = classic.first(where: { $0.number == number }) { return entry.name }
        guard let (low, high) = realTimeRange, number >= low, number <= high else { return nil }
        if number == low { return "RTMIN" }
        if number == high { return "RTMAX" }
        // bash names the lower half from RTMIN up and the upper half from RTMAX down.
        let middle = low + (high - low) / 2
        return number <= middle ? "RTMIN+\(number - low)" : "RTMAX-\(high - number)"
    }

    /// All (number, name) pairs for `kill -l` / `trap -l`, in number order.
    public static var all: [(number: Int32, name: String)] {
        var pairs = classic.sorted { $0.number < $1.number }
        if let (low, high) = realTimeRange {
            for number in low...high {
                if let name = name(of: number) { pairs.append((number, name)) }
            }
        }
        return pairs
    }

    private static let classic: [(number: Int32, name: String)] = {
        var table: [(number: Int32, name: String)] = [
            (SIGHUP, "HUP"), (SIGINT, "INT"), (SIGQUIT, "QUIT"), (SIGILL, "ILL"),
            (SIGTRAP, "TRAP"), (SIGABRT, "ABRT"), (SIGBUS, "BUS"), (SIGFPE, "FPE"),
            (SIGKILL, "KILL"), (SIGUSR1, "USR1"), (SIGSEGV, "SEGV"), (SIGUSR2, "USR2"),
            (SIGPIPE, "PIPE"), (SIGALRM, "ALRM"), (SIGTERM, "TERM"), (SIGCHLD, "CHLD"),
            (SIGCONT, "CONT"), (SIGSTOP, "STOP"), (SIGTSTP, "TSTP"), (SIGTTIN, "TTIN"),
            (SIGTTOU, "TTOU"), (SIGURG, "URG"), (SIGXCPU, "XCPU"), (SIGXFSZ, "XFSZ"),
            (SIGVTALRM, "VTALRM"), (SIGPROF, "PROF"), (SIGWINCH, "WINCH"), (SIGIO, "IO"),
            (SIGSYS, "SYS"),
        ]
        #if os(Linux)
        table += [(SIGSTKFLT, "STKFLT"), (SIGPWR, "PWR")]
        #else
        table += [(SIGEMT, "EMT"), (SIGINFO, "INFO")]
        #endif
        return table
    }()

    /// Other names for the same signals, accepted but never printed.
    private static let aliases: [(number: Int32, name: String)] = {
        var table: [(number: Int32, name: String)] = [(SIGABRT, "IOT"), (SIGCHLD, "CLD")]
        #if os(Linux)
        table.append((SIGIO, "POLL"))
        #endif
        return table
    }()

    private static var realTimeRange: (Int32, Int32)? {
        #if canImport(Glibc)
        return (__libc_current_sigrtmin(), __libc_current_sigrtmax())
        #else
        return nil
        #endif
    }

    /// `RTMIN`, `RTMIN+N`, `RTMAX`, `RTMAX-N`.
    private static func realTimeNumber(_ name: String) -> Int32? {
        guard let (low, high) = realTimeRange else { return nil }
        let base: Int32
        let sign: Int32
        var rest: Substring
        if name.hasPrefix("RTMIN") {
            (base, sign, rest) = (low, 1, name.dropFirst(5))
        } else if name.hasPrefix("RTMAX") {
            (base, sign, rest) = (high, -1, name.dropFirst(5))
        } else {
            return nil
        }
        if rest.isEmpty { return base }
        guard rest.first == (sign > 0 ? "+" : "-") else { return nil }
        rest.removeFirst()
        guard !rest.isEmpty, rest.utf8.allSatisfy({ (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) }),
            let offset = Int32(rest)
        else { return nil }
        let number = base + sign * offset
        return (low...high).contains(number) ? number : nil
    }
}
