#if canImport(Glibc)
import Glibc
#endif
import DoshProtocol
import DoshSystem
import SystemPackage

/// The stream tokens a session issued and the data connections attached with them (tcp and
/// vsock, where descriptors cannot be passed; see docs/protocol.md, *Streams*).
///
/// A token is single-use: attaching consumes it. It expires `lifetime` after issue if unused.
/// A connection attached for a job waits for its `runJob` as long as the session lasts: the
/// shell keeps a few attached ahead of need (its warm connections).
struct StreamTable {
  /// What an attached connection becomes.
  enum Purpose {
    /// An fd of a job's process, claimed by the `runJob` naming the token.
    case job(StreamDirection)
    /// A relay to or from a host file opened for a guest command (the shadow owns `fd`).
    case hostFile(fd: Int32, mode: OpenMode)
    /// A relay to and from the session pty's master.
    case terminal
  }

  static let lifetime: Duration = .seconds(ProtocolLimits.streamTokenLifetimeSeconds)
  /// Tokens issued and not yet attached or expired, per session: bounds memory and fds.
  static let maximumPending = 256

  private struct Issued {
    var purpose: Purpose
    var expires: ContinuousClock.Instant
  }

  /// The route in every token: the shadow's pid, which the agent maps to this session.
  let route: UInt32
  private var issued: [StreamToken: Issued] = [:]
  private var attached: [StreamToken: (fd: Int32, direction: StreamDirection)] = [:]

  init(route: UInt32) {
    self.route = route
  }

  /// A fresh token for `purpose`; nil when too many are pending.
  mutating func issue(_ purpose: Purpose, now: ContinuousClock.Instant = .now) -> StreamToken? {
    expire(now: now)
    if issued.count + attached.count >= StreamTable.maximumPending { dropAbandoned() }
    guard issued.count + attached.count < StreamTable.maximumPending else { return nil }
    var token = StreamToken.random(route: route)
    while issued[token] != nil || attached[token] != nil { token = StreamToken.random(route: route) }
    issued[token] = Issued(purpose: purpose, expires: now.advanced(by: StreamTable.lifetime))
    return token
  }

  /// Consumes `token` for the connection `fd`. Job streams are kept until claimed; for the
  /// others the purpose is returned and the caller starts its relay. Nil (the caller closes
  /// `fd`) for a token that is unknown, used or expired.
  mutating func attach(_ token: StreamToken, fd: Int32, now: ContinuousClock.Instant = .now) -> Purpose? {
    expire(now: now)
    guard let entry = issued.removeValue(forKey: token) else { return nil }
    if case .job(let direction) = entry.purpose { attached[token] = (fd, direction) }
    return entry.purpose
  }

  /// What became of a token a job names.
  enum Claim {
    case attached(Int32, StreamDirection)
    /// Issued, not attached yet: wait for it until `expires`.
    case pending(expires: ContinuousClock.Instant)
    /// Unknown, used, expired, or issued for another purpose.
    case invalid
  }

  /// Takes the connection attached with a job token (the caller owns it from then on).
  mutating func claim(_ token: StreamToken, now: ContinuousClock.Instant = .now) -> Claim {
    expire(now: now)
    if let entry = attached.removeValue(forKey: token) { return .attached(entry.fd, entry.direction) }
    if let entry = issued[token], case .job = entry.purpose { return .pending(expires: entry.expires) }
    return .invalid
  }

  /// Drops what outlived its lifetime, closing the fds it held.
  mutating func expire(now: ContinuousClock.Instant) {
    for (token, entry) in issued where entry.expires <= now {
      issued[token] = nil
      if case .hostFile(let fd, _) = entry.purpose { close(fd) }
    }
  }

  /// Closes the attached connections whose guest end has hung up without a job claiming them
  /// (checked only when the table is full: a quiet session polls nothing).
  private mutating func dropAbandoned() {
    for (token, entry) in attached {
      guard FileDescriptor(rawValue: entry.fd).peerHasHungUp else { continue }
      attached[token] = nil
      close(entry.fd)
    }
  }

  /// Closes everything (the session ends).
  mutating func removeAll() {
    expire(now: .now.advanced(by: StreamTable.lifetime * 2))
    for entry in attached.values { close(entry.fd) }
    attached = [:]
  }

  /// Whether tokens wait to be attached: only they expire, so only then must the session's
  /// loop wake up to expire them.
  var hasUnattachedTokens: Bool { !issued.isEmpty }
}
