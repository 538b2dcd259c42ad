import DoshProtocol
import DoshSystem
import DoshTransport
import DoshTestSupport
import Foundation

/// A pipe; both ends close-on-exec.
func makePipe() throws -> (read: Int32, write: Int32) {
  var fds: [Int32] = [-1, -1]
  guard pipe(&fds) == 0 else { throw TestFailure("pipe failed") }
  for fd in fds { _ = fcntl(fd, F_SETFD, FD_CLOEXEC) }
  return (fds[0], fds[1])
}

/// Reads until EOF and closes.
func readAll(_ fd: Int32) -> String {
  var data: [UInt8] = []
  var buffer = [UInt8](repeating: 0, count: 4096)
  while true {
    let n = read(fd, &buffer, buffer.count)
    if n > 0 { data += buffer[..<n]; continue }
    if n < 0 && errno == EINTR { continue }
    break
  }
  close(fd)
  return String(decoding: data, as: UTF8.self)
}

func isAlive(_ pid: pid_t) -> Bool { kill(pid, 0) == 0 }

/// Waits (polling) for `condition`, up to `seconds`.
func eventually(_ seconds: Double = 5, _ condition: () -> Bool) -> Bool {
  let deadline = Date().addingTimeInterval(seconds)
  while Date() < deadline {
    if condition() { return true }
    usleep(20_000)
  }
  return condition()
}

func arguments(_ words: String...) -> [[UInt8]] { words.map { Array($0.utf8) } }

/// A shell's side of a shadow process started as `doshd --shadow-fd 3` on a socketpair.
final class ShadowClient {
  let connection: Connection
  let shadowPID: pid_t
  var session: SessionInfo
  private var nextID: UInt32 = 1
  private(set) var events: [Message] = []

  init(environment: [String] = ["PATH=/usr/local/bin:/usr/bin:/bin", "HOME=/tmp", "LC_ALL=C"]) throws {
    let (mine, theirs) = try Connection.pair()
    var options = SpawnOptions()
    options.fdActions = [.duplicate(source: theirs.fileDescriptor, target: 3)]
    shadowPID = try Spawn.spawn(
      path: Products.doshd, arguments: ["doshd", "--shadow-fd", "3"], environment: environment, options: options)
    theirs.close()
    connection = mine
    session = try ShellHandshake.perform(on: mine, software: "dosh test", authenticator: nil).session
  }

  deinit {
    connection.close()
    _ = waitForExit()
  }

  /// Waits for the shadow to end (after the connection closed); its raw wait status.
  @discardableResult
  func waitForExit(seconds: Double = 10) -> Int32? {
    var status: Int32 = 0
    let deadline = Date().addingTimeInterval(seconds)
    while Date() < deadline {
      let result = waitpid(shadowPID, &status, WNOHANG)
      if result == shadowPID { return status }
      if result < 0 { return nil }
      usleep(20_000)
    }
    kill(shadowPID, SIGKILL)
    waitpid(shadowPID, &status, 0)
    return nil
  }

  /// Sends a request and returns its response; events that arrive meanwhile are kept.
  func request(_ body: Message.Body, descriptors: [Int32] = []) throws -> ReceivedMessage {
    let id = nextID
    nextID += 1
    try connection.send(Message(requestID: id, body), descriptors: descriptors)
    while true {
      guard let frame = try connection.receiveFrame(timeout: .seconds(10)) else { throw TestFailure("shadow closed") }
      if frame.message.requestID == id { return frame }
      events.append(frame.message)
    }
  }

  func response(_ body: Message.Body, descriptors: [Int32] = []) throws -> Message.Body {
    let frame = try request(body, descriptors: descriptors)
    for fd in frame.descriptors { close(fd) }
    return frame.message.body
  }

  /// The next event (from those kept, else from the wire).
  func nextEvent(seconds: Int = 10) throws -> Message.Body {
    if !events.isEmpty { return events.removeFirst().body }
    guard let message = try connection.receive(timeout: .seconds(seconds)) else { throw TestFailure("shadow closed") }
    return message.body
  }

  /// Runs a job and waits for its `jobFinished`.
  func run(_ spec: JobSpec, passing descriptors: [Int32] = []) throws -> (jobID: UInt32, statuses: [ExitStatus]) {
    guard case .jobStarted(let jobID, _, _) = try response(.runJob(spec), descriptors: descriptors) else {
      throw TestFailure("job did not start")
    }
    return (jobID, try waitFinished(jobID))
  }

  func waitFinished(_ jobID: UInt32) throws -> [ExitStatus] {
    while true {
      if case .jobFinished(let id, let statuses, _) = try nextEvent(), id == jobID { return statuses }
    }
  }

  /// Runs one process with its stdout (and stderr when `captureErrors`) on a pipe; returns the output.
  func output(
    _ words: [[UInt8]], environment: [EnvironmentChange] = [], captureErrors: Bool = false
  ) throws -> (text: String, status: ExitStatus) {
    let pipe = try makePipe()
    var settings = [DescriptorSetting(1, .passed(index: 0))]
    if captureErrors { settings.append(DescriptorSetting(2, .duplicate(1))) }
    let spec = JobSpec(processes: [ProcessSpec(arguments: words, environment: environment, descriptors: settings)])
    guard case .jobStarted(let jobID, _, _) = try response(.runJob(spec), descriptors: [pipe.write]) else {
      close(pipe.write)
      close(pipe.read)
      throw TestFailure("job did not start")
    }
    close(pipe.write)
    let text = readAll(pipe.read)
    let statuses = try waitFinished(jobID)
    return (text, statuses[0])
  }
}
