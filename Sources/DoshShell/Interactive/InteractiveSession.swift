import DoshSystem
import SystemPackage

#if canImport(Glibc)
    import Glibc
#endif

/// What reading one line at the prompt gave.
public enum PromptInput: Equatable, Sendable {
    case line(String)
    case endOfFile
    /// Ctrl-C: the partial command is dropped and a fresh prompt shown.
    case interrupted
}

/// Reads lines from the user; the shell supplies the prompt text through `Shell.prompt(continuation:)`.
public protocol PromptReader: AnyObject {
    func readLine(continuation: Bool) -> PromptInput
}

/// Where entered commands are remembered (the line editor's history).
public protocol CommandHistoryStore: AnyObject {
    /// Records an entry; false when it is not kept (empty, starting with a space, a repeat).
    @discardableResult func add(_ entry: String) -> Bool
    /// The entries, oldest first.
    var entries: [String] { get }
    func setMaximumSize(_ size: Int)
    /// Puts `entry` in place of the newest entry (`fc` replaces itself with what it runs).
    func replaceNewest(with entry: String)
    /// Forgets every entry (`history -c`).
    func clear()
    /// Forgets the entries at `positions`, 0 for the oldest (`history -d`).
    func remove(_ positions: ClosedRange<Int>)
}

/// Reads a terminal without line editing: the fallback when the line editor cannot start.
public final class PlainPromptReader: PromptReader {
    let shell: Shell
    var input = DescriptorLineSource(fd: .standardInput)

    public init(shell: Shell) { self.shell = shell }

    public func readLine(continuation: Bool) -> PromptInput {
        shell.writeError(shell.prompt(continuation: continuation))
        guard var line = input.nextLine(continuation: continuation) else { return .endOfFile }
        if line.hasSuffix("\n") { line.removeLast() }
        return .line(line)
    }
}

/// What reading one command at the prompt gave besides the text: its lines, for history, and
/// whether Ctrl-C cut it short.
final class PromptReadState {
    var lines: [String] = []
    var interrupted = false
}

/// Feeds the parser from a prompt reader.
struct PromptLineSource: LineSource {
    let shell: Shell
    let reader: any PromptReader
    let state: PromptReadState

    mutating func nextLine(continuation: Bool) -> String? {
        let continuing = continuation && !state.lines.isEmpty
        // Before each new prompt: what happened to background jobs meanwhile.
        if !continuing { shell.notifyJobChanges() }
        let input = reader.readLine(continuation: continuing)
        shell.exitIfHungUp()
        switch input {
        case .line(let line):
            state.lines.append(line)
            return line + "\n"
        case .endOfFile:
            return nil
        case .interrupted:
            state.interrupted = true
            return nil
        }
    }
}

extension Shell {
    /// Runs an interactive session: prompts, reads complete commands, remembers them in history
    /// and runs them, until end of input or `exit`.
    public func runInteractive(reader: any PromptReader, history: (any CommandHistoryStore)? = nil) -> Int32 {
        options.interactive = true
        self.history = history
        // An interactive shell is not killed by SIGINT, SIGQUIT or SIGTERM typed at it; Ctrl-C
        // it catches, to abandon the command line it runs.
        for signal in [SIGINT, SIGQUIT, SIGTERM, SIGHUP] { restoreShellDisposition(signal) }
        signalsResetForChildren = [SIGINT, SIGQUIT, SIGTERM]
        startJobControl()
        // Like bash, an interactive shell has PS1 as a variable: `PS1="$PS1(x) "` builds on it.
        if variables.value("PS1") == nil { try? variables.set("PS1", defaultPS1) }
        // Open the host session now, so the first prompt can show the host's directory.
        if hostLink?.isConfigured == true {
            _ = try? hostSession()
            // A Ctrl-C that gave up opening it (at ssh's passphrase prompt) is spent.
            _ = Signals.takePending(SIGINT)
        }
        sourceStartupFile()
        while true {
            // A fresh parser per command: nothing is left over from a command cut short.
            let state = PromptReadState()
            let source = EchoingLineSource(shell: self, source: PromptLineSource(shell: self, reader: reader, state: state))
            var parser = Parser(source: source, aliases: { [unowned self] name in self.aliases[name] })
            let list: CommandList?
            do {
                list = try parser.parseNextCommand()
            } catch {
                if state.interrupted { continue }
                report(error.message)
                lastStatus = 2
                addToHistory(state.lines)
                continue
            }
            guard let list else {
                if state.interrupted { continue }
                // Ctrl-D with stopped jobs warns once, like `exit` (bash).
                updateJobStates()
                if jobs.hasStoppedJobs && !warnedAboutStoppedJobs {
                    warnedAboutStoppedJobs = true
                    writeError("exit\nThere are stopped jobs.\n")
                    continue
                }
                break
            }
            addToHistory(state.lines)
            if let status = runInteractiveCommand(list) { return status }
        }
        writeError("exit\n")
        return finish(lastStatus)
    }

    /// Runs one command at the prompt; returns a status when the shell should exit.
    private func runInteractiveCommand(_ list: CommandList) -> Int32? {
        // The stopped-jobs warning of `exit` holds for the very next command only.
        let warned = warnedAboutStoppedJobs
        defer { if warned { warnedAboutStoppedJobs = false } }
        do {
            try execute(list)
        } catch {
            switch error {
            case .exit(let status): return finish(status)
            case .fatal(let status), .failure(let status), .returnFromFunction(let status): lastStatus = status
            case .breakLoop, .continueLoop: break
            case .interrupted:
                // The Ctrl-C has been acted on, whichever way it was seen first (a job killed by
                // it, or the signal itself): it must not cut short the next command too.
                _ = Signals.takePending(SIGINT)
                // Like bash: the cursor goes to a fresh line after the echoed ^C.
                writeError("\n")
                lastStatus = 128 + SIGINT
            }
        }
        jobs.reapFinished()
        return nil
    }

    private func addToHistory(_ lines: [String]) {
        commandIsInHistory = false
        // Blank lines read before the command (Enter at an empty prompt) are not part of it.
        let lines = lines.drop { line in line.allSatisfy { $0 == " " || $0 == "\t" } }
        guard let history, !lines.isEmpty else { return }
        if let size = variables.value("HISTSIZE").flatMap({ Int($0) }) { history.setMaximumSize(size) }
        commandIsInHistory = history.add(lines.joined(separator: "\n"))
    }

    /// Interactive shells read `$XDG_CONFIG_HOME/dosh/doshrc`, or `~/.doshrc`.
    private func sourceStartupFile() {
        let candidates = [
            variables.value("XDG_CONFIG_HOME").map { "\($0)/dosh/doshrc" },
            homeDirectory(nil).map { "\($0)/.config/dosh/doshrc" },
            homeDirectory(nil).map { "\($0)/.doshrc" },
        ].compactMap { $0 }
        guard let path = candidates.first(where: { access($0, R_OK) == 0 }) else { return }
        do {
            _ = try runFile(path: path, reportMissing: true)
        } catch .exit(let status) {
            _exit(status)
        } catch {}
    }

    /// The text of the prompt to show: PS1, or PS2 while a command continues.
    public func prompt(continuation: Bool) -> String {
        let text = variables.value(continuation ? "PS2" : "PS1") ?? (continuation ? "> " : defaultPS1)
        return renderPrompt(text)
    }
}
