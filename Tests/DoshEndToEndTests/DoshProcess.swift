import DoshTestSupport
import Foundation

/// Runs the built `dosh` as a user would, and collects what it printed.
struct DoshRun {
    var stdout: String
    var stderr: String
    var status: Int32
    var timedOut: Bool
}

enum DoshBinary {
    /// The directory of the built products.
    static var productsDirectory: URL { Products.directory }

    static var path: String { Products.dosh }

    /// The repository's root, for fixtures.
    static var packageRoot: URL { Products.packageRoot }

    /// Runs dosh with `arguments`, feeding `input` on standard input, in `directory`, with a small
    /// environment (like a conformance run). Kills it after `timeout` seconds.
    static func run(
        _ arguments: [String], input: String? = nil, directory: URL? = nil,
        environment: [String: String]? = nil, timeout: TimeInterval = 20
    ) throws -> DoshRun {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: path)
        process.arguments = arguments
        if let directory { process.currentDirectoryURL = directory }
        process.environment = environment
        return try run(process: process, input: input, timeout: timeout)
    }

    /// Runs a prepared process (dosh, or a wrapper that starts it) and collects its output.
    static func run(process: Process, input: String? = nil, timeout: TimeInterval = 20) throws -> DoshRun {
        if process.environment == nil {
            process.environment = [
                "PATH": "/usr/local/bin:/usr/bin:/bin", "HOME": NSTemporaryDirectory(), "LC_ALL": "C",
            ]
        }
        let stdout = Pipe()
        let stderr = Pipe()
        let stdin = Pipe()
        process.standardOutput = stdout
        process.standardError = stderr
        process.standardInput = stdin
        try process.run()
        if let input { stdin.fileHandleForWriting.write(Data(input.utf8)) }
        try stdin.fileHandleForWriting.close()

        // Read both streams concurrently so neither pipe fills up.
        nonisolated(unsafe) var outData = Data()
        nonisolated(unsafe) var errData = Data()
        let group = DispatchGroup()
        group.enter()
        DispatchQueue.global().async {
            outData = stdout.fileHandleForReading.readDataToEndOfFile()
            group.leave()
        }
        group.enter()
        DispatchQueue.global().async {
            errData = stderr.fileHandleForReading.readDataToEndOfFile()
            group.leave()
        }
        var timedOut = false
        if group.wait(timeout: .now() + timeout) == .timedOut {
            timedOut = true
            kill(-process.processIdentifier, SIGKILL)
            process.terminate()
            kill(process.processIdentifier, SIGKILL)
            _ = group.wait(timeout: .now() + 5)
        }
        process.waitUntilExit()
        return DoshRun(
            stdout: String(decoding: outData, as: UTF8.self), stderr: String(decoding: errData, as: UTF8.self),
            status: process.terminationStatus, timedOut: timedOut)
    }
}

