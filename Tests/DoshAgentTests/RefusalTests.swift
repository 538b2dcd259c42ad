import DoshTestSupport
import DoshProtocol
import DoshTransport
import Foundation
import Testing

/// A shell the agent turns away hears why, and the agent's log says it too.
@Suite struct RefusalTests {
  /// Runs the real `dosh` with `arguments` and `environment`, optionally as another user.
  func runDosh(_ arguments: [String], environment: [String: String], asUser uid: UInt32? = nil) throws -> (stderr: String, status: Int32) {
    let process = Process()
    var command = [Products.directory.appendingPathComponent("dosh").path] + arguments
    if let uid { command = ["/usr/bin/setpriv", "--reuid=\(uid)", "--regid=\(uid)", "--clear-groups"] + command }
    process.executableURL = URL(fileURLWithPath: command[0])
    process.arguments = Array(command.dropFirst())
    process.environment = ["PATH": "/usr/bin:/bin", "HOME": "/tmp", "LC_ALL": "C"].merging(environment) { $1 }
    let errors = Pipe()
    process.standardError = errors
    process.standardOutput = FileHandle.nullDevice
    try process.run()
    let data = errors.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    return (String(decoding: data, as: UTF8.self), process.terminationStatus)
  }

  @Test func aWrongTokenIsRefusedOnBothSides() throws {
    let directory = try makeScratchPath()
    defer { try? FileManager.default.removeItem(atPath: directory) }
    let tokenFile = directory + "/token"
    let wrongFile = directory + "/wrong"
    #expect(FileManager.default.createFile(atPath: tokenFile, contents: Data("the-agent-token-of-enough-length".utf8), attributes: [.posixPermissions: 0o600]))
    #expect(FileManager.default.createFile(atPath: wrongFile, contents: Data("not-the-token-but-long-enough-too".utf8), attributes: [.posixPermissions: 0o600]))
    let agent = try AgentProcess(["--listen", "tcp:127.0.0.1:0", "--token-file", tokenFile])
    guard let line = agent.waitForLine(containing: "listening on tcp:"),
      let range = line.range(of: "tcp:")
    else {
      Issue.record("no listening line: \(agent.stderrText)")
      return
    }
    let address = String(line[range.lowerBound...]).trimmingCharacters(in: .whitespaces)
    let refused = try runDosh(["--host", address, "-c", "!true"], environment: ["DOSH_TOKEN_FILE": wrongFile])
    #expect(refused.status == 255)
    #expect(refused.stderr.contains("host: permission denied (authentication failed)"), "\(refused.stderr)")
    #expect(agent.waitForLine(containing: "session refused: permission denied (wrong token)") != nil, "\(agent.stderrText)")

    // A token file others can read is refused by the shell as well, before it is used.
    chmod(wrongFile, 0o644)
    let loose = try runDosh(["--host", address, "-c", "!true"], environment: ["DOSH_TOKEN_FILE": wrongFile])
    #expect(loose.status == 255)
    #expect(loose.stderr.contains("accessible by group or others (mode 644); run chmod 600"), "\(loose.stderr)")

    let missing = try runDosh(["--host", address, "-c", "!true"], environment: [:])
    #expect(missing.status == 255)
    #expect(missing.stderr.contains("permission denied (the agent asks for a token; none is configured)"), "\(missing.stderr)")
  }

  @Test func anotherUserIsRefusedOnAUnixSocket() throws {
    guard getuid() == 0 else {
      print("skipping: running dosh as another user needs root")
      return
    }
    let directory = try makeScratchPath()
    defer { try? FileManager.default.removeItem(atPath: directory) }
    let socket = directory + "/agent/doshd.sock"
    let agent = try AgentProcess(["--listen", "unix:" + socket])
    #expect(agent.waitForLine(containing: "listening on unix:") != nil)
    // Open the door the directory's mode keeps shut, to reach the agent's own uid check.
    chmod(directory, 0o755)
    chmod(directory + "/agent", 0o755)
    chmod(socket, 0o666)
    let result = try runDosh(["--host", "unix:" + socket, "-c", "!true"], environment: [:], asUser: 65534)
    #expect(result.status == 255)
    #expect(result.stderr.contains("host: permission denied (user 65534 is not allowed on this agent)"), "\(result.stderr)")
    #expect(agent.waitForLine(containing: "refused uid 65534") != nil, "\(agent.stderrText)")
  }
}
