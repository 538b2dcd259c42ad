#if canImport(Glibc)
import Glibc
#endif
import DoshProtocol
import DoshSystem
import DoshTransport
import SystemPackage

/// The shadow process's work for one shell: its own cwd, environment and umask are the
/// session's host state, and it runs the shell's host jobs and reports what becomes of them.
///
/// Single-threaded: one poll(2) loop over the control connection and the signal wake-up pipe.
public final class ShadowSession {
  /// How the control connection arrives.
  public enum Handshake {
    /// Nothing said yet: read the shell's `hello`, answer (challenging it when an authenticator
    /// is given), then `welcome`.
    case pending(authenticator: Authenticator?)
    /// The agent already exchanged hellos (and the challenge): send `welcome` with this proof.
    case completed(agentProof: [UInt8]?)
  }

  /// Most jobs running at once in one session.
  public static let maximumJobs = 256

  private let connection: Connection
  private let handshake: Handshake
  private let software: String
  private var jobs: [UInt32: HostJob] = [:]
  private var owners: [pid_t: (job: UInt32, index: Int)] = [:]
  private var nextJobID: UInt32 = 1
  var ending = false
  /// The session's host pty, from the first `openTerminal` until the session ends.
  var terminal: HostTerminal?
  /// The agent's channel handing over data connections (tcp and vsock sessions only).
  var handOff: StreamHandOff?
  lazy var streams = StreamTable(route: UInt32(bitPattern: getpid()))
  /// Streams this loop moves itself (tcp, vsock), with no process of their own: job output
  /// (a pipe spliced into its data connection) and the session pty's master ⇄ its connection.
  var pumps: [Pump] = []
  /// Whether descriptors cross the control connection: learnt from the shell's `hello`, which
  /// carries one over a unix socket unless that socket is forwarded (ssh, socat), bytes only.
  private(set) var passesDescriptors = false

  /// `handOff` is the agent's channel for data connections; without it (unix, `local`) streams
  /// cross only as passed descriptors.
  public init(
    connection: Connection, handshake: Handshake = .pending(authenticator: nil), software: String = "doshd",
    handOff: StreamHandOff? = nil
  ) {
    self.connection = connection
    self.handshake = handshake
    self.software = software
    self.handOff = handOff
  }

  /// Serves the session until the shell goes away (or SIGHUP/SIGTERM), then hangs up its jobs.
  /// Returns the exit status for the shadow process.
  public func run() -> Int32 {
    for signal in [SIGCHLD, SIGHUP, SIGTERM] { try? Signals.setDisposition(signal, .catchPending) }
    for signal in [SIGPIPE, SIGINT, SIGQUIT, SIGTSTP, SIGTTIN, SIGTTOU] { try? Signals.setDisposition(signal, .ignore) }
    defer { hangUp() }
    do {
      try greet()
      try connection.setNonBlocking(true)
    } catch {
      // The agent's log (our stderr) says why a shell was turned away; the shell says it too.
      let line = Array("doshd: shadow \(getpid()): session refused: \(error)\n".utf8)
      _ = line.withUnsafeBytes { write(2, $0.baseAddress, $0.count) }
      return 1
    }
    while !ending {
      var descriptors = [pollfd(fd: connection.fileDescriptor, events: Int16(POLLIN), revents: 0)]
      if let wakeup = Signals.wakeupDescriptor { descriptors.append(pollfd(fd: wakeup, events: Int16(POLLIN), revents: 0)) }
      let handOffIndex = descriptors.count
      if let handOff { descriptors.append(pollfd(fd: handOff.fileDescriptor, events: Int16(POLLIN), revents: 0)) }
      let pumpsIndex = descriptors.count
      for pump in pumps {
        if let (fd, events) = pump.mover.pollEvents { descriptors.append(pollfd(fd: fd, events: events, revents: 0)) }
      }
      // Unused tokens expire even in a quiet session.
      let ready = poll(&descriptors, nfds_t(descriptors.count), streams.hasUnattachedTokens ? 1000 : -1)
      if ready < 0 && errno != EINTR { return 1 }
      handleSignals()
      if ending { break }
      let readyPumps = Set(descriptors[pumpsIndex...].filter { $0.revents != 0 }.map(\.fd))
      if !readyPumps.isEmpty { runPumps(readyPumps) }
      if handOff != nil, descriptors[handOffIndex].revents != 0 { acceptStream() }
      streams.expire(now: .now)
      if descriptors[0].revents != 0 { serveConnection() }
    }
    return 0
  }

