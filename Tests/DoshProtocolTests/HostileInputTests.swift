import DoshProtocol
import Testing

/// Frames a peer could send on purpose or by accident. Each must end in a ProtocolError.
@Suite struct HostileInputTests {
  func decodeAll(_ bytes: [UInt8]) throws(ProtocolError) -> [Message] {
    var decoder = FrameDecoder()
    decoder.append(bytes)
    var messages: [Message] = []
    while let message = try decoder.nextMessage() { messages.append(message) }
    return messages
  }

  func frame(_ payload: [UInt8]) -> [UInt8] {
    let n = UInt32(payload.count)
    return [UInt8(n >> 24), UInt8(truncatingIfNeeded: n >> 16), UInt8(truncatingIfNeeded: n >> 8),
            UInt8(truncatingIfNeeded: n)] + payload
  }

  @Test(arguments: [
    [0xFF, 0xFF, 0xFF, 0xFF], [0xFF, 0xFF, 0xFF, 0xFE], [0xFE, 0xFF, 0xFF, 0xFF],
    [0x00, 0x10, 0x00, 0x05], [0x05, 0x00, 0x10, 0x00], [0x80, 0x00, 0x00, 0x00],
  ] as [[UInt8]])
  func hugeLengthsAreRefusedAtOnce(_ prefix: [UInt8]) {
    var decoder = FrameDecoder()
    decoder.append(prefix)
    #expect(throws: ProtocolError.frameTooLarge(length: UInt64(FrameDecoder.readLength(prefix)),
                                                limit: ProtocolLimits.maximumPayloadSize)) {
      try decoder.nextMessage()
    }
    // It stays failed: the stream cannot be trusted any more.
    decoder.append(Message(.ping).encode())
    #expect(throws: ProtocolError.self) { try decoder.nextMessage() }
  }

  @Test func largestFrameIsAccepted() throws {
    let message = Message(.refused(reason: [UInt8](repeating: 0x41, count: ProtocolLimits.maximumPayloadSize - 9)))
    let encoded = message.encode()
    #expect(encoded.count == ProtocolLimits.maximumPayloadSize + 4)
    #expect(try decodeAll(encoded) == [message])
    let tooBig = Message(.refused(reason: [UInt8](repeating: 0x41, count: ProtocolLimits.maximumPayloadSize - 8)))
    #expect(throws: ProtocolError.self) { try decodeAll(tooBig.encode()) }
  }

  @Test func appendingPastCapacityFails() {
    var decoder = FrameDecoder(maximumPayloadSize: 100)
    decoder.append([0, 0, 0, 50])
    decoder.append([UInt8](repeating: 0, count: 101))
    #expect(throws: ProtocolError.self) { try decoder.nextMessage() }
  }

  @Test func zeroLengthFrame() {
    #expect(throws: ProtocolError.truncatedField("message type")) { try decodeAll([0, 0, 0, 0]) }
  }

  @Test func headerOnlyPartly() {
    #expect(throws: ProtocolError.truncatedField("request id")) {
      try decodeAll(frame([MessageType.ok.rawValue, 0, 0]))
    }
  }

  @Test func unknownType() {
    #expect(throws: ProtocolError.unknownMessageType(0xEE)) { try decodeAll(frame([0xEE, 0, 0, 0, 1])) }
    #expect(throws: ProtocolError.unknownMessageType(0)) { try decodeAll(frame([0, 0, 0, 0, 0])) }
  }

  @Test func incompleteFrameWaitsForMore() throws {
    let encoded = Message(requestID: 3, .changeDirectory(path: Array("/tmp".utf8))).encode()
    for cut in 0..<encoded.count {
      #expect(try decodeAll(Array(encoded[..<cut])).isEmpty)
    }
  }

  @Test func everyTruncationOfEveryMessageIsRefused() {
    // Shorten the payload but keep the length prefix honest: the message ends inside a field.
    for message in Samples.messages {
      let payload = Array(message.encode()[4...])
      for cut in 0..<payload.count {
        #expect(throws: ProtocolError.self, "\(message.body.type.name) cut at \(cut)") {
          try decodeAll(frame(Array(payload[..<cut])))
        }
      }
    }
  }

  @Test func trailingGarbage() {
    for message in Samples.messages {
      let payload = Array(message.encode()[4...]) + [0xAB, 0xCD]
      #expect(throws: ProtocolError.trailingBytes(count: 2, messageType: message.body.type.name)) {
        try decodeAll(frame(payload))
      }
    }
  }

  @Test func countLargerThanRemainingBytes() {
    // names: count 0xFFFFFFFF with nothing behind it.
    let names = frame([MessageType.names.rawValue, 0, 0, 0, 1, 0xFF, 0xFF, 0xFF, 0xFF])
    #expect(throws: ProtocolError.truncatedField("names")) { try decodeAll(names) }
    // A byte string claiming 4 GiB.
    let cd = frame([MessageType.changeDirectory.rawValue, 0, 0, 0, 1, 0xFF, 0xFF, 0xFF, 0xF0, 0x41])
    #expect(throws: ProtocolError.truncatedField("path")) { try decodeAll(cd) }
    // Process count that would fit only with zero-size processes.
    let job = frame([MessageType.runJob.rawValue, 0, 0, 0, 1, 0, 0, 0, 200] + [UInt8](repeating: 0, count: 100))
    #expect(throws: ProtocolError.truncatedField("processes")) { try decodeAll(job) }
  }

  @Test func invalidValues() {
    func expectInvalid(_ message: Message, _ field: String) {
      #expect(throws: ProtocolError.self) { try decodeAll(message.encode()) }
      do {
        _ = try decodeAll(message.encode())
      } catch {
        guard case .invalidFieldValue(let got, _) = error else {
          Issue.record("\(error) is not an invalid value of \(field)")
          return
        }
        #expect(got == field)
      }
    }
    expectInvalid(Message(.ping), "request id")
    expectInvalid(Message(requestID: 5, .jobContinued(jobID: 1)), "request id")
    expectInvalid(Message(requestID: 1, .changeDirectory(path: [0x61, 0, 0x62])), "path")
    expectInvalid(Message(requestID: 1, .setEnvironment(name: Array("A=B".utf8), value: [])), "name")
    expectInvalid(Message(requestID: 1, .unsetEnvironment(name: [])), "name")
    expectInvalid(Message(requestID: 1, .setUmask(mask: 0o1000)), "mask")
    expectInvalid(Message(requestID: 1, .openStreams(direction: .both, count: 0)), "count")
    expectInvalid(Message(requestID: 1, .openStreams(direction: .both, count: 65)), "count")
    expectInvalid(Message(requestID: 1, .signalJob(jobID: 1, signal: -1)), "signal")
    expectInvalid(Message(requestID: 1, .runJob(JobSpec(processes: []))), "processes")
    expectInvalid(Message(requestID: 1, .runJob(JobSpec(processes: [ProcessSpec(arguments: [], descriptors: [])]))), "arguments")
    expectInvalid(Message(requestID: 1, .runJob(JobSpec(processes: [
      ProcessSpec(arguments: ["x"], descriptors: [DescriptorSetting(-1, .closed)])]))), "descriptor")
    expectInvalid(Message(requestID: 1, .openTerminal(termios: [UInt8](repeating: 1, count: 257), rows: 24, columns: 80)), "termios")
    expectInvalid(Message(requestID: 1, .runJob(JobSpec(
      processes: [ProcessSpec(arguments: ["x"], descriptors: [])], messagePrefix: [UInt8](repeating: 65, count: 257)))), "messagePrefix")
    expectInvalid(Message(.challenge(nonce: [1, 2, 3])), "nonce")
    expectInvalid(Message(.hello(Hello(role: .shell, software: [], nonce: [1]))), "nonce")
    var badBool = Message(requestID: 1, .setForeground(jobID: 1, foreground: true)).encode()
    badBool[badBool.count - 1] = 2
    #expect(throws: ProtocolError.invalidFieldValue(field: "foreground", reason: "2 is not a boolean (0 or 1)")) {
      try decodeAll(badBool)
    }
    var badForeground = Message(requestID: 1, .runJob(JobSpec(
      processes: [ProcessSpec(arguments: ["x"], descriptors: [])], terminal: TerminalSpec(foreground: false),
      messagePrefix: []))).encode()
    // The last field is the empty message prefix (its 4-byte length); the bool is before it.
    badForeground[badForeground.count - 5] = 7
    #expect(throws: ProtocolError.invalidFieldValue(field: "foreground", reason: "7 is not a boolean (0 or 1)")) {
      try decodeAll(badForeground)
    }
    var badRole = Message(.hello(Hello(role: .shell, software: []))).encode()
    badRole[9] = 9
    #expect(throws: ProtocolError.invalidFieldValue(field: "role", reason: "unknown value 9")) {
      try decodeAll(badRole)
    }
  }

  @Test func randomBytesNeverCrash() {
    var generator = SplitMix64(seed: 7)
    for _ in 0..<2_000 {
      let count = Int.random(in: 0...200, using: &generator)
      var bytes = (0..<count).map { _ in UInt8.random(in: 0...255, using: &generator) }
      if bytes.count >= 4, Bool.random(using: &generator) {
        // Make the length plausible so that the payload is actually parsed.
        let n = UInt32(bytes.count - 4)
        bytes.replaceSubrange(0..<4, with: [0, 0, UInt8(n >> 8), UInt8(truncatingIfNeeded: n)])
      }
      _ = try? decodeAll(bytes)
    }
  }

  @Test func errorDescriptionsAreClear() {
    #expect(ProtocolError.frameTooLarge(length: 4_294_967_295, limit: 1_048_576).description
      == "frame too large: 4294967295 bytes (limit 1048576)")
    #expect(ProtocolError.unknownMessageType(238).description == "unknown message type 238")
    #expect(ProtocolError.versionMismatch(local: 1...1, remote: 2...3).description
      == "protocol version mismatch: this side speaks version 1, the peer versions 2-3")
    #expect(ProtocolError.unexpectedMessage(received: "ping", expected: "hello").description
      == "unexpected message 'ping' (expected hello)")
  }
}
