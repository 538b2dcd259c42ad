import DoshTestSupport
import DoshProtocol
import DoshTransport
import Foundation
import Testing

@Suite(.serialized) struct ShadowSessionTests {
  @Test func welcomeDescribesTheSession() throws {
    let client = try ShadowClient()
    #expect(client.session.shadowProcessID == client.shadowPID)
    #expect(client.session.homeDirectory == Array("/tmp".utf8))
    #expect(client.session.environment.contains(EnvironmentVariable(name: "LC_ALL", value: "C")))
    #expect(client.session.workingDirectory.first == UInt8(ascii: "/"))
    #expect(!client.session.hostName.isEmpty)
  }

  @Test func echoWritesToAPassedPipe() throws {
    let client = try ShadowClient()
    let (text, status) = try client.output(arguments("echo", "hi"))
    #expect(text == "hi\n")
    #expect(status == .exited(code: 0))
  }

  @Test func hostPipelineStaysOnTheHost() throws {
    let client = try ShadowClient()
    let pipe = try makePipe()
    let spec = JobSpec(processes: [
      ProcessSpec(arguments: arguments("printf", "a\\nb\\n"), descriptors: [DescriptorSetting(1, .pipeToNext)]),
      ProcessSpec(arguments: arguments("wc", "-l"), descriptors: [
        DescriptorSetting(0, .pipeFromPrevious), DescriptorSetting(1, .passed(index: 0)),
      ]),
    ])
    guard case .jobStarted(let jobID, let group, let pids) = try client.response(.runJob(spec), descriptors: [pipe.write]) else {
      Issue.record("no jobStarted")
      return
    }
    close(pipe.write)
    #expect(pids.count == 2 && group == pids[0])
    #expect(readAll(pipe.read).trimmingCharacters(in: .whitespaces) == "2\n")
    #expect(try client.waitFinished(jobID) == [.exited(code: 0), .exited(code: 0)])
  }