  // MARK: Handshake

  private func greet() throws(TransportError) {
    var proof: [UInt8]?
    switch handshake {
    case .completed(let agentProof):
      proof = agentProof
      passesDescriptors = connection.isUnixDomain
    case .pending(let authenticator):
      guard let frame = try connection.receiveFrame(timeout: .seconds(10)) else { throw .connectionClosed(midFrame: false) }
      for fd in frame.descriptors { close(fd) }
      passesDescriptors = connection.isUnixDomain && !frame.descriptors.isEmpty
      let first = frame.message
      guard case .hello(let hello) = first.body else {
        try? connection.send(Message.refused("expected hello"))
        throw .protocolViolation(.unexpectedMessage(received: first.body.type.name, expected: "hello"))
      }
      proof = try AgentHandshake.authenticate(
        connection, shellHello: hello, software: software, authenticator: authenticator
      ).agentProof
    }
    let welcome = Message(.welcome(ShadowSession.sessionInfo(agentProof: proof)))
    guard passesDescriptors else { return try connection.send(welcome) }
    // Returned so that the shell knows descriptors cross both ways.
    let probe = open("/dev/null", O_RDONLY | O_CLOEXEC)
    defer { close(probe) }
    try connection.send(welcome, descriptors: [probe])
  }

  /// What the shell learns on connecting.
  static func sessionInfo(agentProof: [UInt8]?) -> SessionInfo {
    var name = [CChar](repeating: 0, count: 256)
    gethostname(&name, name.count - 1)
    let hostName = name.withUnsafeBufferPointer { bytes(ofCString: $0.baseAddress!) }
    var userName: [UInt8] = []
    var home = HostEnvironment.value("HOME") ?? []
    if let entry = getpwuid(geteuid()) {
      userName = bytes(ofCString: entry.pointee.pw_name)
      if home.isEmpty { home = bytes(ofCString: entry.pointee.pw_dir) }
    }
    let cwd = HostDirectory.current()
    return SessionInfo(
      hostName: hostName, workingDirectory: cwd, homeDirectory: home, userName: userName,
      environment: HostEnvironment.variables(), shadowProcessID: getpid(), agentProof: agentProof)
  }

  // MARK: The loop

  private func handleSignals() {
    Signals.drainWakeup()
    if Signals.takePending(SIGHUP) || Signals.takePending(SIGTERM) { ending = true }
    if Signals.takePending(SIGCHLD) { reap() }
  }

  private func serveConnection() {
    do {
      guard try connection.readAvailable() else {
        ending = true
        return
      }
      while !ending, let frame = try connection.nextBufferedFrame() {
        defer { for fd in frame.descriptors { close(fd) } }
        try handle(frame)
      }
    } catch {
      if case .protocolViolation(let problem) = error {
        try? connection.send(Message.error(requestID: 0, code: EPROTO, problem.description))
      }
      ending = true
    }
  }

  private func send(_ message: Message, descriptors: [Int32] = []) throws(TransportError) {
    try connection.send(message, descriptors: descriptors)
  }

