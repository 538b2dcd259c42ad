@testable import DoshTransport
import Testing

@Suite struct ChannelFrameTests {
  static let frames: [ChannelFrame] = [
    .open(stream: 1), .data(stream: 7, bytes: Array(0...255)), .data(stream: 7, bytes: []),
    .window(stream: 0xFFFF_FFFF, credit: 65_536), .end(stream: 2), .reset(stream: 3),
    .data(stream: 9, bytes: [UInt8](repeating: 0x5A, count: ChannelFrame.maximumPayload)),
  ]

  static func encoded(_ frames: [ChannelFrame]) -> [UInt8] {
    var bytes = ChannelFrame.greeting
    for frame in frames { frame.encode(into: &bytes) }
    return bytes
  }

  static func decodeAll(_ bytes: [UInt8], chunk: Int) throws(ChannelFrameError) -> [ChannelFrame] {
    var decoder = ChannelFrameDecoder()
    var frames: [ChannelFrame] = []
    var index = 0
    while index < bytes.count {
      decoder.feed(bytes[index..<min(index + chunk, bytes.count)])
      index += chunk
      while let frame = try decoder.next() { frames.append(frame) }
    }
    return frames
  }

  @Test(arguments: [1, 7, 4096, 1 << 20])
  func framesSurviveAnyCutting(chunk: Int) throws {
    #expect(try Self.decodeAll(Self.encoded(Self.frames), chunk: chunk) == Self.frames)
  }

  @Test func aChannelThatSaysSomethingElseIsRefusedWithWhatItSaid() {
    var decoder = ChannelFrameDecoder()
    decoder.feed(Array("Welcome to box!\n".utf8))
    #expect(throws: ChannelFrameError(description: "the channel does not speak dosh (it said 'Welcome to box!\\n')")) {
      try decoder.next()
    }
  }

  @Test func aPartialGreetingWaits() throws {
    var decoder = ChannelFrameDecoder()
    decoder.feed(ChannelFrame.greeting.prefix(5))
    #expect(try decoder.next() == nil)
  }

  @Test(arguments: [
    ([9, 0, 0, 0, 1, 0, 0, 0, 0] as [UInt8], "unknown channel frame type 9"),
    ([2, 0, 0, 0, 1, 0, 1, 0, 1], "a channel frame of 65537 bytes (at most 65536)"),
    ([3, 0, 0, 0, 1, 0, 0, 0, 3], "a channel frame of type 3 with 3 bytes of payload"),
    ([1, 0, 0, 0, 1, 0, 0, 0, 1], "a channel frame of type 1 with 1 bytes of payload"),
    ([2, 0, 0, 0, 1, 0xFF, 0xFF, 0xFF, 0xFF], "a channel frame of 4294967295 bytes (at most 65536)"),
  ])
  func hostileHeadersGetAnError(header: [UInt8], message: String) {
    var decoder = ChannelFrameDecoder()
    decoder.feed(ChannelFrame.greeting + header)
    #expect(throws: ChannelFrameError(description: message)) { try decoder.next() }
  }

  /// Random bytes after the greeting: an error or frames, never a crash or a frame over the limit.
  @Test func randomBytesNeverCrash() {
    var generator = SystemRandomNumberGenerator()
    for _ in 0..<2000 {
      var decoder = ChannelFrameDecoder()
      let count = Int.random(in: 0..<64, using: &generator)
      decoder.feed(ChannelFrame.greeting + (0..<count).map { _ in UInt8.random(in: 0...255, using: &generator) })
      while let frame = try? decoder.next() {
        if case .data(_, let bytes) = frame { #expect(bytes.count <= ChannelFrame.maximumPayload) }
      }
    }
  }
}
