import CDoshSystem
import SystemPackage

#if canImport(Glibc)
    import Glibc
#endif

/// How a spawned process is set up besides its arguments and environment.
public struct SpawnOptions: Sendable {
    /// The process group to put the child in.
    public enum ProcessGroup: Sendable, Equatable {
        /// The parent's group.
        case inherit
        /// A new group led by the child.
        case new
        /// An existing group.
        case join(pid_t)
    }

    /// One step of fd set-up in the child, applied in order.
    public enum FDAction: Sendable, Equatable {
        /// `dup2(source, target)`; a `source` equal to `target` clears close-on-exec.
        case duplicate(source: Int32, target: Int32)
        case close(Int32)
    }

    public var processGroup: ProcessGroup = .inherit
    /// When set, the child's group becomes this terminal's foreground group before it runs.
    public var foregroundTerminal: Int32? = nil
    public var fdActions: [FDAction] = []
    /// Signals reset to their default action in the child.
    public var defaultSignals: [Int32] = []
    /// Keep SIGINT and SIGQUIT ignored (an asynchronous list in a non-interactive shell).
    public var ignoreInterrupts = false

    public init() {}
}

public enum Spawn {
    /// Starts an executable at `path`. The corresponding C call is `posix_spawn` (through
    /// `dosh_spawn`, which adds the GNU extensions a job-control shell needs).
    public static func spawn(
        path: String, arguments: [String], environment: [String], options: SpawnOptions
    ) throws(Errno) -> pid_t {
        let fdActions = options.fdActions.map { action -> dosh_fd_action in
            switch action {
            case .duplicate(let source, let target): return dosh_fd_action(source: source, target: target)
            case .close(let fd): return dosh_fd_action(source: -1, target: fd)
            }
        }
        var pid: pid_t = 0
        let error: Int32 = withCStringArray(arguments) { argv in
            withCStringArray(environment) { envp in
                fdActions.withUnsafeBufferPointer { actions in
                    options.defaultSignals.withUnsafeBufferPointer { signals in
                        var raw = dosh_spawn_options()
                        switch options.processGroup {
                        case .inherit: raw.process_group = -1
                        case .new: raw.process_group = 0
                        case .join(let group): raw.process_group = group
                        }
                        raw.foreground_tty = options.foregroundTerminal ?? -1
                        raw.fd_actions = actions.baseAddress
                        raw.fd_action_count = actions.count
                        raw.default_signals = signals.baseAddress
                        raw.default_signal_count = signals.count
                        raw.ignore_interrupts = options.ignoreInterrupts
                        return dosh_spawn(path, argv, envp, &raw, &pid)
                    }
                }
            }
        }
        if error != 0 { throw Errno(rawValue: error) }
        return pid
    }

    /// Replaces the current process image. The corresponding C call is `execve`; it returns only
    /// on failure.
    public static func execute(path: String, arguments: [String], environment: [String]) -> Errno {
        withCStringArray(arguments) { argv in
            withCStringArray(environment) { envp in
                _ = execve(path, argv, envp)
                return Errno(rawValue: errno)
            }
        }
    }

    /// Creates a child process that continues running this program. The corresponding C call is
    /// `fork`. dosh is single-threaded by design, so the child may go on running Swift code.
    public static func fork() throws(Errno) -> pid_t {
        let pid = Glibc.fork()
        if pid < 0 { throw Errno(rawValue: errno) }
        return pid
    }
}

/// Calls `body` with a NULL-terminated `char *[]` for `strings`.
func withCStringArray<R>(_ strings: [String], _ body: (UnsafePointer<UnsafeMutablePointer<CChar>?>) -> R) -> R {
    var pointers: [UnsafeMutablePointer<CChar>?] = strings.map { strdup($0) }
    pointers.append(nil)
    defer { for pointer in pointers { free(pointer) } }
    return pointers.withUnsafeBufferPointer { body($0.baseAddress!) }
}