  private func handle(_ frame: ReceivedMessage) throws(TransportError) {
    let id = frame.message.requestID
    func fail(_ code: Int32, _ text: String) throws(TransportError) {
      try send(Message.error(requestID: id, code: code, text))
    }
    switch frame.message.body {
    case .runJob(let spec):
      try runJob(spec, passed: frame.descriptors, requestID: id)
    case .changeDirectory(let path):
      switch HostDirectory.change(to: path) {
      case .success(let cwd): try send(Message(requestID: id, .workingDirectory(path: cwd)))
      case .failure(let error): try fail(error.code, error.message)
      }
    case .setEnvironment(let name, let value):
      let code = HostEnvironment.set(name, value)
      try code == 0 ? send(Message(requestID: id, .ok)) : fail(code, "export: \(name.text): \(errorText(code))")
    case .unsetEnvironment(let name):
      let code = HostEnvironment.unset(name)
      try code == 0 ? send(Message(requestID: id, .ok)) : fail(code, "unset: \(name.text): \(errorText(code))")
    case .setUmask(let mask):
      let previous = umask(0)
      umask(mask.map { mode_t($0) } ?? previous)
      try send(Message(requestID: id, .umask(previous: UInt16(previous & 0o777))))
    case .expandPattern(let pattern, let limit, let globStar):
      let (names, truncated) = HostListings.expand(pattern: pattern, limit: limit, globStar: globStar)
      try send(Message(requestID: id, .names(names, truncated: truncated)))
    case .listDirectory(let path, let prefix, let limit):
      switch HostListings.listDirectory(path: path, prefix: prefix, limit: limit) {
      case .success(let (entries, truncated)): try send(Message(requestID: id, .directoryEntries(entries, truncated: truncated)))
      case .failure(let error): try fail(error.code, error.message)
      }
    case .listCommands(let prefix, let limit):
      let (names, truncated) = HostListings.listCommands(prefix: prefix, limit: limit)
      try send(Message(requestID: id, .names(names, truncated: truncated)))
    case .openStreams(let direction, let count):
      guard handOff != nil else { return try fail(ENOTSUP, "this connection passes descriptors; it has no data connections") }
      guard count >= 1, count <= UInt32(ProtocolLimits.maximumStreamsPerRequest) else {
        return try fail(EINVAL, "openStreams: \(count) streams asked for")
      }
      var tokens: [StreamToken] = []
      for _ in 0..<count {
        guard let token = streams.issue(.job(direction)) else { return try fail(EAGAIN, "too many streams waiting to attach") }
        tokens.append(token)
      }
      try send(Message(requestID: id, .streamTokens(tokens)))
    case .openHostFile(let path, let mode, let permissions):
      guard passesDescriptors || handOff != nil else {
        return try fail(ENOTSUP, "host files need descriptor passing or data connections")
      }
      switch HostFiles.open(path, mode: mode, permissions: permissions) {
      case .failure(let error): try fail(error.code, error.message)
      case .success(let fd):
        if passesDescriptors {
          defer { close(fd) }
          return try send(Message(requestID: id, .hostFileOpened), descriptors: [fd])
        }
        guard let token = streams.issue(.hostFile(fd: fd, mode: mode)) else {
          close(fd)
          return try fail(EAGAIN, "too many streams waiting to attach")
        }
        try send(Message(requestID: id, .streamTokens([token])))
      }
    case .signalJob(let jobID, let signal):
      guard let job = jobs[jobID], job.processGroup > 0 else { return try fail(ESRCH, "no such host job \(jobID)") }
      if kill(-job.processGroup, signal) == 0 || errno == ESRCH {
        // ESRCH: the processes are gone but not reaped yet; their events are on the way.
        try send(Message(requestID: id, .ok))
      } else {
        try fail(errno, "kill: \(errorText(errno))")
      }
    case .openTerminal(let termios, let rows, let columns):
      try openTerminal(termios: termios, rows: rows, columns: columns, requestID: id)
    case .resizeTerminal(let jobID, let rows, let columns):
      // Job id 0 names the session pty itself. Without a pty there is nothing to resize.
      guard jobID == 0 || jobs[jobID] != nil else { return try fail(ESRCH, "no such host job \(jobID)") }
      if let problem = terminal?.resize(rows: rows, columns: columns) { return try fail(problem.code, problem.message) }
      try send(Message(requestID: id, .ok))
    case .setForeground(let jobID, let foreground):
      guard let job = jobs[jobID] else { return try fail(ESRCH, "no such host job \(jobID)") }
      if let problem = setForeground(job, foreground) { return try fail(problem.code, problem.message) }
      try send(Message(requestID: id, .ok))
    case .ping:
      try send(Message(requestID: id, .ok))
    case let other:
      throw .protocolViolation(.unexpectedMessage(received: other.type.name, expected: "a request"))
    }
  }