  @Test func hostFilesAreWrittenAndOpened() throws {
    let directory = try makeScratchPath()
    defer { removeDirectory(directory) }
    let client = try ShadowClient()
    #expect(try client.response(.changeDirectory(path: Array(directory.utf8))) == .workingDirectory(path: Array(directory.utf8)))
    let write = JobSpec(processes: [ProcessSpec(arguments: arguments("echo", "content"), descriptors: [
      DescriptorSetting(1, .file(path: Array("out.txt".utf8), mode: .write, permissions: 0o666)),
    ])])
    #expect(try client.run(write).statuses == [.exited(code: 0)])
    #expect(try String(contentsOfFile: directory + "/out.txt", encoding: .utf8) == "content\n")

    let opened = try client.request(.openHostFile(path: Array("out.txt".utf8), mode: .read, permissions: 0))
    #expect(opened.message.body == .hostFileOpened)
    #expect(opened.descriptors.count == 1)
    if let fd = opened.descriptors.first { #expect(readAll(fd) == "content\n") }

    let appended = try client.request(.openHostFile(path: Array("out.txt".utf8), mode: .append, permissions: 0o666))
    if let fd = appended.descriptors.first {
      _ = "more\n".withCString { Glibc.write(fd, $0, 5) }
      close(fd)
    }
    #expect(try String(contentsOfFile: directory + "/out.txt", encoding: .utf8) == "content\nmore\n")

    let clobber = try client.response(.openHostFile(path: Array("out.txt".utf8), mode: .writeNoClobber, permissions: 0o666))
    guard case .error(let code, _) = clobber else {
      Issue.record("noclobber overwrote: \(clobber)")
      return
    }
    #expect(code == EEXIST)
    guard case .error(let missing, _) = try client.response(.openHostFile(path: Array("nope/x".utf8), mode: .read, permissions: 0)) else {
      Issue.record("opened a missing file")
      return
    }
    #expect(missing == ENOENT)
  }

  @Test func changeDirectoryIsSeenByJobs() throws {
    let directory = try makeScratchPath()
    defer { removeDirectory(directory) }
    let client = try ShadowClient()
    try FileManager.default.createDirectory(atPath: directory + "/sub", withIntermediateDirectories: true)
    #expect(try client.response(.changeDirectory(path: Array((directory + "/sub").utf8))) == .workingDirectory(path: Array((directory + "/sub").utf8)))
    #expect(try client.response(.changeDirectory(path: Array("..".utf8))) == .workingDirectory(path: Array(directory.utf8)))
    #expect(try client.output(arguments("pwd")).text == directory + "\n")
    guard case .error(let code, _) = try client.response(.changeDirectory(path: Array("missing".utf8))) else {
      Issue.record("cd to a missing directory worked")
      return
    }
    #expect(code == ENOENT)
  }

  @Test func environmentChangesReachJobs() throws {
    let client = try ShadowClient()
    #expect(try client.response(.setEnvironment(name: Array("GREETING".utf8), value: Array("hello".utf8))) == .ok)
    #expect(try client.output(arguments("sh", "-c", "echo $GREETING")).text == "hello\n")
    let override = [EnvironmentChange.set(name: Array("GREETING".utf8), value: Array("once".utf8))]
    #expect(try client.output(arguments("sh", "-c", "echo $GREETING"), environment: override).text == "once\n")
    #expect(try client.response(.unsetEnvironment(name: Array("GREETING".utf8))) == .ok)
    #expect(try client.output(arguments("sh", "-c", "echo x${GREETING}x")).text == "xx\n")
    _ = try client.response(.setUmask(mask: 0o027))
    #expect(try client.response(.setUmask(mask: nil)) == .umask(previous: 0o027))
  }

  @Test func exitStatusesAndSignals() throws {
    let client = try ShadowClient()
    #expect(try client.output(arguments("sh", "-c", "exit 3")).status == .exited(code: 3))
    #expect(try client.output(arguments("sh", "-c", "kill -TERM $$")).status == .signaled(signal: SIGTERM, coreDumped: false))
  }

  @Test func stopContinueAndKill() throws {
    let client = try ShadowClient()
    let spec = JobSpec(processes: [ProcessSpec(arguments: arguments("sleep", "100"), descriptors: [])])
    guard case .jobStarted(let jobID, _, _) = try client.response(.runJob(spec)) else {
      Issue.record("no jobStarted")
      return
    }
    #expect(try client.response(.signalJob(jobID: jobID, signal: SIGSTOP)) == .ok)
    #expect(try client.nextEvent() == .jobStopped(jobID: jobID, signal: SIGSTOP))
    #expect(try client.response(.signalJob(jobID: jobID, signal: SIGCONT)) == .ok)
    #expect(try client.nextEvent() == .jobContinued(jobID: jobID))
    #expect(try client.response(.signalJob(jobID: jobID, signal: SIGKILL)) == .ok)
    #expect(try client.nextEvent() == .processExited(jobID: jobID, index: 0, status: .signaled(signal: SIGKILL, coreDumped: false)))
    #expect(try client.nextEvent() == .jobFinished(jobID: jobID, statuses: [.signaled(signal: SIGKILL, coreDumped: false)], terminalOutput: 0))
    guard case .error(let code, _) = try client.response(.signalJob(jobID: jobID, signal: SIGTERM)) else {
      Issue.record("signalled a finished job")
      return
    }
    #expect(code == ESRCH)
  }

  @Test func commandNotFoundIs127WithAMessage() throws {
    let client = try ShadowClient()
    let (text, status) = try client.output(arguments("no-such-command-here"), captureErrors: true)
    #expect(status == .exited(code: 127))
    #expect(text == "dosh: !no-such-command-here: command not found\n")
    let (denied, deniedStatus) = try client.output(arguments("/etc/passwd"), captureErrors: true)
    #expect(deniedStatus == .exited(code: 126))
    #expect(denied.contains("Permission denied"))
  }

  @Test func globbingAndListings() throws {
    let directory = try makeScratchPath()
    defer { removeDirectory(directory) }
    for name in ["a.c", "b.c", "c.h", ".hidden.c"] {
      #expect(FileManager.default.createFile(atPath: directory + "/" + name, contents: Data()))
    }
    try FileManager.default.createDirectory(atPath: directory + "/dir", withIntermediateDirectories: true)
    let client = try ShadowClient()
    _ = try client.response(.changeDirectory(path: Array(directory.utf8)))
    #expect(try client.response(.expandPattern(pattern: Array("*.c".utf8), limit: 100, globStar: false)) == .names(arguments("a.c", "b.c"), truncated: false))
    #expect(try client.response(.expandPattern(pattern: Array("*.c".utf8), limit: 1, globStar: false)) == .names(arguments("a.c"), truncated: true))
    #expect(try client.response(.expandPattern(pattern: Array("*.z".utf8), limit: 100, globStar: false)) == .names([], truncated: false))
    // `**` spans directories only with globStar (shopt -s globstar); without, it is `*`.
    #expect(FileManager.default.createFile(atPath: directory + "/dir/deep.c", contents: Data()))
    #expect(try client.response(.expandPattern(pattern: Array("**/*.c".utf8), limit: 100, globStar: true))
      == .names(arguments("a.c", "b.c", "dir/deep.c"), truncated: false))
    #expect(try client.response(.expandPattern(pattern: Array("**/*.c".utf8), limit: 100, globStar: false))
      == .names(arguments("dir/deep.c"), truncated: false))
    _ = unlink(directory + "/dir/deep.c")
    #expect(try client.response(.listDirectory(path: [], prefix: [], limit: 100)) == .directoryEntries([
      DirectoryEntry(name: Array("a.c".utf8), kind: .regular), DirectoryEntry(name: Array("b.c".utf8), kind: .regular),
      DirectoryEntry(name: Array("c.h".utf8), kind: .regular), DirectoryEntry(name: Array("dir".utf8), kind: .directory),
    ], truncated: false))
    #expect(try client.response(.listDirectory(path: Array(directory.utf8), prefix: Array("d".utf8), limit: 100)) == .directoryEntries([
      DirectoryEntry(name: Array("dir".utf8), kind: .directory),
    ], truncated: false))
    #expect(try client.response(.listDirectory(path: [], prefix: [], limit: 2)) == .directoryEntries([
      DirectoryEntry(name: Array("a.c".utf8), kind: .regular), DirectoryEntry(name: Array("b.c".utf8), kind: .regular),
    ], truncated: true))
    guard case .names(let commands, _) = try client.response(.listCommands(prefix: Array("ech".utf8), limit: 10)) else {
      Issue.record("no names")
      return
    }
    #expect(commands.contains(Array("echo".utf8)))
    guard case .names(let one, let truncated) = try client.response(.listCommands(prefix: Array("s".utf8), limit: 1)) else { return }
    #expect(one.count == 1 && truncated)
  }

  @Test func hangUpEndsJobsAndTheShadow() throws {
    let client = try ShadowClient()
    let spec = JobSpec(processes: [ProcessSpec(arguments: arguments("sleep", "100"), descriptors: [])])
    guard case .jobStarted(_, _, let pids) = try client.response(.runJob(spec)) else {
      Issue.record("no jobStarted")
      return
    }
    #expect(isAlive(pids[0]))
    client.connection.close()
    #expect(client.waitForExit() != nil)
    #expect(!isAlive(pids[0]))
  }

  @Test func hostileFramesGetAnErrorAndAClose() throws {
    // An oversized length prefix.
    let client = try ShadowClient()
    try client.connection.send(bytes: [0xFF, 0xFF, 0xFF, 0xFF, 1, 2, 3])
    guard case .error(let code, _) = try client.connection.receiveMessage(timeout: .seconds(5)).body else {
      Issue.record("no error frame")
      return
    }
    #expect(code == EPROTO)
    #expect(try client.connection.receive(timeout: .seconds(5)) == nil)
    #expect(client.waitForExit() != nil)

    // A response where a request belongs.
    let other = try ShadowClient()
    try other.connection.send(Message(requestID: 9, .ok))
    guard case .error = try other.connection.receiveMessage(timeout: .seconds(5)).body else {
      Issue.record("no error frame")
      return
    }
    #expect(other.waitForExit() != nil)

    // A passed descriptor that never came, and unknown jobs: errors, the session goes on.
    let third = try ShadowClient()
    let spec = JobSpec(processes: [ProcessSpec(arguments: arguments("true"), descriptors: [DescriptorSetting(1, .passed(index: 3))])])
    guard case .error(let badFD, _) = try third.response(.runJob(spec)) else {
      Issue.record("ran with a missing descriptor")
      return
    }
    #expect(badFD == EBADF)
    guard case .error(let noJob, _) = try third.response(.setForeground(jobID: 77, foreground: true)) else { return }
    #expect(noJob == ESRCH)
    #expect(try third.response(.ping) == .ok)
  }
}
