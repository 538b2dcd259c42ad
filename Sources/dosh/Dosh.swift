import ArgumentParser
import DoshShell
import DoshSystem
import SystemPackage

#if canImport(Glibc)
    import Glibc
#endif

@main
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

    @Option(name: .long, help: ArgumentHelp("The host to use: local, none, unix:PATH, tcp:HOST:PORT or vsock:CID:PORT.", valueName: "ADDR"))
    var host: String?

    @Flag(name: .customShort("i"), help: "Run interactively even when standard input is not a terminal.")
    var interactive = false

    @Flag(name: .customShort("s"), help: "Read commands from standard input (the arguments become $1…).")
    var standardInput = false

    @Argument(
        parsing: .captureForPassthrough,
        help: ArgumentHelp("With -c: $0 then $1…; otherwise the script to run and its arguments.", valueName: "ARG"))
    var arguments: [String] = []

    func run() throws {
        Signals.unblockAll()
        let environment = ProcessEnvironment.current()
        let status: Int32
        if let commands {
            let shell = Shell(
                arguments: Array(arguments.dropFirst()), scriptName: arguments.first ?? "dosh", environment: environment)
            status = shell.run(commands: commands)
        } else if let script = arguments.first, !standardInput {
            let shell = Shell(arguments: Array(arguments.dropFirst()), scriptName: script, environment: environment)
            status = shell.run(scriptPath: script)
        } else {
            let shell = Shell(arguments: arguments, scriptName: "dosh", environment: environment)
            if interactive || isatty(0) != 0 && isatty(2) != 0 {
                status = shell.runInteractive()
            } else {
                status = shell.run(source: DescriptorLineSource(fd: .standardInput))
            }
        }
        Glibc.exit(status)
    }
}
