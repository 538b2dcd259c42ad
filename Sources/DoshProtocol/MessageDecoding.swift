extension Message {
  /// Decodes one payload (the bytes after the length prefix). Every field is validated; bytes
  /// left over are an error.
  public static func decode(payload: ArraySlice<UInt8>) throws(ProtocolError) -> Message {
    var r = ByteReader(payload)
    let typeByte = try r.readUInt8("message type")
    guard let type = MessageType(rawValue: typeByte) else {
      throw .unknownMessageType(typeByte)
    }
    let requestID = try r.readUInt32("request id")
    let body = try Body.decodeFields(of: type, from: &r)
    guard r.remaining == 0 else { throw .trailingBytes(count: r.remaining, messageType: type.name) }
    try checkRequestID(requestID, for: type)
    return Message(requestID: requestID, body)
  }

  /// Requests need an id to be answered by; handshake messages and events have none.
  private static func checkRequestID(_ id: UInt32, for type: MessageType) throws(ProtocolError) {
    if type.isRequest, id == 0 {
      throw .invalidFieldValue(field: "request id", reason: "a \(type.name) request needs a nonzero id")
    }
    if type.isEvent || type.rawValue < 0x10, id != 0 {
      throw .invalidFieldValue(field: "request id", reason: "a \(type.name) message carries id 0")
    }
  }
}

