import DoshSystem

#if canImport(Glibc)
import Glibc
#endif
import CDoshSystem
import DoshProtocol

/// Starts the processes of one `runJob`: one new process group, pipes between neighbours, each
/// fd from its `DescriptorSource`.
///
/// Every fd the shadow hands to a child (a passed descriptor, an opened file, a pipe end,
/// /dev/null) is first moved above the highest fd number the job names, so that setting one
/// target can never clobber the source of another: the child's fd actions are then a plain list
/// of dup2s in any order. `.terminal` fds are the session pty's slave; a job that asks for the
/// foreground gets the pty before its first program runs (`tcsetpgrp` in the child, between
/// `setpgid` and exec). A process that cannot be set up (a redirection fails, the program is
/// not found) is not started: like a shell's child, the shadow writes the message to the stderr
/// that process would have had and reports it as exited 1 (redirection), 126 or 127.
struct JobLauncher {
  /// Signals the shadow ignores or catches and a host program must get back at their default.
  static let resetSignals: [Int32] = [SIGPIPE, SIGINT, SIGQUIT, SIGTSTP, SIGTTIN, SIGTTOU, SIGHUP, SIGTERM, SIGCHLD]

  struct Launched {
    var processGroup: pid_t
    var processIDs: [pid_t]
    /// Processes that never started, with the status to report.
    var statuses: [ExitStatus?]
  }

  struct LaunchError: Error {
    var code: Int32
    var message: String
  }

  let spec: JobSpec
  /// Descriptors that came with the `runJob` frame (owned by the caller).
  let passed: [Int32]
  /// The session pty's slave, when a terminal was opened (owned by the caller).
  let terminal: Int32?

  /// Shadow fds opened for this launch, closed when it is over.
  private var owned: [Int32] = []
  private var floor: Int32 = 3

  init(spec: JobSpec, passed: [Int32], terminal: Int32?) {
    self.spec = spec
    self.passed = passed
    self.terminal = terminal
  }

  static let noTerminal = LaunchError(code: EINVAL, message: "no host terminal is open in this session (openTerminal first)")

  /// Checks what can be checked before anything starts.
  func validate() -> LaunchError? {
    if spec.terminal != nil, terminal == nil { return JobLauncher.noTerminal }
    for (index, process) in spec.processes.enumerated() {
      for setting in process.descriptors {
        switch setting.source {
        case .stream:
          return LaunchError(code: ENOTSUP, message: "stream tokens are not supported by this host yet; connect over unix to pass descriptors")
        case .terminal where terminal == nil:
          return JobLauncher.noTerminal
        case .passed(let i) where Int(i) >= passed.count:
          return LaunchError(code: EBADF, message: "passed descriptor \(i) did not arrive (\(passed.count) came with the request)")
        case .pipeToNext where index == spec.processes.count - 1:
          return LaunchError(code: EINVAL, message: "the last process has no next process to pipe to")
        case .pipeFromPrevious where index == 0:
          return LaunchError(code: EINVAL, message: "the first process has no previous process to pipe from")
        default: break
        }
      }
    }
    return nil
  }

  /// Starts every process it can. Throws only when nothing could be started for a reason of
  /// the shadow itself (out of fds, say).
  mutating func launch() throws(LaunchError) -> Launched {
    defer { for fd in owned { close(fd) } }
    let highest = spec.processes.flatMap { $0.descriptors.map(\.descriptor) }.max() ?? 2
    floor = max(highest, 2) + 1
    let devNull = try lift(openOrThrow([UInt8]("/dev/null".utf8), O_RDWR))
    var lifted: [Int32] = []
    for fd in passed { lifted.append(try lift(duplicateOrThrow(fd))) }
    // A copy above every target: it also serves `tcsetpgrp` in the child, which runs before
    // the dup2s.
    var slave: Int32?
    if let terminal { slave = try lift(duplicateOrThrow(terminal)) }
    var pipes: [(read: Int32, write: Int32)] = []
    for _ in 1..<max(spec.processes.count, 1) {
      var ends: [Int32] = [-1, -1]
      guard pipe(&ends) == 0 else { throw LaunchError(code: errno, message: "pipe: \(errorText(errno))") }
      owned.append(contentsOf: ends)
      for fd in ends { _ = fcntl(fd, F_SETFD, FD_CLOEXEC) }  // single-threaded: no spawn in between
      pipes.append((try lift(ends[0]), try lift(ends[1])))
    }
    let environment = HostEnvironment.entries()
    var launched = Launched(processGroup: 0, processIDs: [], statuses: [])
    for (index, process) in spec.processes.enumerated() {
      let (pid, status) = start(
        process, index: index, devNull: devNull, passed: lifted, terminal: slave, pipes: pipes,
        environment: environment, group: launched.processGroup)
      if pid > 0, launched.processGroup == 0 { launched.processGroup = pid }
      launched.processIDs.append(pid)
      launched.statuses.append(status)
    }
    return launched
  }

