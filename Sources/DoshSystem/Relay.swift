import CDoshSystem
import SystemPackage

#if canImport(Glibc)
    import Glibc
#endif

/// A child process that copies one byte stream into another: how a stream crosses a tcp or
/// vsock connection where descriptors cannot be passed (a guest pipe into a data socket, a data
/// socket into a host file).
public enum Relay {
    /// Starts a relay from `source` to `sink` (`dosh_relay_start`: fork(2), then splice(2)).
    /// It ends at EOF on `source` (half-closing `sink`) or when `sink`'s reader is gone. The
    /// caller keeps its own copies of both descriptors and must reap the returned pid.
    /// With `group`, the relay joins that process group (0: it leads a new one), as a relay
    /// reading the terminal must join the job that holds it; with `foregroundTerminal`, its
    /// group becomes that terminal's foreground group before it reads.
    public static func start(
        from source: Int32, to sink: Int32, group: pid_t? = nil, foregroundTerminal: Int32? = nil
    ) throws(Errno) -> pid_t {
        let pid = dosh_relay_start(source, sink, group ?? -1, foregroundTerminal ?? -1)
        guard pid > 0 else { throw Errno(rawValue: errno) }
        return pid
    }

    /// Ends relays early (SIGTERM, then waitpid(2)): their job never started or the session ended.
    public static func stop(_ relays: [pid_t]) {
        for relay in relays {
            kill(relay, SIGTERM)
            _ = try? Wait.wait(relay)
        }
    }
}
