import DoshTestSupport
import DoshProtocol
import DoshSystem
import DoshTransport
import Foundation
import SystemPackage
import Testing

/// The session pty: a shell's side speaks the protocol and plays the guest terminal by reading
/// and writing the master it receives.
@Suite(.serialized) struct HostTerminalTests {
  /// `openTerminal`; returns the master passed back (the caller closes it).
  func openTerminal(_ client: ShadowClient, termios: [UInt8] = [], rows: UInt16 = 24, columns: UInt16 = 80) throws -> Int32 {
    let answer = try client.request(.openTerminal(termios: termios, rows: rows, columns: columns))
    guard answer.message.body == .terminalOpened, let master = answer.descriptors.first else {
      for fd in answer.descriptors { close(fd) }
      throw TestFailure("no terminal: \(answer.message.body)")
    }
    return master
  }

  /// A job of one process whose fds 0, 1 and 2 are the session pty.
  func terminalJob(_ words: [[UInt8]], foreground: Bool = true) -> JobSpec {
    JobSpec(
      processes: [ProcessSpec(arguments: words, descriptors: [
        DescriptorSetting(0, .terminal), DescriptorSetting(1, .terminal), DescriptorSetting(2, .terminal),
      ])],
      terminal: TerminalSpec(foreground: foreground))
  }

  func start(_ client: ShadowClient, _ spec: JobSpec) throws -> (jobID: UInt32, group: pid_t) {
    let answer = try client.response(.runJob(spec))
    guard case .jobStarted(let jobID, let group, _) = answer else { throw TestFailure("job did not start: \(answer)") }
    return (jobID, group)
  }