  /// Starts one process; returns its pid, or 0 and the status it "exited" with.
  private mutating func start(
    _ process: ProcessSpec, index: Int, devNull: Int32, passed: [Int32], terminal: Int32?,
    pipes: [(read: Int32, write: Int32)], environment: [[UInt8]], group: pid_t
  ) -> (pid_t, ExitStatus?) {
    // What each child fd will be: a shadow fd (all above `floor`).
    var table: [Int32: Int32] = [0: devNull, 1: devNull, 2: devNull]
    func fail(_ code: Int32, _ message: String) -> (pid_t, ExitStatus?) {
      // Like the shell's own message for a guest command: `dosh: line 3: !nosuch: command not found`.
      if let stderr = table[2] { report(String(decoding: spec.messagePrefix, as: UTF8.self) + "!\(message)\n", to: stderr) }
      return (0, .exited(code: code))
    }
    for setting in process.descriptors {
      let target = setting.descriptor
      switch setting.source {
      case .passed(let i): table[target] = passed[Int(i)]
      case .pipeToNext: table[target] = pipes[index].write
      case .pipeFromPrevious: table[target] = pipes[index - 1].read
      case .closed: table[target] = nil
      case .duplicate(let source):
        guard let shadowFD = table[source] else { return fail(1, "\(source): \(errorText(EBADF))") }
        table[target] = shadowFD
      case .file(let path, let mode, let permissions):
        let opened = HostFiles.open(path, mode: mode, permissions: permissions)
        switch opened {
        case .failure(let error): return fail(1, error.message)
        case .success(let fd):
          owned.append(fd)
          guard let high = try? lift(fd) else { return fail(1, "\(path.text): \(errorText(EMFILE))") }
          table[target] = high
        }
      case .terminal:
        guard let terminal else { return fail(1, JobLauncher.noTerminal.message) }  // refused by validate()
        table[target] = terminal
      case .stream:
        return fail(1, "unsupported descriptor source")  // refused by validate()
      }
    }
    let changed = HostEnvironment.applying(process.environment, to: environment)
    let name = process.arguments[0]
    var path: [UInt8]
    switch ExecutableSearch.find(name, path: HostEnvironment.lookup("PATH", in: changed)) {
    case .found(let found): path = found
    case .notFound: return fail(127, "\(name.text): command not found")
    case .notExecutable(_, let code): return fail(126, "\(name.text): \(errorText(code))")
    }
    var actions: [dosh_fd_action] = table.sorted { $0.key < $1.key }.map { dosh_fd_action(source: $0.value, target: $0.key) }
    for fd: Int32 in 0...2 where table[fd] == nil { actions.append(dosh_fd_action(source: -1, target: fd)) }
    var arguments = process.arguments
    let foreground = spec.terminal?.foreground == true ? terminal : nil
    var result = ByteSpawn.spawn(
      path: path, arguments: arguments, environment: changed, group: group, actions: actions,
      defaultSignals: JobLauncher.resetSignals, foregroundTerminal: foreground)
    if result.error == ENOEXEC {
      // A script without `#!`: run it with sh, as shells do.
      arguments = [Array("sh".utf8), path] + arguments.dropFirst()
      path = Array("/bin/sh".utf8)
      result = ByteSpawn.spawn(
        path: path, arguments: arguments, environment: changed, group: group, actions: actions,
        defaultSignals: JobLauncher.resetSignals, foregroundTerminal: foreground)
    }
    switch result.error {
    case 0: return (result.pid, nil)
    case ENOENT: return fail(127, "\(name.text): \(errorText(ENOENT))")
    case let code: return fail(126, "\(name.text): \(errorText(code))")
    }
  }

  /// Moves a shadow fd above every target fd of the job (close-on-exec); the original is closed.
  private mutating func lift(_ fd: Int32) throws(LaunchError) -> Int32 {
    if fd >= floor {
      if !owned.contains(fd) { owned.append(fd) }
      return fd
    }
    let high = fcntl(fd, F_DUPFD_CLOEXEC, floor)
    guard high >= 0 else { throw LaunchError(code: errno, message: "fcntl: \(errorText(errno))") }
    close(fd)
    owned.removeAll { $0 == fd }
    owned.append(high)
    return high
  }

  private mutating func openOrThrow(_ path: [UInt8], _ flags: Int32) throws(LaunchError) -> Int32 {
    let fd = withCString(path) { Glibc.open($0, flags | O_CLOEXEC) }
    guard fd >= 0 else { throw LaunchError(code: errno, message: "\(path.text): \(errorText(errno))") }
    owned.append(fd)
    return fd
  }

  private mutating func duplicateOrThrow(_ fd: Int32) throws(LaunchError) -> Int32 {
    let copy = fcntl(fd, F_DUPFD_CLOEXEC, 0)
    guard copy >= 0 else { throw LaunchError(code: errno, message: "fcntl: \(errorText(errno))") }
    owned.append(copy)
    return copy
  }

  /// One write of a short message; on a socket it never blocks (a full buffer loses it).
  private func report(_ message: String, to fd: Int32) {
    let bytes = Array(message.utf8)
    bytes.withUnsafeBytes { buffer in
      if send(fd, buffer.baseAddress, buffer.count, Int32(MSG_DONTWAIT | MSG_NOSIGNAL)) < 0, errno == ENOTSOCK {
        _ = write(fd, buffer.baseAddress, buffer.count)
      }
    }
  }
}