  // MARK: The terminal

  /// Opens the session pty on first use (a later call reuses it), applies the guest's modes and
  /// size, and passes the master back.
  private func openTerminal(termios: [UInt8], rows: UInt16, columns: UInt16, requestID: UInt32) throws(TransportError) {
    guard passesDescriptors || handOff != nil else {
      return try send(Message.error(requestID: requestID, code: ENOTSUP, "a host terminal needs descriptor passing or data connections"))
    }
    let pty: HostTerminal
    if let terminal {
      pty = terminal
    } else {
      switch HostTerminal.open() {
      case .failure(let problem): return try send(Message.error(requestID: requestID, code: problem.code, problem.message))
      case .success(let opened): pty = opened
      }
      terminal = pty
    }
    if let problem = pty.configure(termios: termios, rows: rows, columns: columns) {
      return try send(Message.error(requestID: requestID, code: problem.code, problem.message))
    }
    if passesDescriptors {
      return try send(Message(requestID: requestID, .terminalOpened), descriptors: [pty.master])
    }
    // Over tcp or vsock the master is relayed through one data connection for the whole
    // session: no tokens when it is attached already.
    if pumps.contains(where: { $0.kind == .terminalOutput }) { return try send(Message(requestID: requestID, .streamTokens([]))) }
    guard let token = streams.issue(.terminal) else {
      return try send(Message.error(requestID: requestID, code: EAGAIN, "too many streams waiting to attach"))
    }
    try send(Message(requestID: requestID, .streamTokens([token])))
  }

  /// `fg` (true): the job's group becomes the pty's foreground group. `bg` (false): the shadow
  /// takes the pty back if the job holds it. A no-op without a pty or without processes.
  private func setForeground(_ job: HostJob, _ foreground: Bool) -> HostTerminal.Failure? {
    guard let terminal, job.processGroup > 0 else { return nil }
    if foreground {
      if let problem = terminal.giveTo(job.processGroup) { return problem }
      job.ownsTerminal = true
    } else {
      releaseTerminal(from: job)
    }
    return nil
  }

  /// When `job` holds the pty (it stopped, ended or went to the background), the shadow's own
  /// group takes it back, so that the next job can have it and no stale group owns it.
  private func releaseTerminal(from job: HostJob) {
    guard let terminal else { return }
    if job.ownsTerminal || (job.processGroup > 0 && terminal.foregroundGroup == job.processGroup) {
      terminal.takeBack()
    }
    job.ownsTerminal = false
  }

  // MARK: Jobs

  private func runJob(_ spec: JobSpec, passed: [Int32], requestID: UInt32) throws(TransportError) {
    guard jobs.count < ShadowSession.maximumJobs else {
      return try send(Message.error(requestID: requestID, code: EAGAIN, "too many host jobs (\(ShadowSession.maximumJobs))"))
    }
    var spec = spec
    var passed = passed
    var claimed: [Int32] = []
    defer { for fd in claimed { close(fd) } }
    if let problem = claimStreams(&spec, passed: &passed, claimed: &claimed) {
      return try send(Message.error(requestID: requestID, code: problem.code, problem.message))
    }
    var launcher = JobLauncher(spec: spec, passed: passed, terminal: terminal?.slave)
    if let problem = launcher.validate() {
      return try send(Message.error(requestID: requestID, code: problem.code, problem.message))
    }
    let launched: JobLauncher.Launched
    do {
      launched = try launcher.launch()
    } catch {
      return try send(Message.error(requestID: requestID, code: error.code, error.message))
    }
    let id = allocateJobID()
    let job = HostJob(id: id, processGroup: launched.processGroup, processIDs: launched.processIDs, statuses: launched.statuses)
    // Its first process already took the pty before exec (see JobLauncher).
    job.ownsTerminal = spec.terminal?.foreground == true && terminal != nil && job.processGroup > 0
    job.terminalOutputAtStart = terminalOutputTaken
    job.usesTerminal = spec.terminal != nil
    jobs[id] = job
    for (index, pid) in launched.processIDs.enumerated() where pid > 0 { owners[pid] = (id, index) }
    try send(Message(requestID: requestID, .jobStarted(jobID: id, processGroup: job.processGroup, processIDs: job.processIDs)))
    for (index, status) in launched.statuses.enumerated() {
      if let status { try send(Message(.processExited(jobID: id, index: UInt32(index), status: status))) }
    }
    try finishIfDone(job)
    // Children that ended before their pids were recorded are reaped now.
    reap()
  }

