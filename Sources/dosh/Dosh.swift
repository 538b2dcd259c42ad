import ArgumentParser
import DoshShell

@main
struct Dosh: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "dosh",
        abstract: "A shell for a guest that uses its host as if it were local.",
        version: "0.1.0")

    func run() throws {
        _ = Shell()
    }
}