extension Message.Body {
  static func decodeFields(of type: MessageType, from r: inout ByteReader) throws(ProtocolError) -> Self {
    switch type {
    case .hello:
      let role = try r.readEnum(PeerRole.self, "role")
      let low = try r.readUInt16("minimum version")
      let high = try r.readUInt16("maximum version")
      guard low <= high else {
        throw .invalidFieldValue(field: "maximum version", reason: "\(high) is below the minimum \(low)")
      }
      let software = try r.readBytes("software", limit: 256)
      let nonce = try r.readBytes("nonce", limit: ProtocolLimits.nonceSize)
      guard nonce.isEmpty || nonce.count == ProtocolLimits.nonceSize else {
        throw .invalidFieldValue(field: "nonce", reason: "\(nonce.count) bytes, expected 0 or \(ProtocolLimits.nonceSize)")
      }
      return .hello(Hello(role: role, versions: low...high, software: software, nonce: nonce))
    case .challenge:
      return .challenge(nonce: try r.readExactBytes("nonce", count: ProtocolLimits.nonceSize))
    case .authenticate:
      return .authenticate(proof: try r.readExactBytes("proof", count: ProtocolLimits.proofSize))
    case .welcome:
      let hostName = try r.readBytes("host name")
      let cwd = try r.readBytes("working directory")
      let home = try r.readBytes("home directory")
      let user = try r.readBytes("user name")
      let environment = try r.readArray("environment", minimumElementSize: 8) { (r: inout ByteReader) throws(ProtocolError) in
        EnvironmentVariable(name: try r.readBytes("environment name"), value: try r.readBytes("environment value"))
      }
      let pid = try r.readInt32("shadow pid")
      let proof = try r.readOptional("agent proof") { (r: inout ByteReader) throws(ProtocolError) in
        try r.readExactBytes("agent proof", count: ProtocolLimits.proofSize)
      }
      return .welcome(SessionInfo(
        hostName: hostName, workingDirectory: cwd, homeDirectory: home, userName: user,
        environment: environment, shadowProcessID: pid, agentProof: proof))
    case .refused:
      return .refused(reason: try r.readBytes("reason"))
    case .attachStream:
      return .attachStream(try r.readToken("stream token"))
    case .runJob:
      let processes = try r.readArray(
        "processes", minimumElementSize: 12, limit: ProtocolLimits.maximumProcessesPerJob
      ) { (r: inout ByteReader) throws(ProtocolError) in try ProcessSpec.decode(from: &r) }
      guard !processes.isEmpty else {
        throw .invalidFieldValue(field: "processes", reason: "a job needs at least one process")
      }
      let terminal = try r.readOptional("terminal") { (r: inout ByteReader) throws(ProtocolError) in
        TerminalSpec(foreground: try r.readBool("foreground"))
      }
      let prefix = try r.readBytes("messagePrefix", limit: ProtocolLimits.maximumMessagePrefixSize)
      return .runJob(JobSpec(processes: processes, terminal: terminal, messagePrefix: prefix))
    case .changeDirectory:
      return .changeDirectory(path: try r.readCString("path"))
    case .setEnvironment:
      return .setEnvironment(name: try r.readVariableName("name"), value: try r.readCString("value"))
    case .unsetEnvironment:
      return .unsetEnvironment(name: try r.readVariableName("name"))
    case .setUmask:
      let mask = try r.readOptional("mask") { (r: inout ByteReader) throws(ProtocolError) in
        try r.readPermissions("mask", maximum: 0o777)
      }
      return .setUmask(mask: mask)
    case .expandPattern:
      return .expandPattern(pattern: try r.readCString("pattern"), limit: try r.readUInt32("limit"), globStar: try r.readBool("globStar"))
    case .listDirectory:
      return .listDirectory(
        path: try r.readCString("path"), prefix: try r.readCString("prefix"),
        limit: try r.readUInt32("limit"))
    case .listCommands:
      return .listCommands(prefix: try r.readCString("prefix"), limit: try r.readUInt32("limit"))
    case .openStreams:
      let direction = try r.readEnum(StreamDirection.self, "direction")
      let count = try r.readUInt32("count")
      guard (1...UInt32(ProtocolLimits.maximumStreamsPerRequest)).contains(count) else {
        throw .invalidFieldValue(
          field: "count", reason: "\(count) streams, 1 to \(ProtocolLimits.maximumStreamsPerRequest) allowed")
      }
      return .openStreams(direction: direction, count: count)
    case .openHostFile:
      return .openHostFile(
        path: try r.readCString("path"), mode: try r.readEnum(OpenMode.self, "mode"),
        permissions: try r.readPermissions("permissions", maximum: 0o7777))
    case .signalJob:
      return .signalJob(jobID: try r.readUInt32("job id"), signal: try r.readSignal("signal"))
    case .resizeTerminal:
      return .resizeTerminal(
        jobID: try r.readUInt32("job id"), rows: try r.readUInt16("rows"),
        columns: try r.readUInt16("columns"))
    case .setForeground:
      return .setForeground(jobID: try r.readUInt32("job id"), foreground: try r.readBool("foreground"))
    case .ping:
      return .ping
    case .openTerminal:
      return .openTerminal(
        termios: try r.readBytes("termios", limit: ProtocolLimits.maximumTermiosSize),
        rows: try r.readUInt16("rows"), columns: try r.readUInt16("columns"))
    case .ok:
      return .ok
    case .hostFileOpened:
      return .hostFileOpened
    case .terminalOpened:
      return .terminalOpened
    case .error:
      return .error(code: try r.readInt32("errno"), message: try r.readBytes("message"))
    case .jobStarted:
      let jobID = try r.readUInt32("job id")
      let group = try r.readInt32("process group")
      let pids = try r.readArray("process ids", minimumElementSize: 4) { (r: inout ByteReader) throws(ProtocolError) in
        try r.readInt32("process id")
      }
      return .jobStarted(jobID: jobID, processGroup: group, processIDs: pids)
    case .workingDirectory:
      return .workingDirectory(path: try r.readBytes("path"))
    case .umask:
      return .umask(previous: try r.readPermissions("previous", maximum: 0o777))
    case .names:
      let names = try r.readArray("names", minimumElementSize: 4) { (r: inout ByteReader) throws(ProtocolError) in
        try r.readBytes("name")
      }
      return .names(names, truncated: try r.readBool("truncated"))
    case .directoryEntries:
      let entries = try r.readArray("entries", minimumElementSize: 5) { (r: inout ByteReader) throws(ProtocolError) in
        DirectoryEntry(name: try r.readBytes("entry name"), kind: try r.readEnum(DirectoryEntry.Kind.self, "entry kind"))
      }
      return .directoryEntries(entries, truncated: try r.readBool("truncated"))
    case .streamTokens:
      let tokens = try r.readArray(
        "tokens", minimumElementSize: ProtocolLimits.streamTokenSize,
        limit: ProtocolLimits.maximumStreamsPerRequest
      ) { (r: inout ByteReader) throws(ProtocolError) in try r.readToken("stream token") }
      return .streamTokens(tokens)
    case .jobStopped:
      return .jobStopped(jobID: try r.readUInt32("job id"), signal: try r.readSignal("signal"))
    case .jobContinued:
      return .jobContinued(jobID: try r.readUInt32("job id"))
    case .processExited:
      return .processExited(
        jobID: try r.readUInt32("job id"), index: try r.readUInt32("index"),
        status: try ExitStatus.decode(from: &r))
    case .jobFinished:
      let jobID = try r.readUInt32("job id")
      let statuses = try r.readArray("statuses", minimumElementSize: 5) { (r: inout ByteReader) throws(ProtocolError) in
        try ExitStatus.decode(from: &r)
      }
      return .jobFinished(jobID: jobID, statuses: statuses, terminalOutput: try r.readUInt64("terminal output"))
    }
  }
}

