@testable import DoshShadow
import DoshProtocol
import Foundation
import Testing

/// Stream tokens: single-use, bound to their session's route, expiring when unused.
@Suite struct StreamTableTests {
  let start = ContinuousClock.now

  @Test func tokensCarryTheRouteAndAttachOnce() {
    var table = StreamTable(route: 4242)
    let token = table.issue(.job(.guestToHost), now: start)!
    #expect(token.route == 4242)
    guard case .job = table.attach(token, fd: -1, now: start) else {
      Issue.record("a fresh token did not attach")
      return
    }
    #expect(table.attach(token, fd: -1, now: start) == nil)
    guard case .attached(-1, .guestToHost) = table.claim(token, now: start) else {
      Issue.record("the attached connection was not claimable")
      return
    }
    guard case .invalid = table.claim(token, now: start) else {
      Issue.record("a claimed token was claimable again")
      return
    }
  }

  @Test func unusedTokensExpire() {
    var table = StreamTable(route: 1)
    let token = table.issue(.job(.hostToGuest), now: start)!
    guard case .pending = table.claim(token, now: start.advanced(by: .seconds(29))) else {
      Issue.record("a young token was not pending")
      return
    }
    #expect(table.attach(token, fd: -1, now: start.advanced(by: .seconds(31))) == nil)
    #expect(!table.hasUnattachedTokens)
  }

  @Test func anAttachedConnectionWaitsForItsJob() {
    var table = StreamTable(route: 1)
    let token = table.issue(.job(.guestToHost), now: start)!
    _ = table.attach(token, fd: -1, now: start)
    #expect(!table.hasUnattachedTokens)
    guard case .attached(-1, .guestToHost) = table.claim(token, now: start.advanced(by: .seconds(3600))) else {
      Issue.record("a warm connection expired")
      return
    }
  }

  @Test func aFullTableDropsConnectionsWhoseGuestHungUp() {
    var table = StreamTable(route: 1)
    var pair: [Int32] = [-1, -1]
    #expect(socketpair(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0, &pair) == 0)
    let abandoned = table.issue(.job(.guestToHost), now: start)!
    _ = table.attach(abandoned, fd: pair[0], now: start)
    close(pair[1])
    for _ in 1..<StreamTable.maximumPending { #expect(table.issue(.job(.both), now: start) != nil) }
    #expect(table.issue(.job(.both), now: start) != nil)
    #expect(fcntl(pair[0], F_GETFD) < 0)
    guard case .invalid = table.claim(abandoned, now: start) else {
      Issue.record("a hung-up connection stayed claimable")
      return
    }
  }

  @Test func anExpiredHostFileTokenClosesItsFile() throws {
    var table = StreamTable(route: 1)
    let fd = open("/dev/null", O_RDONLY)
    _ = table.issue(.hostFile(fd: fd, mode: .read), now: start)
    table.expire(now: start.advanced(by: .seconds(31)))
    #expect(fcntl(fd, F_GETFD) < 0)
  }

  @Test func pendingTokensAreBounded() {
    var table = StreamTable(route: 1)
    for _ in 0..<StreamTable.maximumPending { #expect(table.issue(.job(.both), now: start) != nil) }
    #expect(table.issue(.job(.both), now: start) == nil)
  }

  @Test func aForgedTokenForTheRightRouteIsRefused() {
    var table = StreamTable(route: 7)
    let token = table.issue(.terminal, now: start)!
    var bytes = token.bytes
    bytes[15] ^= 1
    #expect(table.attach(StreamToken(bytes: bytes)!, fd: -1, now: start) == nil)
  }
}
