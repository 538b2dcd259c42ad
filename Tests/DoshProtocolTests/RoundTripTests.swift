import DoshProtocol
import Testing

@Suite struct RoundTripTests {
  @Test func samplesCoverEveryMessageType() {
    let covered = Set(Samples.messages.map(\.body.type))
    let missing = MessageType.allCases.filter { !covered.contains($0) }
    #expect(missing.isEmpty, "no sample for \(missing)")
  }

  @Test(arguments: Samples.messages)
  func roundTrip(_ message: Message) throws {
    let frame = message.encode()
    let length = FrameDecoder.readLength(frame.prefix(4))
    #expect(Int(length) == frame.count - 4)
    #expect(frame[4] == message.body.type.rawValue)
    #expect(try Message.decode(payload: frame[4...]) == message)
  }

  @Test func headerLayoutIsBigEndian() {
    let frame = Message(requestID: 0x0102_0304, .ping).encode()
    #expect(frame == [0, 0, 0, 5, MessageType.ping.rawValue, 1, 2, 3, 4])
  }

  @Test func decoderFedByteByByte() throws {
    var decoder = FrameDecoder()
    var received: [Message] = []
    for byte in Samples.stream {
      decoder.append(CollectionOfOne(byte))
      while let message = try decoder.nextMessage() { received.append(message) }
    }
    #expect(received == Samples.messages)
    #expect(decoder.isAtFrameBoundary)
  }

  @Test func decoderFedRandomChunks() throws {
    var generator = SplitMix64(seed: 42)
    let stream = Samples.stream
    for _ in 0..<200 {
      var decoder = FrameDecoder()
      var received: [Message] = []
      var offset = 0
      while offset < stream.count {
        let size = min(Int.random(in: 1...300, using: &generator), stream.count - offset)
        decoder.append(stream[offset..<offset + size])
        offset += size
        while let message = try decoder.nextMessage() { received.append(message) }
      }
      #expect(received == Samples.messages)
    }
  }

  @Test func stringConveniences() {
    let process = ProcessSpec(arguments: ["grép", "x"], descriptors: [])
    #expect(process.arguments == [[0x67, 0x72, 0xC3, 0xA9, 0x70], [0x78]])
    #expect(Message.error(requestID: 3, code: 1, "no").body == .error(code: 1, message: [0x6E, 0x6F]))
  }

  @Test func versionNegotiation() throws {
    #expect(try ProtocolVersion.negotiate(local: 1...3, remote: 2...5) == 3)
    #expect(throws: ProtocolError.versionMismatch(local: 1...1, remote: 2...2)) {
      try ProtocolVersion.negotiate(local: 1...1, remote: 2...2)
    }
  }

  @Test func exitStatusAsShellStatus() {
    #expect(ExitStatus.exited(code: 3).shellStatus == 3)
    #expect(ExitStatus.signaled(signal: 13, coreDumped: false).shellStatus == 141)
  }

  @Test func randomTokensDiffer() {
    #expect(StreamToken.random() != StreamToken.random())
    #expect(Samples.token.description == "0102030405060708090a0b0c0d0e0f10")
  }
}

extension Message: CustomTestStringConvertible {
  public var testDescription: String { "\(body.type.name)#\(requestID)" }
}
