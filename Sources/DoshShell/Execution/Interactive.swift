import DoshSystem
import SystemPackage

#if canImport(Glibc)
    import Glibc
#endif

/// Reads commands from a terminal with PS1 and PS2 prompts (without line editing).
struct PromptingLineSource: LineSource {
    let shell: Shell
    var input: DescriptorLineSource

    mutating func nextLine(continuation: Bool) -> String? {
        let variable = continuation ? "PS2" : "PS1"
        let prompt = (try? shell.expandPromptString(shell.variables.value(variable) ?? "")) ?? ""
        shell.writeError(prompt)
        return input.nextLine(continuation: continuation)
    }
}

extension Shell {
    /// Runs an interactive session on standard input.
    public func runInteractive() -> Int32 {
        options.interactive = true
        // An interactive shell is not killed by SIGINT, SIGQUIT or SIGTERM typed at it.
        for signal in [SIGINT, SIGQUIT, SIGTERM] {
            try? Signals.setDisposition(signal, .ignore)
        }
        signalsResetForChildren = [SIGINT, SIGQUIT, SIGTERM]
        let source = PromptingLineSource(shell: self, input: DescriptorLineSource(fd: .standardInput))
        let status = run(source: source)
        writeError("exit\n")
        return status
    }
}
