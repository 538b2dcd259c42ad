import Foundation
import Testing

/// Two worlds on one machine: `doshd` runs in the test's mount namespace (the host), `dosh` in a
/// private one (`unshare --mount`) where a tmpfs covers the same directory, so every path under
/// `world` names different files on each side. A host file read on the guest side, or the
/// reverse, gives the wrong answer.
final class TwoWorlds {
    /// How dosh reaches the agent: a unix socket (streams are passed descriptors), tcp with a
    /// token (streams are data connections with relays), or a unix socket forwarded the way
    /// `ssh -L` does, bytes only (data connections too), or one byte channel to a
    /// `doshd --stdio` (`--host exec:`, every connection a stream inside it).
    enum Transport: String, CaseIterable, CustomTestStringConvertible, Sendable {
        case unix, tcp, forwarded, channel
        var testDescription: String { rawValue }
    }

    let root: URL
    /// The directory whose contents differ between the two sides.
    let world: URL
    let socket: String
    /// What dosh is given: `--host ADDRESS` and, for tcp, `--token-file FILE`.
    private(set) var hostArguments: [String]
    private let agent: Process
    /// The agent's pid (its children are the shadows).
    var agentPID: Int32 { agent.processIdentifier }
    private var forwarder: Process?

    /// Starts an agent listening on `transport`.
    init(transport: Transport = .unix) throws {
        root = URL(fileURLWithPath: "/tmp").appendingPathComponent("dosh-worlds-\(UUID().uuidString.prefix(8))")
        world = root.appendingPathComponent("world")
        let agentDirectory = root.appendingPathComponent("agent")
        try FileManager.default.createDirectory(at: world, withIntermediateDirectories: true)
        try FileManager.default.createDirectory(at: agentDirectory, withIntermediateDirectories: true)
        try "host\n".write(to: world.appendingPathComponent("which.txt"), atomically: true, encoding: .utf8)
        socket = agentDirectory.appendingPathComponent("doshd.sock").path
        agent = Process()
        agent.executableURL = DoshBinary.productsDirectory.appendingPathComponent("doshd")
        agent.arguments = ["--listen", "unix:" + socket, "--log-level", "error"]
        hostArguments = ["--host", "unix:" + socket]
        let log = Pipe()
        if transport == .tcp {
            let token = agentDirectory.appendingPathComponent("token")
            try "\(UUID().uuidString)\(UUID().uuidString)\n".write(to: token, atomically: true, encoding: .utf8)
            chmod(token.path, 0o600)
            // Port 0: the agent logs the port it got.
            agent.arguments = ["--listen", "tcp:127.0.0.1:0", "--token-file", token.path, "--log-level", "info"]
            agent.standardError = log
            hostArguments = ["--host", "", "--token-file", token.path]
        }
        // Sessions start in the agent user's home, like ssh: make that the host world.
        agent.environment = ["HOME": world.path, "PATH": "/usr/local/bin:/usr/bin:/bin", "LC_ALL": "C"]
        agent.currentDirectoryURL = world
        agent.standardInput = FileHandle.nullDevice
        try agent.run()
        if transport == .tcp {
            hostArguments[1] = try Self.readListeningAddress(from: log.fileHandleForReading)
            return
        }
        // Wait for the socket to appear.
        for _ in 0..<200 where !FileManager.default.fileExists(atPath: socket) {
            usleep(20_000)
        }
        if transport == .forwarded {
            let forwarded = agentDirectory.appendingPathComponent("forwarded.sock").path
            forwarder = try Self.startForwardingScript("forward_unix.py", [forwarded, socket])
            hostArguments = ["--host", "unix:" + forwarded]
        }
        if transport == .channel {
            // The channel's far end runs in the host world, as ssh's would on the host: a
            // `doshd --stdio` for each connection to `listen`.
            let listen = agentDirectory.appendingPathComponent("stdio.sock").path
            let channels = Process()
            channels.executableURL = DoshBinary.productsDirectory.appendingPathComponent("doshd")
            channels.arguments = ["--stdio", "--listen", "unix:" + listen, "--log-level", "warning"]
            channels.environment = agent.environment
            channels.currentDirectoryURL = world
            channels.standardInput = FileHandle.nullDevice
            try channels.run()
            forwarder = channels
            for _ in 0..<200 where !FileManager.default.fileExists(atPath: listen) {
                usleep(20_000)
            }
            hostArguments = ["--host", "exec:python3 '\(Self.forwardingScript("stdio_unix.py"))' '\(listen)'"]
        }
    }