extension ProcessSpec {
  static func decode(from r: inout ByteReader) throws(ProtocolError) -> ProcessSpec {
    let arguments = try r.readArray("arguments", minimumElementSize: 4) { (r: inout ByteReader) throws(ProtocolError) in
      try r.readCString("argument")
    }
    guard let first = arguments.first, !first.isEmpty else {
      throw .invalidFieldValue(field: "arguments", reason: "a process needs a nonempty command name")
    }
    let environment = try r.readArray("environment changes", minimumElementSize: 5) { (r: inout ByteReader) throws(ProtocolError) -> EnvironmentChange in
      switch try r.readUInt8("environment change kind") {
      case 1: return .set(name: try r.readVariableName("name"), value: try r.readCString("value"))
      case 2: return .unset(name: try r.readVariableName("name"))
      case let other: throw .invalidFieldValue(field: "environment change kind", reason: "unknown kind \(other)")
      }
    }
    let descriptors = try r.readArray("descriptors", minimumElementSize: 5) { (r: inout ByteReader) throws(ProtocolError) -> DescriptorSetting in
      let descriptor = try r.readDescriptor("descriptor")
      let source: DescriptorSource
      switch try r.readUInt8("descriptor source") {
      case 1: source = .stream(try r.readToken("stream token"))
      case 2:
        source = .file(
          path: try r.readCString("path"), mode: try r.readEnum(OpenMode.self, "mode"),
          permissions: try r.readPermissions("permissions", maximum: 0o7777))
      case 3: source = .pipeToNext
      case 4: source = .pipeFromPrevious
      case 5: source = .duplicate(try r.readDescriptor("duplicated descriptor"))
      case 6: source = .closed
      case 7: source = .terminal
      case 8:
        let index = try r.readUInt32("passed descriptor index")
        guard index < UInt32(ProtocolLimits.maximumPassedDescriptors) else {
          throw .invalidFieldValue(
            field: "passed descriptor index", reason: "\(index) is not below \(ProtocolLimits.maximumPassedDescriptors)")
        }
        source = .passed(index: index)
      case let other: throw .invalidFieldValue(field: "descriptor source", reason: "unknown kind \(other)")
      }
      return DescriptorSetting(descriptor, source)
    }
    return ProcessSpec(arguments: arguments, environment: environment, descriptors: descriptors)
  }
}

extension ExitStatus {
  static func decode(from r: inout ByteReader) throws(ProtocolError) -> ExitStatus {
    switch try r.readUInt8("status kind") {
    case 1:
      return .exited(code: try r.readInt32("exit code"))
    case 2:
      return .signaled(signal: try r.readSignal("signal"), coreDumped: try r.readBool("core dumped"))
    case let other:
      throw .invalidFieldValue(field: "status kind", reason: "unknown kind \(other)")
    }
  }
}

/// Field readers with the protocol's validation rules.
extension ByteReader {
  mutating func readEnum<Value: RawRepresentable<UInt8>>(
    _ type: Value.Type, _ field: String
  ) throws(ProtocolError) -> Value {
    let raw = try readUInt8(field)
    guard let value = Value(rawValue: raw) else {
      throw .invalidFieldValue(field: field, reason: "unknown value \(raw)")
    }
    return value
  }

  mutating func readExactBytes(_ field: String, count: Int) throws(ProtocolError) -> [UInt8] {
    let bytes = try readBytes(field, limit: count)
    guard bytes.count == count else {
      throw .invalidFieldValue(field: field, reason: "\(bytes.count) bytes, expected \(count)")
    }
    return bytes
  }

  mutating func readToken(_ field: String) throws(ProtocolError) -> StreamToken {
    let bytes = try readFixed(ProtocolLimits.streamTokenSize, field)
    guard let token = StreamToken(bytes: bytes) else { throw .truncatedField(field) }
    return token
  }

  /// Bytes that become a C string on the host (a path, an argument): no NUL inside.
  mutating func readCString(_ field: String) throws(ProtocolError) -> [UInt8] {
    let bytes = try readBytes(field)
    guard !bytes.contains(0) else {
      throw .invalidFieldValue(field: field, reason: "contains a NUL byte")
    }
    return bytes
  }

  /// An environment variable name: nonempty, no `=`, no NUL.
  mutating func readVariableName(_ field: String) throws(ProtocolError) -> [UInt8] {
    let name = try readCString(field)
    guard !name.isEmpty, !name.contains(UInt8(ascii: "=")) else {
      throw .invalidFieldValue(field: field, reason: "not a variable name (empty or contains '=')")
    }
    return name
  }

  mutating func readPermissions(_ field: String, maximum: UInt16) throws(ProtocolError) -> UInt16 {
    let value = try readUInt16(field)
    guard value <= maximum else {
      throw .invalidFieldValue(field: field, reason: "mode \(String(value, radix: 8)) is above \(String(maximum, radix: 8))")
    }
    return value
  }

  mutating func readSignal(_ field: String) throws(ProtocolError) -> Int32 {
    let value = try readInt32(field)
    guard (0...127).contains(value) else {
      throw .invalidFieldValue(field: field, reason: "\(value) is not a signal number")
    }
    return value
  }

  mutating func readDescriptor(_ field: String) throws(ProtocolError) -> Int32 {
    let value = try readInt32(field)
    guard (0...1023).contains(value) else {
      throw .invalidFieldValue(field: field, reason: "fd \(value) is outside 0-1023")
    }
    return value
  }
}
