import ArgumentParser
import DoshShadow
import DoshLineEditor
import DoshShell
import DoshSystem
import DoshTransport
import SystemPackage

#if canImport(Glibc)
    import Glibc
#endif

struct Dosh: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "dosh",
        abstract: "A shell for a guest that uses its host as if it were local.",
        discussion: """
            With -c, runs COMMANDS; with a SCRIPT, runs it; otherwise reads commands from \
            standard input, interactively when it is a terminal. A command written with a \
            leading ! runs on the host.
            """,
        version: "0.1.0")

    @Option(name: .customShort("c"), help: ArgumentHelp("Run these commands and exit.", valueName: "COMMANDS"))
    var commands: String?

    @Option(
        name: .long,
        help: ArgumentHelp(
            "The host to use: local, none, unix:PATH, tcp:HOST:PORT, vsock:CID:PORT, ssh:[USER@]HOST[:PORT], exec:COMMAND or serial:DEVICE.",
            valueName: "ADDR"))
    var host: String?

    @Option(name: .customLong("ssh-option"), help: ArgumentHelp("An option for ssh with --host ssh: (after those in DOSH_SSH).", valueName: "OPT"))
    var sshOptions: [String] = []

    @Option(
        name: .long, help: ArgumentHelp("The token file for tcp: and vsock: hosts (or DOSH_TOKEN_FILE).", valueName: "FILE"),
        completion: .file())
    var tokenFile: String?

    @Option(name: .customLong("shadow-fd"), help: .hidden)
    var shadowDescriptor: Int32?

    @Flag(name: .customShort("i"), help: "Run interactively even when standard input is not a terminal.")
    var interactive = false

    @Flag(name: .customShort("s"), help: "Read commands from standard input (the arguments become $1…).")
    var standardInput = false

    @Option(name: .long, help: ArgumentHelp("Print the words Tab would offer at the end of LINE, one per line.", valueName: "LINE"))
    var complete: String?

    @Argument(
        parsing: .allUnrecognized,
        help: ArgumentHelp("With -c: $0 then $1…; otherwise the script to run and its arguments.", valueName: "ARG"),
        completion: .file())
    var arguments: [String] = []

    func run() throws {
        if let shadowDescriptor {
            // `--host local`: this process is the private shadow of the dosh that started it.
            Signals.unblockAll()
            Glibc.exit(runShadow(onDescriptor: shadowDescriptor))
        }
        var invocation = Invocation()
        invocation.commands = commands
        invocation.host = host
        invocation.tokenFile = tokenFile
        invocation.sshOptions = sshOptions
        invocation.interactive = interactive
        invocation.standardInput = standardInput
        invocation.complete = complete
        invocation.arguments = arguments
        try invocation.run()
    }
}

/// What to run, from the command line.
struct Invocation {
    var commands: String?
    var host: String?
    var tokenFile: String?
    var sshOptions: [String] = []
    var interactive = false
    var standardInput = false
    var complete: String?
    var arguments: [String] = []

    /// The POSIX forms `dosh`, `dosh -c COMMANDS [NAME [ARG…]]` and `dosh SCRIPT [ARG…]`, read
    /// without the argument parser: as `$SH` a shell is started thousands of times, and the
    /// parser's reflection alone would cost more than the rest of start-up. Anything else (any
    /// other option) goes through the full parser.
    static func posixForm(_ arguments: [String]) -> Invocation? {
        var invocation = Invocation()
        if arguments.isEmpty { return invocation }
        if arguments[0] == "-c", arguments.count >= 2 {
            invocation.commands = arguments[1]
            invocation.arguments = Array(arguments.dropFirst(2))
            return invocation
        }
        if !arguments[0].hasPrefix("-") {
            invocation.arguments = arguments
            return invocation
        }
        return nil
    }

    func run() throws -> Never {
        Signals.unblockAll()
        let environment = ProcessEnvironment.current()
        let status: Int32
        if let complete {
            let shell = Shell(environment: environment)
            try connectHost(shell)
            for candidate in shell.complete(line: complete, cursor: complete.utf8.count).candidates {
                print(candidate.replacement)
            }
            Glibc.exit(0)
        }
        if let commands {
            let shell = Shell(
                arguments: Array(arguments.dropFirst()), scriptName: arguments.first ?? "dosh", environment: environment)
            try connectHost(shell)
            status = shell.run(commands: commands)
        } else if let script = arguments.first, !standardInput {
            let shell = Shell(arguments: Array(arguments.dropFirst()), scriptName: script, environment: environment)
            try connectHost(shell)
            status = shell.run(scriptPath: script)
        } else {
            let shell = Shell(arguments: arguments, scriptName: "dosh", environment: environment)
            try connectHost(shell)
            if interactive || isatty(0) != 0 && isatty(2) != 0 {
                status = runInteractive(shell)
            } else {
                status = shell.run(source: DescriptorLineSource(fd: .standardInput))
            }
        }
        Glibc.exit(status)
    }

    /// An interactive session with the line editor, or plain prompts when it cannot start.
    private func runInteractive(_ shell: Shell) -> Int32 {
        setlocale(LC_CTYPE, "")
        let history = CommandHistory(path: historyPath(shell), maximumSize: Int(shell.variables.value("HISTSIZE") ?? "") ?? 1000)
        if isatty(0) != 0, let reader = EditorPromptReader(shell: shell, history: history) {
            return shell.runInteractive(reader: reader, history: history)
        }
        return shell.runInteractive(reader: PlainPromptReader(shell: shell), history: history)
    }

    /// `$XDG_STATE_HOME/dosh/history`, or `~/.local/state/dosh/history`; its directory is created.
    private func historyPath(_ shell: Shell) -> String? {
        let directory: String
        if let state = shell.variables.value("XDG_STATE_HOME"), state.hasPrefix("/") {
            directory = state + "/dosh"
        } else if let home = shell.variables.value("HOME"), !home.isEmpty {
            directory = home + "/.local/state/dosh"
        } else {
            return nil
        }
        var path = ""
        for component in directory.split(separator: "/") {
            path += "/" + component
            mkdir(path, 0o700)
        }
        return directory + "/history"
    }

    /// Chooses the host: `--host`, else `DOSH_HOST`, else the default agent socket if one is
    /// there, else none. Nothing is connected until the first `!` command needs it.
    private func connectHost(_ shell: Shell) throws {
        var address = host ?? shell.variables.value("DOSH_HOST")
        if address == nil {
            let socket = defaultAgentSocketPath()
            var info = stat()
            if stat(socket, &info) == 0 && (info.st_mode & S_IFMT) == S_IFSOCK { address = "unix:" + socket }
        }
        guard let address else { return }
        do {
            let sshOptions = (shell.variables.value("DOSH_SSH") ?? "").split(whereSeparator: \.isWhitespace).map(String.init) + sshOptions
            shell.hostLink = try HostLink(
                address: address, tokenFile: tokenFile ?? shell.variables.value("DOSH_TOKEN_FILE"), sshOptions: sshOptions)
        } catch {
            // One line, like every error a user can cause; not the option parser's usage text.
            try? FileDescriptor.standardError.writeAll("dosh: host: \(error.message)\n".utf8)
            Glibc.exit(2)
        }
    }
}
