import CDoshSystem

#if canImport(Glibc)
import Glibc
#endif

/// Carries many socket connections over one byte channel (ssh's standard input and output, a
/// serial port), each a stream of `ChannelFrame`s with its own window, so a stream whose reader
/// stopped never holds up another (docs/protocol.md, *Single channel*).
///
/// The shell's side accepts connections on a private unix socket and opens a stream for each;
/// the host's side connects each stream it is told of to the agent. Everything else (the
/// session, its data connections and their tokens) is the protocol of a unix socket that cannot
/// pass descriptors, unchanged: the mux only moves bytes. One poll(2) loop, every descriptor
/// non-blocking; it returns when the channel ends (or, on the shell's side, when the shell goes).
public final class ChannelMux {
  public enum Role {
    /// The shell's side: each connection accepted on `listener` becomes a stream; the mux ends
    /// when `lifeline` (a pipe whose other end the shell holds) reads EOF.
    case accepting(listener: Int32, lifeline: Int32)
    /// The host's side: each stream the peer opens is connected with `connect` (nil: refused).
    case dialing(connect: () -> Int32?)
  }

  /// How the channel ended.
  public enum Ending: Equatable, Sendable {
    /// The far side closed the channel.
    case channelClosed
    /// The shell went (its lifeline closed).
    case shellGone
    case failed(String)
  }

  private final class Stream {
    let socket: Int32
    /// Bytes we may still send before the peer grants more.
    var credit = ChannelFrame.initialWindow
    /// Bytes from the peer not yet written to the socket.
    var pending: [UInt8] = []
    var pendingStart = 0
    /// Bytes written to the socket since we last granted them back.
    var written = 0
    /// The socket said EOF and `end` was sent.
    var readClosed = false
    /// The peer sent `end` (or `reset`): once `pending` is written, nothing more comes.
    var peerEnded = false
    var peerReset = false
    var shutDown = false

    init(socket: Int32) { self.socket = socket }

    var hasPending: Bool { pendingStart < pending.count }
    var isFinished: Bool { (readClosed || peerReset) && peerEnded && !hasPending }
  }

  private let input: Int32
  private let output: Int32
  private let role: Role
  private var decoder = ChannelFrameDecoder()
  private var queue: [UInt8] = []
  private var queueStart = 0
  private var streams: [UInt32: Stream] = [:]
  private var nextStream: UInt32 = 1
  /// One buffer for every read: no allocation per chunk.
  private var readBuffer = [UInt8](repeating: 0, count: ChannelMux.readSize)
  /// Above this much unsent channel output, the mux stops reading its sockets.
  private static let queueLimit = 1 << 20
  private static let readSize = 256 * 1024

  /// Called once, when the peer's greeting has come.
  private var onGreeting: (() -> Void)?

  /// `input` and `output` are the channel (they may be one descriptor); they become non-blocking.
  /// `onGreeting` runs once the far side has shown that it speaks dosh (the shell waits for that
  /// without a deadline: ssh may be asking for a passphrase).
  public init(input: Int32, output: Int32, role: Role, onGreeting: (() -> Void)? = nil) {
    self.input = input
    self.output = output
    self.role = role
    self.onGreeting = onGreeting
    for fd in [input, output] { try? SystemCalls.setNonBlocking(fd, true) }
    ChannelFrame.greeting.withUnsafeBufferPointer { queue += $0 }
  }

