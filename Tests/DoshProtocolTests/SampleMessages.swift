import DoshProtocol

/// A deterministic generator so that random tests repeat exactly.
struct SplitMix64: RandomNumberGenerator {
  var state: UInt64
  init(seed: UInt64) { state = seed }
  mutating func next() -> UInt64 {
    state &+= 0x9E37_79B9_7F4A_7C15
    var z = state
    z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
    z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
    return z ^ (z >> 31)
  }
}

func bytes(_ text: String) -> [UInt8] { Array(text.utf8) }

enum Samples {
  static let token = StreamToken(bytes: (1...16).map { UInt8($0) })!
  static let otherToken = StreamToken(bytes: (100...115).map { UInt8($0) })!
  static let nonce = [UInt8](repeating: 0xA5, count: 32)

  /// At least one message of every type, with awkward values (non-UTF-8 bytes, empty arrays,
  /// extreme integers).
  static let messages: [Message] = [
    Message(.hello(Hello(role: .shell, versions: 1...3, software: bytes("dosh 0.1"), nonce: nonce))),
    Message(.hello(Hello(role: .agent, versions: 1...1, software: bytes("doshd"), nonce: []))),
    Message(.challenge(nonce: nonce)),
    Message(.authenticate(proof: [UInt8](repeating: 7, count: 32))),
    Message(.welcome(SessionInfo(
      hostName: bytes("mac"), workingDirectory: [0x2F, 0xFF, 0xFE], homeDirectory: bytes("/Users/me"),
      userName: bytes("me"),
      environment: [EnvironmentVariable(name: "PATH", value: "/bin:/usr/bin"),
                    EnvironmentVariable(name: [0x58], value: [])],
      shadowProcessID: 4242, agentProof: nil))),
    Message(.welcome(SessionInfo(
      hostName: [], workingDirectory: bytes("/"), homeDirectory: [], userName: [], environment: [],
      shadowProcessID: Int32.max, agentProof: [UInt8](repeating: 9, count: 32)))),
    Message.refused("authentication failed"),
    Message(.attachStream(token)),
    Message(requestID: 1, .runJob(JobSpec(
      processes: [
        ProcessSpec(
          arguments: [bytes("sort"), [0x66, 0x80, 0x6F]],
          environment: [.set(name: bytes("LC_ALL"), value: bytes("C")), .unset(name: bytes("TZ"))],
          descriptors: [
            DescriptorSetting(0, .stream(token)),
            DescriptorSetting(1, .pipeToNext),
            DescriptorSetting(2, .file(path: bytes("err.log"), mode: .append, permissions: 0o666)),
            DescriptorSetting(5, .closed),
          ]),
        ProcessSpec(
          arguments: ["tee", "out"],
          descriptors: [
            DescriptorSetting(0, .pipeFromPrevious),
            DescriptorSetting(1, .terminal),
            DescriptorSetting(7, .passed(index: 63)),
            DescriptorSetting(2, .duplicate(1)),
          ]),
      ],
      terminal: TerminalSpec(foreground: true)))),
    Message(requestID: 26, .runJob(JobSpec(
      processes: [ProcessSpec(arguments: ["cat"], descriptors: [DescriptorSetting(0, .terminal)])],
      terminal: TerminalSpec(foreground: false)))),
    Message(requestID: 2, .runJob(JobSpec(processes: [ProcessSpec(arguments: ["true"], descriptors: [])]))),
    Message(requestID: 3, .changeDirectory(path: bytes("~/Documents"))),
    Message(requestID: 4, .setEnvironment(name: bytes("PRINTER"), value: bytes("office"))),
    Message(requestID: 5, .unsetEnvironment(name: bytes("PRINTER"))),
    Message(requestID: 6, .setUmask(mask: 0o022)),
    Message(requestID: 7, .setUmask(mask: nil)),
    Message(requestID: 8, .expandPattern(pattern: bytes("*.c"), limit: 10_000, globStar: false)),
    Message(requestID: 8, .expandPattern(pattern: bytes("src/**/*.c"), limit: 10_000, globStar: true)),
    Message(requestID: 9, .listDirectory(path: bytes("src"), prefix: bytes("ma"), limit: 500)),
    Message(requestID: 10, .listCommands(prefix: bytes("ls"), limit: 100)),
    Message(requestID: 11, .openStreams(direction: .guestToHost, count: 3)),
    Message(requestID: 12, .openHostFile(path: bytes("notes.txt"), mode: .read, permissions: 0o666)),
    Message(requestID: 13, .signalJob(jobID: 4, signal: 18)),
    Message(requestID: 14, .resizeTerminal(jobID: 4, rows: 24, columns: 80)),
    Message(requestID: 15, .setForeground(jobID: 4, foreground: false)),
    Message(requestID: UInt32.max, .ping),
    Message(requestID: 27, .openTerminal(termios: [UInt8](repeating: 3, count: 60) + [0xFF, 0x00], rows: 50, columns: 132)),
    Message(requestID: 28, .openTerminal(termios: [], rows: 0, columns: UInt16.max)),
    Message(requestID: 16, .ok),
    Message(requestID: 17, .error(code: 2, message: bytes("No such file or directory"))),
    Message(requestID: 0, .error(code: 71, message: bytes("malformed frame"))),
    Message(requestID: 18, .jobStarted(jobID: 4, processGroup: 1234, processIDs: [1234, 1235])),
    Message(requestID: 19, .workingDirectory(path: bytes("/Users/me/Documents"))),
    Message(requestID: 20, .umask(previous: 0o077)),
    Message(requestID: 21, .names([bytes("a.c"), bytes("b.c"), []], truncated: false)),
    Message(requestID: 22, .names([], truncated: true)),
    Message(requestID: 23, .directoryEntries(
      [DirectoryEntry(name: bytes("Makefile"), kind: .regular),
       DirectoryEntry(name: bytes("src"), kind: .directory),
       DirectoryEntry(name: bytes("run"), kind: .executable)], truncated: false)),
    Message(requestID: 24, .streamTokens([token, otherToken])),
    Message(requestID: 25, .hostFileOpened),
    Message(requestID: 29, .terminalOpened),
    Message(.jobStopped(jobID: 4, signal: 20)),
    Message(.jobContinued(jobID: 4)),
    Message(.processExited(jobID: 4, index: 1, status: .exited(code: 0))),
    Message(.processExited(jobID: 4, index: 0, status: .signaled(signal: 13, coreDumped: false))),
    Message(.jobFinished(jobID: 4, statuses: [.signaled(signal: 11, coreDumped: true), .exited(code: 255)], terminalOutput: 0)),
    Message(.jobFinished(jobID: 5, statuses: [.exited(code: 0)], terminalOutput: 1 << 40)),
  ]

  /// All samples back to back, as a peer would send them.
  static var stream: [UInt8] { messages.flatMap { $0.encode() } }
}
