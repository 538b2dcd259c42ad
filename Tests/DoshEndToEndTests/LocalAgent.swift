import DoshTestSupport
import Foundation

/// One real `doshd` in a private temporary directory, on a unix socket or on a loopback tcp port
/// with a token, in the test's own world (no second mount namespace: for load and leak checks one
/// world is enough).
final class LocalAgent {
    /// How shells reach the agent: over unix, streams cross as passed descriptors; over tcp, as
    /// data connections of their own.
    enum Transport: String, CaseIterable, Sendable {
        case unix, tcp
    }

    let root: URL
    let socket: String
    /// What dosh is given to reach this agent: `--host ADDRESS` and, for tcp, `--token-file FILE`.
    let hostArguments: [String]
    private let agent: Process

    /// The agent's process id; its children are the shadow processes.
    var pid: pid_t { agent.processIdentifier }

    init(_ transport: Transport = .unix) throws {
        root = try makeScratchDirectory()
        let agentDirectory = root.appendingPathComponent("agent")
        try FileManager.default.createDirectory(at: agentDirectory, withIntermediateDirectories: true)
        socket = agentDirectory.appendingPathComponent("doshd.sock").path
        agent = Process()
        agent.executableURL = DoshBinary.productsDirectory.appendingPathComponent("doshd")
        var port: UInt16 = 0
        switch transport {
        case .unix:
            agent.arguments = ["--listen", "unix:" + socket, "--log-level", "error"]
            hostArguments = ["--host", "unix:" + socket]
        case .tcp:
            let token = agentDirectory.appendingPathComponent("token")
            try "\(UUID().uuidString)\(UUID().uuidString)\n".write(to: token, atomically: true, encoding: .utf8)
            chmod(token.path, 0o600)
            port = try freeLoopbackPort()
            agent.arguments = ["--listen", "tcp:127.0.0.1:\(port)", "--token-file", token.path, "--log-level", "error"]
            hostArguments = ["--host", "tcp:127.0.0.1:\(port)", "--token-file", token.path]
        }
        agent.environment = ["HOME": root.path, "PATH": "/usr/local/bin:/usr/bin:/bin", "LC_ALL": "C"]
        agent.currentDirectoryURL = root
        agent.standardInput = FileHandle.nullDevice
        try agent.run()
        for _ in 0..<250 {
            if transport == .unix ? FileManager.default.fileExists(atPath: socket) : isListening(port: port) { break }
            usleep(20_000)
        }
    }

    deinit {
        agent.terminate()
        agent.waitUntilExit()
        try? FileManager.default.removeItem(at: root)
    }

    /// The agent's shadow processes (its children), waiting up to `timeout` seconds for their
    /// number to become `expected` (shadows end asynchronously after their shell).
    func shadows(settlingAt expected: Int, timeout: TimeInterval = 5) -> [ProcessEntry] {
        let deadline = Date().addingTimeInterval(timeout)
        var children = ProcessTable.children(of: pid)
        while children.count != expected && Date() < deadline {
            usleep(20_000)
            children = ProcessTable.children(of: pid)
        }
        return children
    }

    /// Starts `dosh --host ADDRESS SCRIPT` with its output in files, without waiting.
    func startShell(script: String, name: String) throws -> ShellRun {
        let scriptFile = root.appendingPathComponent("\(name).sh")
        try script.write(to: scriptFile, atomically: true, encoding: .utf8)
        return try ShellRun(
            arguments: hostArguments + [scriptFile.path],
            output: root.appendingPathComponent("\(name).out"), errors: root.appendingPathComponent("\(name).err"))
    }
}

/// A `dosh` started in the background whose standard output and error go to files, so that many
/// can run at once without a reader thread each.
final class ShellRun {
    let process = Process()
    private let output: URL
    private let errors: URL

    init(arguments: [String], output: URL, errors: URL) throws {
        self.output = output
        self.errors = errors
        _ = FileManager.default.createFile(atPath: output.path, contents: nil)
        _ = FileManager.default.createFile(atPath: errors.path, contents: nil)
        process.executableURL = URL(fileURLWithPath: DoshBinary.path)
        process.arguments = arguments
        process.environment = ["PATH": "/usr/local/bin:/usr/bin:/bin", "HOME": NSTemporaryDirectory(), "LC_ALL": "C"]
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = try FileHandle(forWritingTo: output)
        process.standardError = try FileHandle(forWritingTo: errors)
        try process.run()
    }

