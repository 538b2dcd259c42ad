import DoshProtocol
import DoshTransport
import DoshTestSupport
import Foundation

/// A running `doshd`; stderr is collected line by line.
final class AgentProcess {
  let process = Process()
  private let errors = Pipe()
  private var buffered = Data()

  init(_ arguments: [String]) throws {
    process.executableURL = URL(fileURLWithPath: Products.doshd)
    process.arguments = arguments
    process.environment = ["PATH": "/usr/bin:/bin", "HOME": "/tmp", "LC_ALL": "C"]
    process.standardError = errors
    process.standardOutput = FileHandle.nullDevice
    try process.run()
  }

  deinit {
    if process.isRunning {
      kill(process.processIdentifier, SIGKILL)
      process.waitUntilExit()
    }
  }

  /// Reads stderr until a line containing `text` (or EOF / timeout); returns that line.
  func waitForLine(containing text: String, seconds: Double = 10) -> String? {
    let fd = errors.fileHandleForReading.fileDescriptor
    let deadline = Date().addingTimeInterval(seconds)
    while Date() < deadline {
      if let range = buffered.range(of: Data(text.utf8)) {
        let start = buffered[..<range.lowerBound].lastIndex(of: 10).map { $0 + 1 } ?? buffered.startIndex
        let end = buffered[range.upperBound...].firstIndex(of: 10) ?? buffered.endIndex
        return String(decoding: buffered[start..<end], as: UTF8.self)
      }
      var descriptor = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
      guard poll(&descriptor, 1, 100) >= 0 else { return nil }
      if descriptor.revents != 0 {
        var chunk = [UInt8](repeating: 0, count: 4096)
        let n = read(fd, &chunk, chunk.count)
        if n <= 0 { return nil }
        buffered.append(contentsOf: chunk[..<n])
      }
    }
    return nil
  }

  /// Everything printed on stderr so far (after exit: all of it).
  var stderrText: String {
    _ = waitForLine(containing: "\u{0}", seconds: 0.2)
    return String(decoding: buffered, as: UTF8.self)
  }

  func terminate() -> Int32 {
    kill(process.processIdentifier, SIGTERM)
    process.waitUntilExit()
    return process.terminationStatus
  }

  func waitForExit(seconds: Double = 10) -> Int32? {
    let deadline = Date().addingTimeInterval(seconds)
    while process.isRunning && Date() < deadline { usleep(20_000) }
    return process.isRunning ? nil : process.terminationStatus
  }
}

/// Connects as a shell would.
func connectShell(_ address: Address, token: Authenticator? = nil) throws -> (Connection, SessionInfo) {
  let connection = try Connection.connect(to: address)
  let session = try ShellHandshake.perform(on: connection, software: "dosh test", authenticator: token).session
  return (connection, session)
}