  /// Runs until the channel ends; closes every stream's socket on the way out.
  public func run() -> Ending {
    defer {
      for stream in streams.values { Glibc.close(stream.socket) }
      streams = [:]
    }
    while true {
      var descriptors: [pollfd] = []
      descriptors.append(pollfd(fd: input, events: Int16(POLLIN), revents: 0))
      descriptors.append(pollfd(fd: queueStart < queue.count ? output : -1, events: Int16(POLLOUT), revents: 0))
      if case .accepting(let listener, let lifeline) = role {
        descriptors.append(pollfd(fd: listener, events: Int16(POLLIN), revents: 0))
        descriptors.append(pollfd(fd: lifeline, events: Int16(POLLIN), revents: 0))
      }
      let fixed = descriptors.count
      let order = Array(streams.keys)
      let reading = queue.count - queueStart < Self.queueLimit
      for id in order {
        let stream = streams[id]!
        var events: Int32 = 0
        if reading && !stream.readClosed && !stream.peerReset && stream.credit > 0 { events |= POLLIN }
        if stream.hasPending { events |= POLLOUT }
        descriptors.append(pollfd(fd: events == 0 ? -1 : stream.socket, events: Int16(events), revents: 0))
      }
      if poll(&descriptors, nfds_t(descriptors.count), -1) < 0 {
        if errno == EINTR { continue }
        return .failed("poll: \(TransportError.message(for: errno))")
      }
      if descriptors[1].revents != 0 {
        if let failure = flushQueue() { return failure }
      }
      if descriptors[0].revents != 0 {
        if let ending = readChannel() { return ending }
      }
      if case .accepting(let listener, let lifeline) = role {
        if descriptors[3].revents != 0 {
          // Nothing is ever written there: readable means the shell's end closed.
          var byte: UInt8 = 0
          let count = read(lifeline, &byte, 1)
          if count == 0 || (count < 0 && errno != EAGAIN && errno != EINTR) { return .shellGone }
        }
        if descriptors[2].revents != 0 { acceptStreams(listener) }
      }
      for (index, id) in order.enumerated() where descriptors[fixed + index].revents != 0 {
        guard let stream = streams[id] else { continue }
        let revents = Int32(descriptors[fixed + index].revents)
        let wantedInput = Int32(descriptors[fixed + index].events) & POLLIN != 0
        if revents & POLLOUT != 0 || (revents & (POLLERR | POLLHUP) != 0 && stream.hasPending) { writePending(id, stream) }
        if streams[id] != nil, wantedInput, revents & (POLLIN | POLLHUP | POLLERR) != 0, !stream.readClosed, !stream.peerReset,
          stream.credit > 0
        {
          readSocket(id, stream)
        }
      }
      if let failure = flushQueue() { return failure }
    }
  }

  // MARK: The channel

  /// Queues `frame`; a `data` frame with `payloadLength` queues only its header, the caller
  /// appends that many bytes.
  private func send(_ frame: ChannelFrame, payloadLength: Int? = nil) {
    if queueStart > 0 && queueStart == queue.count {
      queue.removeAll(keepingCapacity: true)
      queueStart = 0
    }
    if let payloadLength {
      queue.append(frame.type)
      queue += ChannelFrame.bigEndian(frame.stream)
      queue += ChannelFrame.bigEndian(UInt32(payloadLength))
    } else {
      frame.encode(into: &queue)
    }
  }

  /// Writes what the channel takes now; a failure ends the mux.
  private func flushQueue() -> Ending? {
    while queueStart < queue.count {
      let written = queue.withUnsafeBufferPointer { write(output, $0.baseAddress! + queueStart, $0.count - queueStart) }
      if written < 0 {
        if errno == EINTR { continue }
        if errno == EAGAIN { break }
        // The far side went (a socket's peer may reset rather than close): the channel's end.
        if errno == EPIPE || errno == ECONNRESET { return .channelClosed }
        return .failed("writing the channel: \(TransportError.message(for: errno))")
      }
      queueStart += written
    }
    if queueStart == queue.count {
      queue.removeAll(keepingCapacity: true)
      queueStart = 0
    } else if queueStart > Self.queueLimit {
      queue.removeFirst(queueStart)
      queueStart = 0
    }
    return nil
  }

  /// Reads and handles what the channel brought; nil while it goes on.
  private func readChannel() -> Ending? {
    let count = readBuffer.withUnsafeMutableBufferPointer { read(input, $0.baseAddress, $0.count) }
    if count < 0 {
      if errno == EINTR || errno == EAGAIN { return nil }
      if errno == ECONNRESET { return .channelClosed }
      return .failed("reading the channel: \(TransportError.message(for: errno))")
    }
    if count == 0 { return .channelClosed }
    decoder.feed(readBuffer[0..<count])
    do throws(ChannelFrameError) {
      while let frame = try decoder.next() { try handle(frame) }
    } catch {
      return .failed(error.description)
    }
    if decoder.hasGreeted, let greeted = onGreeting {
      onGreeting = nil
      greeted()
    }
    return nil
  }