  @Test func openTerminalPassesTheMasterAndReusesIt() throws {
    let client = try ShadowClient()
    let master = try openTerminal(client, rows: 33, columns: 77)
    defer { close(master) }
    #expect(Terminal.isTerminal(FileDescriptor(rawValue: master)))
    #expect(try Terminal.windowSize(FileDescriptor(rawValue: master)) == Terminal.WindowSize(rows: 33, columns: 77))
    // The pty is the shadow's controlling terminal, with the shadow's group in the foreground.
    #expect(try Terminal.foregroundProcessGroup(FileDescriptor(rawValue: master)) == client.shadowPID)

    let again = try openTerminal(client, rows: 40, columns: 100)
    defer { close(again) }
    #expect(try Terminal.slavePath(ofMaster: FileDescriptor(rawValue: again))
      == Terminal.slavePath(ofMaster: FileDescriptor(rawValue: master)))
    #expect(try Terminal.windowSize(FileDescriptor(rawValue: master)) == Terminal.WindowSize(rows: 40, columns: 100))
  }

  @Test func terminalJobsNeedAnOpenTerminal() throws {
    let client = try ShadowClient()
    guard case .error(let code, _) = try client.response(.runJob(terminalJob(arguments("true")))) else {
      Issue.record("a terminal job ran without a terminal")
      return
    }
    #expect(code == EINVAL)
    let noFDs = JobSpec(processes: [ProcessSpec(arguments: arguments("true"), descriptors: [DescriptorSetting(0, .terminal)])])
    guard case .error(let alsoInvalid, _) = try client.response(.runJob(noFDs)) else {
      Issue.record("a terminal fd without a terminal")
      return
    }
    #expect(alsoInvalid == EINVAL)
    // Without a pty, resizing the session terminal is a no-op.
    #expect(try client.response(.resizeTerminal(jobID: 0, rows: 10, columns: 10)) == .ok)
    #expect(try client.response(.ping) == .ok)
  }

  @Test func sttySeesTheSizeSentAndResizes() throws {
    let client = try ShadowClient()
    let master = try openTerminal(client, rows: 37, columns: 101)
    defer { close(master) }
    let reader = MasterReader(master)
    #expect(try client.run(terminalJob(arguments("stty", "size"))).statuses == [.exited(code: 0)])
    #expect(reader.read(until: "37 101\r\n"))

    #expect(try client.response(.resizeTerminal(jobID: 0, rows: 50, columns: 132)) == .ok)
    #expect(try client.run(terminalJob(arguments("stty", "size"))).statuses == [.exited(code: 0)])
    #expect(reader.read(until: "50 132\r\n"))
    // After each job the shadow holds the pty again.
    #expect(try Terminal.foregroundProcessGroup(FileDescriptor(rawValue: master)) == client.shadowPID)
  }

  @Test func theGuestModesAreApplied() throws {
    // Modes as a guest terminal would have them: a fresh pty's, with echo and ICRNL off.
    let (local, _) = try Terminal.openPseudoTerminal()
    defer { local.closeQuietly() }
    var modes = termios()
    let defaults = try Terminal.attributes(local)
    withUnsafeMutableBytes(of: &modes) { raw in for (i, byte) in defaults.enumerated() { raw[i] = byte } }
    modes.c_lflag &= ~tcflag_t(ECHO)
    modes.c_iflag &= ~tcflag_t(ICRNL)
    let bytes = withUnsafeBytes(of: &modes) { Array($0) }

    let client = try ShadowClient()
    let master = try openTerminal(client, termios: bytes)
    defer { close(master) }
    let reader = MasterReader(master)
    #expect(try client.run(terminalJob(arguments("sh", "-c", "stty -a; echo end"))).statuses == [.exited(code: 0)])
    #expect(reader.read(until: "end"))
    #expect(reader.text.contains(" -echo "))
    #expect(reader.text.contains(" -icrnl "))
    // Modes of another ABI's size are ignored; the pty keeps its modes.
    let other = try openTerminal(client, termios: [UInt8](repeating: 0, count: 7))
    close(other)
    #expect(try client.run(terminalJob(arguments("sh", "-c", "stty -a; echo again"))).statuses == [.exited(code: 0)])
    #expect(reader.read(until: "again"))
    #expect(reader.text.contains(" -echo "))
  }

  @Test func aRawModeJobGetsOneByteWithoutANewline() throws {
    let client = try ShadowClient()
    let master = try openTerminal(client)
    defer { close(master) }
    let reader = MasterReader(master)
    let job = try start(client, terminalJob(arguments("sh", "-c", "stty raw -echo; echo ready; c=$(head -c 1); printf 'got[%s]' \"$c\"")))
    #expect(reader.read(until: "ready"))
    writeBytes(master, [UInt8(ascii: "x")])
    #expect(reader.read(until: "got[x]"))
    #expect(try client.waitFinished(job.jobID) == [.exited(code: 0)])
  }

  @Test func controlZStopsAndControlCInterruptsTheForegroundJob() throws {
    let client = try ShadowClient()
    let master = try openTerminal(client)
    defer { close(master) }
    let job = try start(client, terminalJob(arguments("sleep", "100")))
    #expect(try Terminal.foregroundProcessGroup(FileDescriptor(rawValue: master)) == job.group)

    writeBytes(master, [0x1A])  // ^Z
    #expect(try client.nextEvent() == .jobStopped(jobID: job.jobID, signal: SIGTSTP))
    // The shadow took the pty back.
    #expect(eventually { (try? Terminal.foregroundProcessGroup(FileDescriptor(rawValue: master))) == client.shadowPID })

    // `fg`: the job gets the pty again and continues.
    #expect(try client.response(.setForeground(jobID: job.jobID, foreground: true)) == .ok)
    #expect(try Terminal.foregroundProcessGroup(FileDescriptor(rawValue: master)) == job.group)
    #expect(try client.response(.signalJob(jobID: job.jobID, signal: SIGCONT)) == .ok)
    #expect(try client.nextEvent() == .jobContinued(jobID: job.jobID))

    writeBytes(master, [0x03])  // ^C
    let interrupted = ExitStatus.signaled(signal: SIGINT, coreDumped: false)
    #expect(try client.nextEvent() == .processExited(jobID: job.jobID, index: 0, status: interrupted))
    #expect(try client.nextEvent() == .jobFinished(jobID: job.jobID, statuses: [interrupted], terminalOutput: 0))
    #expect(try Terminal.foregroundProcessGroup(FileDescriptor(rawValue: master)) == client.shadowPID)
  }

  @Test func aBackgroundJobThatReadsTheTerminalStops() throws {
    let client = try ShadowClient()
    let master = try openTerminal(client)
    defer { close(master) }
    let reader = MasterReader(master)
    let job = try start(client, terminalJob(arguments("cat"), foreground: false))
    #expect(try client.nextEvent() == .jobStopped(jobID: job.jobID, signal: SIGTTIN))
    #expect(try Terminal.foregroundProcessGroup(FileDescriptor(rawValue: master)) == client.shadowPID)

    // `fg` it: now it reads what is typed.
    #expect(try client.response(.setForeground(jobID: job.jobID, foreground: true)) == .ok)
    #expect(try client.response(.signalJob(jobID: job.jobID, signal: SIGCONT)) == .ok)
    #expect(try client.nextEvent() == .jobContinued(jobID: job.jobID))
    writeBytes(master, Array("typed\n".utf8))
    #expect(reader.read(until: "typed\r\ntyped\r\n"))  // the echo, then cat's copy
    writeBytes(master, [0x04])  // ^D: end of file
    #expect(try client.waitFinished(job.jobID) == [.exited(code: 0)])

    // `bg` gives the pty back to the shadow.
    let second = try start(client, terminalJob(arguments("sleep", "100")))
    #expect(try Terminal.foregroundProcessGroup(FileDescriptor(rawValue: master)) == second.group)
    #expect(try client.response(.setForeground(jobID: second.jobID, foreground: false)) == .ok)
    #expect(try Terminal.foregroundProcessGroup(FileDescriptor(rawValue: master)) == client.shadowPID)
    #expect(try client.response(.signalJob(jobID: second.jobID, signal: SIGKILL)) == .ok)
    _ = try client.waitFinished(second.jobID)
  }

  @Test func resizingSignalsTheForegroundJob() throws {
    let client = try ShadowClient()
    let master = try openTerminal(client)
    defer { close(master) }
    let reader = MasterReader(master)
    let script = "trap 'stty size; exit' WINCH; echo ready; while :; do sleep 0.1; done"
    let job = try start(client, terminalJob(arguments("sh", "-c", script)))
    #expect(reader.read(until: "ready"))
    #expect(try client.response(.resizeTerminal(jobID: job.jobID, rows: 30, columns: 90)) == .ok)
    #expect(reader.read(until: "30 90\r\n"))
    #expect(try client.waitFinished(job.jobID) == [.exited(code: 0)])
    guard case .error(let code, _) = try client.response(.resizeTerminal(jobID: job.jobID, rows: 1, columns: 1)) else {
      Issue.record("resized a finished job")
      return
    }
    #expect(code == ESRCH)
  }

  @Test func closingTheConnectionEndsPtyJobs() throws {
    let client = try ShadowClient()
    let master = try openTerminal(client)
    defer { close(master) }
    let reader = MasterReader(master)
    let foreground = try start(client, terminalJob(arguments("sh", "-c", "echo ready; exec sleep 100")))
    #expect(reader.read(until: "ready"))
    let stopped = try start(client, terminalJob(arguments("cat"), foreground: false))
    #expect(try client.nextEvent() == .jobStopped(jobID: stopped.jobID, signal: SIGTTIN))
    #expect(isAlive(foreground.group) && isAlive(stopped.group))
    client.connection.close()
    #expect(client.waitForExit() != nil)
    #expect(eventually { !isAlive(foreground.group) && !isAlive(stopped.group) })
  }
}

