#if canImport(Glibc)
import Glibc
#endif
import CDoshSystem
import DoshProtocol

/// The agent's private channel to one shadow process (a unix socketpair): the agent hands over
/// each data connection whose `attachStream` token routes to that session. One byte per
/// connection, the connection itself riding on it (SCM_RIGHTS); its `attachStream` frame is
/// still unread, for the shadow to read and check.
public struct StreamHandOff {
  /// The channel's socket.
  public let fileDescriptor: Int32

  public init(fileDescriptor: Int32) {
    self.fileDescriptor = fileDescriptor
  }

  /// Sends `connection` (the sender keeps and closes its own copy). Never blocks for long: a
  /// shadow that does not read its channel only loses connections, never stalls the agent.
  public func send(_ connection: Int32) throws(TransportError) {
    var marker: UInt8 = 1
    var fd = connection
    try SystemCalls.check("hand over a data connection") {
      Int32(dosh_send_with_descriptors(fileDescriptor, &marker, 1, &fd, 1))
    }
  }

  /// The next connection, or nil when the agent closed the channel. A byte that carried no
  /// descriptor is skipped.
  public func receive() throws(TransportError) -> Int32? {
    while true {
      var marker: UInt8 = 0
      var fds: [Int32] = [-1]
      var count = 0
      let got = try SystemCalls.check("receive a data connection") {
        Int32(dosh_receive_with_descriptors(fileDescriptor, &marker, 1, &fds, 1, &count))
      }
      if got == 0 { return nil }
      if count == 1 { return fds[0] }
    }
  }

  /// Waits until a connection (or the channel's end) arrives; false when `deadline` passed.
  public func waitForConnection(until deadline: ContinuousClock.Instant) throws(TransportError) -> Bool {
    try SystemCalls.wait(fileDescriptor, for: Int16(POLLIN), until: deadline)
  }

  /// Reads the `attachStream` frame at the start of a handed-over connection (exactly its
  /// bytes: what follows is the stream) and returns its token; nil, with the connection closed,
  /// when the first frame is anything else or does not arrive within `timeout`.
  public static func readToken(from connection: Int32, timeout: Duration = .seconds(5)) -> StreamToken? {
    let wrapper = Connection(adopting: connection)
    guard let message = try? wrapper.receiveSingleFrame(timeout: timeout), case .attachStream(let token) = message.body
    else { return nil }  // the wrapper closes it
    _ = wrapper.takeFileDescriptor()
    return token
  }
}
