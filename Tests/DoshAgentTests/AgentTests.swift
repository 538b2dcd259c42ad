import DoshTestSupport
import DoshProtocol
import DoshTransport
import Foundation
import Testing

@Suite(.serialized) struct AgentTests {
  @Test func twoSessionsGetTheirOwnShadows() throws {
    let directory = try makeScratchPath()
    defer { try? FileManager.default.removeItem(atPath: directory) }
    let socket = directory + "/run/doshd.sock"
    let agent = try AgentProcess(["--listen", "unix:" + socket])
    #expect(agent.waitForLine(containing: "listening on") != nil)

    var status = stat()
    #expect(stat(socket, &status) == 0 && status.st_mode & 0o777 == 0o600)
    #expect(stat(directory + "/run", &status) == 0 && status.st_mode & 0o777 == 0o700)

    let (first, firstSession) = try connectShell(.unix(path: socket))
    let (second, secondSession) = try connectShell(.unix(path: socket))
    #expect(firstSession.shadowProcessID != secondSession.shadowProcessID)
    #expect(firstSession.shadowProcessID != agent.process.processIdentifier)
    #expect(firstSession.workingDirectory == Array("/tmp".utf8))

    try first.send(Message(requestID: 1, .changeDirectory(path: Array(directory.utf8))))
    #expect(try first.receiveMessage(timeout: .seconds(5)).body == .workingDirectory(path: Array(directory.utf8)))
    try second.send(Message(requestID: 1, .changeDirectory(path: Array(".".utf8))))
    #expect(try second.receiveMessage(timeout: .seconds(5)).body == .workingDirectory(path: Array("/tmp".utf8)))

    first.close()
    second.close()
    #expect(agent.terminate() == 0)
    #expect(access(socket, F_OK) != 0)
  }

  @Test func staleSocketIsReplacedAndALiveOneRefused() throws {
    let directory = try makeScratchPath()
    defer { try? FileManager.default.removeItem(atPath: directory) }
    let socket = directory + "/doshd.sock"
    // A leftover socket: bound, then its owner went away.
    let stale = Glibc.socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
    var address = sockaddr_un()
    address.sun_family = sa_family_t(AF_UNIX)
    withUnsafeMutableBytes(of: &address.sun_path) { buffer in
      for (i, byte) in socket.utf8.enumerated() { buffer[i] = byte }
    }
    _ = withUnsafePointer(to: &address) {
      $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(stale, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
    }
    close(stale)
    #expect(access(socket, F_OK) == 0)

    let agent = try AgentProcess(["--listen", "unix:" + socket])
    #expect(agent.waitForLine(containing: "listening on") != nil)
    let (connection, _) = try connectShell(.unix(path: socket))
    connection.close()

    let second = try AgentProcess(["--listen", "unix:" + socket])
    #expect(second.waitForExit() == 1)
    #expect(second.stderrText.contains("already listening"))
    #expect(agent.terminate() == 0)
    #expect(access(socket, F_OK) != 0)
  }

  @Test func tcpNeedsATokenFile() throws {
    let agent = try AgentProcess(["--listen", "tcp:127.0.0.1:0"])
    #expect(agent.waitForExit() == 1)
    #expect(agent.stderrText.contains("--token-file"))
  }

  @Test func tcpWithATokenChecksIt() throws {
    let directory = try makeScratchPath()
    defer { try? FileManager.default.removeItem(atPath: directory) }
    let tokenFile = directory + "/token"
    let secret = "a-very-secret-token-of-enough-length"
    #expect(FileManager.default.createFile(atPath: tokenFile, contents: Data(secret.utf8), attributes: [.posixPermissions: 0o600]))
    let agent = try AgentProcess(["--listen", "tcp:127.0.0.1:0", "--token-file", tokenFile])
    guard let line = agent.waitForLine(containing: "listening on tcp:"),
      let port = line.split(separator: ":").last.flatMap({ UInt16($0.trimmingCharacters(in: .whitespaces)) })
    else {
      Issue.record("no listening line: \(agent.stderrText)")
      return
    }
    let address = Address.tcp(host: "127.0.0.1", port: port)
    let (connection, session) = try connectShell(address, token: Authenticator(secret: Array(secret.utf8)))
    #expect(session.agentProof != nil)
    try connection.send(Message(requestID: 1, .ping))
    #expect(try connection.receiveMessage(timeout: .seconds(5)).body == .ok)
    connection.close()

    #expect(throws: TransportError.self) {
      _ = try connectShell(address, token: Authenticator(secret: Array("the-wrong-token-of-enough-length".utf8)))
    }
    #expect(agent.terminate() == 0)
  }

  @Test func looseTokenFileIsRefused() throws {
    let directory = try makeScratchPath()
    defer { try? FileManager.default.removeItem(atPath: directory) }
    let tokenFile = directory + "/token"
    #expect(FileManager.default.createFile(atPath: tokenFile, contents: Data("a-very-secret-token-of-enough-length".utf8), attributes: [.posixPermissions: 0o644]))
    let agent = try AgentProcess(["--listen", "tcp:127.0.0.1:0", "--token-file", tokenFile])
    #expect(agent.waitForExit() == 1)
    #expect(agent.stderrText.contains("chmod 600"))
  }
}