  private func allocateJobID() -> UInt32 {
    while jobs[nextJobID] != nil || nextJobID == 0 { nextJobID &+= 1 }
    defer { nextJobID &+= 1 }
    return nextJobID
  }

  private func finishIfDone(_ job: HostJob) throws(TransportError) {
    guard job.isFinished else { return }
    releaseTerminal(from: job)
    jobs[job.id] = nil
    if job.usesTerminal { drainTerminalOutput() }
    // The pump was made anew (a refreshed pty) if it counts less: then all it took is the job's.
    let taken = terminalOutputTaken
    let output = taken >= job.terminalOutputAtStart ? taken - job.terminalOutputAtStart : taken
    try send(Message(.jobFinished(jobID: job.id, statuses: job.statuses.compactMap { $0 }, terminalOutput: output)))
  }

  /// Collects every child that changed state and tells the shell.
  private func reap() {
    // What a process wrote before it ended goes ahead of the news of its end.
    flushOutput()
    while let (pid, status) = (try? Wait.wait(-1, options: [.noHang, .untraced, .continued])) ?? nil {
      guard let owner = owners[pid], let job = jobs[owner.job] else { continue }
      do {
        switch status {
        case .exited(let code):
          owners[pid] = nil
          job.statuses[owner.index] = .exited(code: code)
          try send(Message(.processExited(jobID: job.id, index: UInt32(owner.index), status: .exited(code: code))))
          try finishIfDone(job)
        case .signaled(let signal, let core):
          owners[pid] = nil
          job.statuses[owner.index] = .signaled(signal: signal, coreDumped: core)
          try send(Message(.processExited(jobID: job.id, index: UInt32(owner.index), status: .signaled(signal: signal, coreDumped: core))))
          try finishIfDone(job)
        case .stopped(let signal):
          if !job.isStopped {
            job.isStopped = true
            releaseTerminal(from: job)
            try send(Message(.jobStopped(jobID: job.id, signal: signal)))
          }
        case .continued:
          if job.isStopped {
            job.isStopped = false
            try send(Message(.jobContinued(jobID: job.id)))
          }
        }
      } catch {
        ending = true
      }
    }
  }

  /// Like a terminal hang-up: the pty is closed (once the guest's copy of the master is closed
  /// too, the kernel hangs it up), SIGHUP then SIGCONT go to every job still alive, then what
  /// ends within a short while is reaped. A process that ignores SIGHUP (`nohup`) lives on.
  private func hangUp() {
    terminal?.close()
    terminal = nil
    for pump in pumps { pump.mover.close() }
    pumps = []
    streams.removeAll()
    for job in jobs.values where job.processGroup > 0 {
      kill(-job.processGroup, SIGHUP)
      kill(-job.processGroup, SIGCONT)
    }
    let deadline = ContinuousClock.now.advanced(by: .milliseconds(1500))
    while !owners.isEmpty, ContinuousClock.now < deadline {
      while let (pid, status) = (try? Wait.wait(-1, options: [.noHang])) ?? nil {
        if status.isTerminated { owners[pid] = nil }
      }
      if owners.isEmpty { break }
      var none = pollfd(fd: -1, events: 0, revents: 0)
      _ = poll(&none, 0, 20)
    }
    connection.close()
  }
}