    static func forwardingScript(_ name: String) -> String {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Forwarding/" + name).path
    }

    /// Starts a helper of `Forwarding/` and waits for its first line ("ready").
    private static func startForwardingScript(
        _ name: String, _ arguments: [String], environment: [String: String]? = nil, in directory: URL? = nil
    ) throws -> Process {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", forwardingScript(name)] + arguments
        if let environment { process.environment = environment }
        if let directory { process.currentDirectoryURL = directory }
        let ready = Pipe()
        process.standardOutput = ready
        try process.run()
        _ = ready.fileHandleForReading.availableData
        return process
    }

    /// The `tcp:HOST:PORT` of the agent's "listening on …" log line.
    private static func readListeningAddress(from log: FileHandle) throws -> String {
        var text = ""
        let deadline = Date().addingTimeInterval(10)
        while Date() < deadline {
            let chunk = log.availableData
            if chunk.isEmpty { break }
            text += String(decoding: chunk, as: UTF8.self)
            if let range = text.range(of: "listening on tcp:") {
                let rest = text[range.upperBound...]
                if let end = rest.firstIndex(where: { $0 == "\n" || $0 == " " }) {
                    return "tcp:" + rest[..<end]
                }
            }
        }
        struct NoAddress: Error, CustomStringConvertible { var description: String }
        throw NoAddress(description: "the agent did not say where it listens: \(text)")
    }

    deinit {
        if let forwarder {
            kill(forwarder.processIdentifier, SIGKILL)
            forwarder.waitUntilExit()
        }
        agent.terminate()
        agent.waitUntilExit()
        try? FileManager.default.removeItem(at: root)
    }

    /// Why two worlds cannot be made here, or nil.
    static func missingPrerequisite() -> String? {
        if getuid() != 0 { return "unshare --mount needs root" }
        if !FileManager.default.isExecutableFile(atPath: "/usr/bin/unshare") { return "no unshare" }
        return nil
    }

    /// Runs `script` with dosh in the guest world: `world` is a fresh tmpfs there, seeded by
    /// `guestSetup` (shell commands run before dosh starts, in the guest namespace).
    func guest(_ script: String, guestSetup: String = "", input: String? = nil, timeout: TimeInterval = 60) throws -> DoshRun {
        try guest(arguments: ["-c", script], guestSetup: guestSetup, input: input, timeout: timeout)
    }

    /// Runs dosh with `arguments` (after `--host`) in the guest world.
    func guest(arguments: [String], guestSetup: String = "", input: String? = nil, timeout: TimeInterval = 60) throws -> DoshRun {
        let command = guestCommand(arguments: arguments, guestSetup: guestSetup)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: command[0])
        process.arguments = Array(command.dropFirst())
        return try DoshBinary.run(process: process, input: input, timeout: timeout)
    }

    /// The command line that starts dosh with `arguments` in the guest world (for a pty driver).
    func guestCommand(arguments: [String], guestSetup: String = "") -> [String] {
        let wrapper = """
            mount -t tmpfs guestworld '\(world.path)' || exit 90
            cd '\(world.path)' || exit 91
            echo guest > which.txt
            \(guestSetup)
            exec '\(DoshBinary.path)' \(hostArguments.map { "'\($0)'" }.joined(separator: " ")) "$@"
            """
        return ["/usr/bin/unshare", "--mount", "--propagation", "private", "/bin/sh", "-c", wrapper, "sh"] + arguments
    }
}

/// The directory of the host world, as seen by the host (for checks from the test itself).
extension TwoWorlds {
    func hostFile(_ name: String) -> String? {
        try? String(contentsOf: world.appendingPathComponent(name), encoding: .utf8)
    }
}