  private func handle(_ frame: ChannelFrame) throws(ChannelFrameError) {
    switch frame {
    case .open(let id):
      guard case .dialing(let connect) = role else {
        throw ChannelFrameError(description: "the host side opened a stream")
      }
      guard streams[id] == nil else { throw ChannelFrameError(description: "stream \(id) opened twice") }
      guard let socket = connect() else {
        send(.reset(stream: id))
        return
      }
      try? SystemCalls.setNonBlocking(socket, true)
      streams[id] = Stream(socket: socket)
    case .data(let id, let bytes):
      guard let stream = streams[id] else { return }  // a stream that ended on this side
      guard !stream.peerEnded else { throw ChannelFrameError(description: "data on stream \(id) after its end") }
      guard stream.pending.count - stream.pendingStart + bytes.count <= ChannelFrame.initialWindow else {
        throw ChannelFrameError(description: "stream \(id) sent past its window")
      }
      if stream.pendingStart == stream.pending.count {
        stream.pending = bytes
        stream.pendingStart = 0
      } else {
        stream.pending += bytes
      }
      writePending(id, stream)
    case .window(let id, let credit):
      guard let stream = streams[id] else { return }
      guard stream.credit + Int(credit) <= ChannelFrame.initialWindow else {
        throw ChannelFrameError(description: "stream \(id) granted more than its window")
      }
      stream.credit += Int(credit)
    case .end(let id):
      guard let stream = streams[id] else { return }
      stream.peerEnded = true
      writePending(id, stream)
    case .reset(let id):
      guard let stream = streams[id] else { return }
      stream.peerEnded = true
      stream.peerReset = true
      writePending(id, stream)
    }
  }

  // MARK: Streams

  private func acceptStreams(_ listener: Int32) {
    while true {
      let socket = dosh_accept_cloexec(listener)
      if socket < 0 {
        if errno == EINTR || errno == ECONNABORTED { continue }
        return
      }
      try? SystemCalls.setNonBlocking(socket, true)
      let id = nextStream
      nextStream = nextStream == UInt32.max ? 1 : nextStream + 1
      streams[id] = Stream(socket: socket)
      send(.open(stream: id))
    }
  }

  /// Writes what the peer sent on toward the socket, grants the window back, and half-closes
  /// or forgets the stream once the peer has ended it.
  private func writePending(_ id: UInt32, _ stream: Stream) {
    while stream.hasPending {
      let written = stream.pending.withUnsafeBufferPointer {
        Glibc.send(stream.socket, $0.baseAddress! + stream.pendingStart, $0.count - stream.pendingStart, Int32(MSG_NOSIGNAL))
      }
      if written < 0 {
        if errno == EINTR { continue }
        if errno == EAGAIN { break }
        // The reader went: the peer's writer must see it, as it would a reset socket.
        drop(id, stream, telling: true)
        return
      }
      stream.pendingStart += written
      stream.written += written
    }
    if stream.written >= ChannelFrame.initialWindow / 4 || (!stream.hasPending && stream.written > 0) {
      send(.window(stream: id, credit: UInt32(stream.written)))
      stream.written = 0
    }
    if !stream.hasPending && stream.peerEnded && !stream.shutDown {
      stream.shutDown = true
      if stream.peerReset {
        drop(id, stream, telling: false)
        return
      }
      shutdown(stream.socket, Int32(SHUT_WR))
    }
    if stream.isFinished { drop(id, stream, telling: false) }
  }

  /// Reads from the socket what the window allows and sends it on.
  private func readSocket(_ id: UInt32, _ stream: Stream) {
    let wanted = min(ChannelFrame.maximumPayload, stream.credit)
    let count = readBuffer.withUnsafeMutableBufferPointer { read(stream.socket, $0.baseAddress, wanted) }
    if count < 0 {
      if errno == EINTR || errno == EAGAIN { return }
      drop(id, stream, telling: true)
      return
    }
    if count == 0 {
      stream.readClosed = true
      send(.end(stream: id))
      if stream.isFinished { drop(id, stream, telling: false) }
      return
    }
    stream.credit -= count
    // The frame goes straight into the queue: its header, then the bytes as read.
    send(.data(stream: id, bytes: []), payloadLength: count)
    queue += readBuffer[0..<count]
  }

  private func drop(_ id: UInt32, _ stream: Stream, telling peer: Bool) {
    if peer && !stream.peerReset { send(.reset(stream: id)) }
    Glibc.close(stream.socket)
    streams[id] = nil
  }
}
