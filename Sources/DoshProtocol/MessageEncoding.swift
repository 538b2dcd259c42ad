extension Message {
  /// The whole frame: length prefix, type, request id, fields.
  public func encode() -> [UInt8] {
    var writer = ByteWriter()
    writer.write(UInt32(0))  // length, patched below
    writer.write(body.type.rawValue)
    writer.write(requestID)
    body.encodeFields(into: &writer)
    let payloadLength = writer.bytes.count - ProtocolLimits.lengthPrefixSize
    writer.patch(UInt32(truncatingIfNeeded: payloadLength), at: 0)
    return writer.bytes
  }

  /// The encoded payload size, to check against the limit before sending something built from
  /// user data (a huge argv, say).
  public var encodedPayloadSize: Int { encode().count - ProtocolLimits.lengthPrefixSize }
}

extension Message.Body {
  func encodeFields(into w: inout ByteWriter) {
    switch self {
    case .hello(let hello):
      w.write(hello.role.rawValue)
      w.write(hello.versions.lowerBound)
      w.write(hello.versions.upperBound)
      w.writeBytes(hello.software)
      w.writeBytes(hello.nonce)
    case .challenge(let nonce):
      w.writeBytes(nonce)
    case .authenticate(let proof):
      w.writeBytes(proof)
    case .welcome(let info):
      w.writeBytes(info.hostName)
      w.writeBytes(info.workingDirectory)
      w.writeBytes(info.homeDirectory)
      w.writeBytes(info.userName)
      w.writeArray(info.environment) { w, variable in
        w.writeBytes(variable.name)
        w.writeBytes(variable.value)
      }
      w.write(info.shadowProcessID)
      w.writeOptional(info.agentProof) { w, proof in w.writeBytes(proof) }
    case .refused(let reason):
      w.writeBytes(reason)
    case .attachStream(let token):
      w.writeFixed(token.bytes)
    case .runJob(let job):
      w.writeArray(job.processes) { w, process in process.encode(into: &w) }
      w.writeOptional(job.terminal) { w, terminal in w.write(terminal.foreground) }
      w.writeBytes(job.messagePrefix)
    case .changeDirectory(let path):
      w.writeBytes(path)
    case .setEnvironment(let name, let value):
      w.writeBytes(name)
      w.writeBytes(value)
    case .unsetEnvironment(let name):
      w.writeBytes(name)
    case .setUmask(let mask):
      w.writeOptional(mask) { w, mask in w.write(mask) }
    case .expandPattern(let pattern, let limit, let globStar):
      w.writeBytes(pattern)
      w.write(limit)
      w.write(globStar)
    case .listDirectory(let path, let prefix, let limit):
      w.writeBytes(path)
      w.writeBytes(prefix)
      w.write(limit)
    case .listCommands(let prefix, let limit):
      w.writeBytes(prefix)
      w.write(limit)
    case .openStreams(let direction, let count):
      w.write(direction.rawValue)
      w.write(count)
    case .openHostFile(let path, let mode, let permissions):
      w.writeBytes(path)
      w.write(mode.rawValue)
      w.write(permissions)
    case .signalJob(let jobID, let signal):
      w.write(jobID)
      w.write(signal)
    case .resizeTerminal(let jobID, let rows, let columns):
      w.write(jobID)
      w.write(rows)
      w.write(columns)
    case .setForeground(let jobID, let foreground):
      w.write(jobID)
      w.write(foreground)
    case .openTerminal(let termios, let rows, let columns):
      w.writeBytes(termios)
      w.write(rows)
      w.write(columns)
    case .ping, .ok, .hostFileOpened, .terminalOpened:
      break
    case .error(let code, let message):
      w.write(code)
      w.writeBytes(message)
    case .jobStarted(let jobID, let processGroup, let processIDs):
      w.write(jobID)
      w.write(processGroup)
      w.writeArray(processIDs) { w, pid in w.write(pid) }
    case .workingDirectory(let path):
      w.writeBytes(path)
    case .umask(let previous):
      w.write(previous)
    case .names(let names, let truncated):
      w.writeArray(names) { w, name in w.writeBytes(name) }
      w.write(truncated)
    case .directoryEntries(let entries, let truncated):
      w.writeArray(entries) { w, entry in
        w.writeBytes(entry.name)
        w.write(entry.kind.rawValue)
      }
      w.write(truncated)
    case .streamTokens(let tokens):
      w.writeArray(tokens) { w, token in w.writeFixed(token.bytes) }
    case .jobStopped(let jobID, let signal):
      w.write(jobID)
      w.write(signal)
    case .jobContinued(let jobID):
      w.write(jobID)
    case .processExited(let jobID, let index, let status):
      w.write(jobID)
      w.write(index)
      status.encode(into: &w)
    case .jobFinished(let jobID, let statuses, let terminalOutput):
      w.write(jobID)
      w.writeArray(statuses) { w, status in status.encode(into: &w) }
      w.write(terminalOutput)
    }
  }
}

extension ProcessSpec {
  func encode(into w: inout ByteWriter) {
    w.writeArray(arguments) { w, argument in w.writeBytes(argument) }
    w.writeArray(environment) { w, change in
      switch change {
      case .set(let name, let value):
        w.write(UInt8(1))
        w.writeBytes(name)
        w.writeBytes(value)
      case .unset(let name):
        w.write(UInt8(2))
        w.writeBytes(name)
      }
    }
    w.writeArray(descriptors) { w, setting in
      w.write(setting.descriptor)
      switch setting.source {
      case .stream(let token):
        w.write(UInt8(1))
        w.writeFixed(token.bytes)
      case .file(let path, let mode, let permissions):
        w.write(UInt8(2))
        w.writeBytes(path)
        w.write(mode.rawValue)
        w.write(permissions)
      case .pipeToNext:
        w.write(UInt8(3))
      case .pipeFromPrevious:
        w.write(UInt8(4))
      case .duplicate(let source):
        w.write(UInt8(5))
        w.write(source)
      case .closed:
        w.write(UInt8(6))
      case .terminal:
        w.write(UInt8(7))
      case .passed(let index):
        w.write(UInt8(8))
        w.write(index)
      }
    }
  }
}

extension ExitStatus {
  func encode(into w: inout ByteWriter) {
    switch self {
    case .exited(let code):
      w.write(UInt8(1))
      w.write(code)
    case .signaled(let signal, let coreDumped):
      w.write(UInt8(2))
      w.write(signal)
      w.write(coreDumped)
    }
  }
}