    var pid: pid_t { process.processIdentifier }

    /// Waits for the shell to end, killing it after `timeout` seconds; false when it had to be killed.
    func finish(timeout: TimeInterval) -> Bool {
        let deadline = Date().addingTimeInterval(timeout)
        while process.isRunning && Date() < deadline { usleep(10_000) }
        if process.isRunning {
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
            return false
        }
        process.waitUntilExit()
        return true
    }

    var status: Int32 { process.terminationStatus }
    var stdout: String { (try? String(contentsOf: output, encoding: .utf8)) ?? "" }
    var stderr: String { (try? String(contentsOf: errors, encoding: .utf8)) ?? "" }
}

/// One line of the process table, from `/proc/PID/stat`.
struct ProcessEntry: CustomStringConvertible {
    var pid: pid_t
    var parent: pid_t
    /// R, S, D, Z, T…
    var state: Character
    var command: String

    var isZombie: Bool { state == "Z" }
    var description: String { "\(pid) \(state) \(command)" }
}

/// What `/proc` says about processes and their descriptors.
enum ProcessTable {
    static func entry(_ pid: pid_t) -> ProcessEntry? {
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
            let open = stat.firstIndex(of: "("), let close = stat.lastIndex(of: ")")
        else { return nil }
        // The command name may hold spaces and parentheses: the fields after the last `)` are fixed.
        let fields = stat[stat.index(after: close)...].split(separator: " ")
        guard fields.count >= 2, let state = fields[0].first, let parent = pid_t(fields[1]) else { return nil }
        return ProcessEntry(
            pid: pid, parent: parent, state: state, command: String(stat[stat.index(after: open)..<close]))
    }

    static func all() -> [ProcessEntry] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []
        return names.compactMap { pid_t($0) }.compactMap(entry)
    }

    /// The arguments `pid` was started with, joined by spaces.
    static func commandLine(of pid: pid_t) -> String {
        guard let bytes = try? Data(contentsOf: URL(fileURLWithPath: "/proc/\(pid)/cmdline")) else { return "" }
        return String(decoding: bytes.map { $0 == 0 ? UInt8(ascii: " ") : $0 }, as: UTF8.self)
    }

    static func children(of parent: pid_t) -> [ProcessEntry] {
        all().filter { $0.parent == parent }
    }

    /// The open descriptors of `pid`, as `fd -> target` lines (sorted by fd), for before/after diffs.
    static func descriptors(of pid: pid_t) -> [String] {
        let directory = "/proc/\(pid)/fd"
        let names = (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []
        return names.compactMap(Int.init).sorted().map { fd in
            let target = (try? FileManager.default.destinationOfSymbolicLink(atPath: "\(directory)/\(fd)")) ?? "?"
            // Pipe and socket inode numbers change from one command to the next; their kind does not.
            let kind = target.hasPrefix("pipe:") ? "pipe" : target.hasPrefix("socket:") ? "socket" : target
            return "\(fd) -> \(kind)"
        }
    }
}

/// A tcp port on 127.0.0.1 that nothing listens on just now.
private func freeLoopbackPort() throws -> UInt16 {
    let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    defer { close(fd) }
    var address = loopback(port: 0)
    var length = socklen_t(MemoryLayout<sockaddr_in>.size)
    let bound = withUnsafeMutablePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) == 0 && getsockname(fd, $0, &length) == 0 }
    }
    guard fd >= 0, bound else { throw CocoaError(.fileWriteUnknown) }
    return UInt16(bigEndian: address.sin_port)
}

/// Whether something accepts connections on 127.0.0.1:`port`.
private func isListening(port: UInt16) -> Bool {
    let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    defer { close(fd) }
    var address = loopback(port: port)
    return withUnsafePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0 }
    }
}

private func loopback(port: UInt16) -> sockaddr_in {
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_addr.s_addr = UInt32(0x7F00_0001).bigEndian
    address.sin_port = port.bigEndian
    return address
}
