import DoshSystem
import SystemPackage

#if canImport(Glibc)
    import Glibc
#endif

extension Shell {
    /// Reads, parses and runs commands from `source` one complete command at a time, so that
    /// aliases defined by one command apply to the next and a command that reads the shell's
    /// own input gets what follows it. Returns the status to exit with.
    public func run(source: some LineSource) -> Int32 {
        var parser = Parser(source: EchoingLineSource(shell: self, source: source), aliases: { [unowned self] name in self.aliases[name] })
        while true {
            let list: CommandList
            do {
                guard let next = try parser.parseNextCommand() else { break }
                list = next
            } catch {
                currentLine = error.line
                report(error.message)
                lastStatus = 2
                if !options.interactive { return finish(2) }
                continue
            }
            if options.noExec { continue }
            do {
                try execute(list)
                jobs.reapFinished()
            } catch {
                switch error {
                case .exit(let status):
                    return finish(status)
                case .fatal(let status):
                    lastStatus = status
                    if !options.interactive { return finish(status) }
                case .failure(let status):
                    lastStatus = status
                case .returnFromFunction(let status):
                    // `return` outside a function or sourced file: like bash, an error.
                    lastStatus = status
                case .breakLoop, .continueLoop:
                    break
                case .interrupted:
                    lastStatus = 128 + SIGINT
                }
            }
        }
        return finish(lastStatus)
    }

    /// Runs the EXIT trap and returns the final status.
    func finish(_ status: Int32) -> Int32 {
        lastStatus = status
        return runExitTrap() ?? status
    }

    /// Runs a command string (`-c`).
    public func run(commands: String) -> Int32 {
        run(source: StringLineSource(commands))
    }

    /// Parses and runs `text` in the current shell (`eval`, traps). A syntax error is reported and
    /// gives status 2; in a non-interactive shell it is fatal, as POSIX says for `eval`.
    func evaluate(_ text: String, name: String) throws(Unwind) -> Int32 {
        guard !stackGuard.isNearlyExhausted else {
            report("\(name): maximum nesting level exceeded")
            throw .fatal(status: 2)
        }
        var parser = Parser(source: StringLineSource(text), aliases: { [unowned self] name in self.aliases[name] })
        let savedLine = currentLine
        defer { currentLine = savedLine }
        return try runAll(&parser, errorPrefix: name + ": ", lineOfError: false)
    }

    /// Runs the commands of a file in the current shell (`.`, scripts).
    func runFile(path: String, reportMissing: Bool) throws(Unwind) -> Int32 {
        let file: FileDescriptor
        do {
            file = try FileDescriptor.open(path: path, flags: O_RDONLY | O_CLOEXEC)
        } catch {
            if reportMissing { report("\(path): \(error.message)") }
            throw .failure(status: error == .noSuchFileOrDirectory ? 127 : 126)
        }
        let bytes: [UInt8]
        do {
            bytes = try file.readToEnd()
        } catch {
            file.closeQuietly()
            report("\(path): \(error.message)")
            throw .failure(status: 126)
        }
        file.closeQuietly()
        var parser = Parser(source: StringLineSource(String(decoding: bytes, as: UTF8.self)), aliases: { [unowned self] name in self.aliases[name] })
        let savedLine = currentLine
        defer { currentLine = savedLine }
        return try runAll(&parser, errorPrefix: "", lineOfError: true)
    }

    /// Parses and runs every command `parser` gives; returns the last status. A syntax error is
    /// reported and, as POSIX says for `eval` and `.`, ends a non-interactive shell.
    private func runAll(_ parser: inout Parser, errorPrefix: String, lineOfError: Bool) throws(Unwind) -> Int32 {
        var status: Int32 = 0
        while true {
            let list: CommandList
            do {
                guard let next = try parser.parseNextCommand() else { break }
                list = next
            } catch {
                if lineOfError { currentLine = error.line }
                report(errorPrefix + error.message)
                throw options.interactive ? .failure(status: 2) : .fatal(status: 2)
            }
            status = try execute(list)
        }
        return status
    }
}

/// Reads a script from an fd line by line without reading past the end of the current line
/// when the fd cannot seek back (a pipe), so that commands reading the same input get the rest.
public struct DescriptorLineSource: LineSource {
    let fd: FileDescriptor
    private var buffer: [UInt8] = []
    private var start = 0
    private var reachedEnd = false
    private let seekable: Bool

    public init(fd: FileDescriptor) {
        self.fd = fd
        self.seekable = lseek(fd.rawValue, 0, SEEK_CUR) >= 0
    }

    public mutating func nextLine(continuation: Bool) -> String? {
        while true {
            if let newline = buffer[start...].firstIndex(of: UInt8(ascii: "\n")) {
                let line = String(decoding: buffer[start...newline], as: UTF8.self)
                start = newline + 1
                if seekable {
                    // Give back what was read past this line, so a child reading the same fd
                    // starts right after it.
                    let unread = buffer.count - start
                    if unread > 0 { _ = lseek(fd.rawValue, off_t(-unread), SEEK_CUR) }
                    buffer.removeAll(keepingCapacity: true)
                    start = 0
                }
                return line
            }
            if reachedEnd {
                guard start < buffer.count else { return nil }
                let line = String(decoding: buffer[start...], as: UTF8.self)
                start = buffer.count
                return line
            }
            // A pipe is read one byte at a time: anything read ahead would be lost to the
            // commands that share it.
            let chunk: [UInt8]
            do {
                chunk = try fd.readSome(upTo: seekable ? 8192 : 1)
            } catch {
                if error == .interrupted { continue }
                reachedEnd = true
                continue
            }
            if chunk.isEmpty {
                reachedEnd = true
            } else {
                if start > 0 && start == buffer.count {
                    buffer.removeAll(keepingCapacity: true)
                    start = 0
                }
                buffer.append(contentsOf: chunk)
            }
        }
    }
}

extension Shell {
    /// Runs a script file given on the command line; a missing file gives 127, like bash.
    public func run(scriptPath: String) -> Int32 {
        let file: FileDescriptor
        do {
            file = try FileDescriptor.open(path: scriptPath, flags: O_RDONLY | O_CLOEXEC)
        } catch {
            report("\(scriptPath): \(error.message)")
            return error == .noSuchFileOrDirectory ? 127 : 126
        }
        // Keep the script's fd out of the way of the fds scripts use (3–9).
        let script = (try? file.duplicate(atLeast: 10)) ?? file
        if script != file { file.closeQuietly() }
        defer { script.closeQuietly() }
        return run(source: DescriptorLineSource(fd: script))
    }
}

/// Passes lines through, writing each to standard error first under `set -v`.
struct EchoingLineSource<Source: LineSource>: LineSource {
    let shell: Shell
    var source: Source

    mutating func nextLine(continuation: Bool) -> String? {
        let line = source.nextLine(continuation: continuation)
        if let line, shell.options.verbose { shell.writeError(line.hasSuffix("\n") ? line : line + "\n") }
        return line
    }
}