/// Collects what a pty master shows, waiting for text with a deadline.
final class MasterReader {
  let fd: Int32
  private(set) var bytes: [UInt8] = []

  init(_ fd: Int32) { self.fd = fd }

  var text: String { String(decoding: bytes, as: UTF8.self) }

  /// Reads until `text` contains `expected`; false after `seconds` without it.
  func read(until expected: String, seconds: Double = 10) -> Bool {
    let deadline = Date().addingTimeInterval(seconds)
    while !text.contains(expected) {
      let left = deadline.timeIntervalSinceNow
      if left <= 0 { return false }
      var descriptor = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
      let ready = poll(&descriptor, 1, Int32(min(left * 1000, 1000)))
      if ready < 0, errno != EINTR { return false }
      guard ready > 0 else { continue }
      var buffer = [UInt8](repeating: 0, count: 4096)
      let n = Glibc.read(fd, &buffer, buffer.count)
      if n > 0 {
        bytes += buffer[..<n]
      } else if n == 0 || errno != EINTR {
        return false
      }
    }
    return true
  }
}

/// Writes all bytes (a terminal's typing).
func writeBytes(_ fd: Int32, _ bytes: [UInt8]) {
  var offset = 0
  while offset < bytes.count {
    let n = bytes[offset...].withUnsafeBytes { Glibc.write(fd, $0.baseAddress, $0.count) }
    if n > 0 { offset += n } else if errno != EINTR { return }
  }
}
