import DoshProtocol
import Testing

/// Mutates valid frames (flip, replace, insert, delete bytes, splice length prefixes) and decodes
/// them: every outcome must be a message or a ProtocolError, quickly and without big allocations.
@Suite struct MutationTests {
  @Test func hundredThousandMutatedFrames() {
    var generator = SplitMix64(seed: 2024)
    let frames = Samples.messages.map { $0.encode() }
    var decoded = 0
    var refused = 0
    for round in 0..<100_000 {
      var bytes = frames[round % frames.count]
      let mutations = Int.random(in: 1...4, using: &generator)
      for _ in 0..<mutations { mutate(&bytes, using: &generator) }
      var decoder = FrameDecoder()
      // Feed in two chunks to also exercise partial frames.
      let split = bytes.isEmpty ? 0 : Int.random(in: 0...bytes.count, using: &generator)
      do {
        decoder.append(bytes[..<split])
        while try decoder.nextMessage() != nil { decoded += 1 }
        decoder.append(bytes[split...])
        while let message = try decoder.nextMessage() {
          decoded += 1
          // Whatever decoded must encode back to a frame that decodes to the same message.
          let again = try Message.decode(payload: message.encode()[4...])
          if again != message { Issue.record("re-encoding changed \(message)") }
        }
      } catch {
        refused += 1
      }
    }
    #expect(refused > 10_000)
    #expect(decoded > 1_000)
  }

  private func mutate(_ bytes: inout [UInt8], using generator: inout SplitMix64) {
    let interesting: [UInt8] = [0, 1, 0x7F, 0x80, 0xFE, 0xFF]
    switch Int.random(in: 0..<6, using: &generator) {
    case 0 where !bytes.isEmpty:
      let index = Int.random(in: 0..<bytes.count, using: &generator)
      bytes[index] ^= UInt8(1) << UInt8.random(in: 0..<8, using: &generator)
    case 1 where !bytes.isEmpty:
      let index = Int.random(in: 0..<bytes.count, using: &generator)
      bytes[index] = interesting.randomElement(using: &generator)!
    case 2:
      let index = Int.random(in: 0...bytes.count, using: &generator)
      bytes.insert(UInt8.random(in: 0...255, using: &generator), at: index)
    case 3 where !bytes.isEmpty:
      bytes.remove(at: Int.random(in: 0..<bytes.count, using: &generator))
    case 4 where bytes.count >= 8:
      // Overwrite a 4-byte field (a length or count) with an extreme value.
      let index = Int.random(in: 4...(bytes.count - 4), using: &generator)
      let values: [UInt32] = [0, 1, 0x7FFF_FFFF, 0xFFFF_FFFF, 0x0010_0000, UInt32(bytes.count)]
      let value = values.randomElement(using: &generator)!
      for k in 0..<4 { bytes[index + k] = UInt8(truncatingIfNeeded: value >> (24 - 8 * UInt32(k))) }
    default:
      bytes.removeLast(min(bytes.count, Int.random(in: 0...3, using: &generator)))
    }
  }
}
