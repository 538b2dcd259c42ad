import DoshSystem
import SystemPackage

#if canImport(Glibc)
    import Glibc
#endif

/// The shell: its state, and the entry points the `dosh` executable calls.
///
/// dosh is single-threaded by design: it forks for subshells and pipeline stages and goes on
/// running Swift code in the child, which is safe only in a process with one thread. Nothing in
/// the shell may start a thread (no Dispatch, no Task).
public final class Shell {
    public var variables: VariableStore
    /// `$1`, `$2`, …
    public var positionalParameters: [String]
    /// `$0`
    public var scriptName: String
    public var options = ShellOptions()
    var functions: [String: FunctionDefinition] = [:]
    public var aliases: [String: String] = [:]
    var traps = TrapTable()
    /// `$?`
    public var lastStatus: Int32 = 0
    /// `$!`
    var lastBackgroundPID: pid_t? = nil
    /// `$$`: the pid of the shell itself, also in subshells.
    let shellPID: pid_t
    var jobs = JobTable()
    /// Whether this process is a forked subshell (its exit ends only itself).
    var isSubshell = false
    /// How many loops enclose the command being run (for `break`/`continue`).
    var loopDepth = 0
    /// How many function calls enclose the command being run (for `return`).
    var functionDepth = 0
    /// Set while running a condition (`if`, `while`, `&&` left side, `!`): `set -e` does not apply.
    var errExitSuppression = 0
    /// Whether the last status is a failure that `set -e` ignored (the left side of `&&`, a
    /// `!` pipeline): a compound command ending with it does not end the shell either.
    var lastFailureIgnored = false
    /// The line of the command being run, for `LINENO` and error messages.
    var currentLine = 0
    /// `pushd`'s saved directories, newest first; the working directory is entry 0 and is not kept here.
    var directoryStack: [String] = []
    /// Remembered command paths (`hash`).
    var commandPaths: [String: String] = [:]
    /// How many `.`/`source` files are being run (`return` ends them).
    var sourceDepth = 0
    /// Stops a runaway recursion before the stack runs out.
    let stackGuard = StackGuard()
    /// The status of the last command substitution in the current simple command (an
    /// assignment-only command returns it).
    var lastSubstitutionStatus: Int32? = nil
    /// Set by `exec` without a command: its redirections stay in effect.
    var keepRedirections = false
    /// Relays writing host files for guest commands over tcp or vsock (see `hostFileStream`).
    var hostWriteRelays: [HostWrite] = []
    /// Set while a trap action runs (traps do not nest).
    var runningTrap = false
    /// Where `getopts` is inside a group of option letters.
    var getoptsPosition = GetoptsState(optind: 1, charIndex: 0)
    /// Signals the shell ignores for itself that its children must get back (job control).
    var signalsResetForChildren: [Int32] = []
    /// The host session's state, when a host is connected (the session keeps it current).
    public var hostState: HostState? { hostLink?.session?.state }
    /// The host this shell uses (`--host`), nil for none.
    public var hostLink: HostLink? = nil
    /// The terminal, while this shell does job control.
    var terminal: TerminalOwnership? = nil
    /// The job being started or waited for in the foreground, while job control is on.
    var jobLaunch: Job? = nil
    /// The text of the pipeline being run, as typed: what a job started for it shows.
    var jobText: String? = nil
    /// Set by a first `exit` with stopped jobs: a second one exits.
    var warnedAboutStoppedJobs = false
    /// Set while the words of a host command expand.
    var hostExpansion: HostExpansion? = nil
    /// The interactive command history, when there is one.
    var history: (any CommandHistoryStore)? = nil
    /// Whether the command being run is the newest history entry (it is not when it started
    /// with a space or repeated the one before): `fc` counts from the entry before it.
    var commandIsInHistory = false

    public init(arguments: [String] = [], scriptName: String = "dosh", environment: [String]) {
        self.variables = VariableStore(environment: environment)
        self.positionalParameters = arguments
        self.scriptName = scriptName
        self.shellPID = getpid()
        initializeVariables()
    }

    private func initializeVariables() {
        if variables.value("IFS") == nil { try? variables.set("IFS", " \t\n") }
        if variables.value("PS2") == nil { try? variables.set("PS2", "> ") }
        if variables.value("PS4") == nil { try? variables.set("PS4", "+ ") }
        try? variables.set("PPID", String(getppid()))
        if variables.value("OPTIND") == nil { try? variables.set("OPTIND", "1") }
        initializeWorkingDirectory()
    }

    /// What goes before error messages: like bash, `$0` (`dosh` at the prompt and for `-c`, the
    /// script's name for a script) and, outside the prompt, the line.
    var messagePrefix: String {
        if options.interactive { return "dosh: " }
        let name = scriptName.isEmpty ? "dosh" : scriptName
        return currentLine == 0 ? "\(name): " : "\(name): line \(currentLine): "
    }

    /// Prints `dosh: [line N: ]message` on standard error.
    func report(_ message: String) {
        writeError(messagePrefix + message + "\n")
    }

    func writeOutput(_ text: String, fd: Int32 = 1) throws(Unwind) {
        do {
            try FileDescriptor(rawValue: fd).writeAll(text.utf8)
        } catch {
            if error != .brokenPipe { report("write error: \(error.message)") }
            throw .failure(status: 1)
        }
    }

    func writeOutput(bytes: [UInt8], fd: Int32 = 1) throws(Unwind) {
        do {
            try FileDescriptor(rawValue: fd).writeAll(bytes)
        } catch {
            if error != .brokenPipe { report("write error: \(error.message)") }
            throw .failure(status: 1)
        }
    }

    func writeError(_ text: String) {
        try? FileDescriptor.standardError.writeAll(text.utf8)
    }
}

/// How execution leaves the normal path: loop control, `return`, `exit`, and errors that abort the
/// current command (and a non-interactive shell).
public enum Unwind: Error, Equatable {
    case breakLoop(Int)
    case continueLoop(Int)
    case returnFromFunction(Int32)
    case exit(Int32)
    /// An error that was already reported and, by POSIX, aborts a non-interactive shell
    /// (syntax error in `eval`, a special builtin's error, an expansion error).
    case fatal(status: Int32)
    /// An error already reported that fails only the current command with `status`.
    case failure(status: Int32)
    /// Ctrl-C at the prompt: the rest of the command line is abandoned (status 130).
    case interrupted
}
