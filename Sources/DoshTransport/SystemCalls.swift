#if canImport(Glibc)
import Glibc
#endif

/// Thin wrappers: retry on EINTR, turn -1 into a TransportError naming the operation.
enum SystemCalls {
  @discardableResult
  static func check(
    _ operation: @autoclosure () -> String, _ body: () -> Int32
  ) throws(TransportError) -> Int32 {
    while true {
      let result = body()
      if result >= 0 { return result }
      let error = errno
      if error == EINTR { continue }
      throw .system(operation: operation(), errno: error)
    }
  }

  static func setNonBlocking(_ fd: Int32, _ enabled: Bool) throws(TransportError) {
    let flags = try check("fcntl F_GETFL") { fcntl(fd, F_GETFL) }
    let wanted = enabled ? flags | O_NONBLOCK : flags & ~O_NONBLOCK
    if wanted != flags { try check("fcntl F_SETFL") { fcntl(fd, F_SETFL, wanted) } }
  }

  static func setCloseOnExec(_ fd: Int32, _ enabled: Bool) throws(TransportError) {
    let flags = try check("fcntl F_GETFD") { fcntl(fd, F_GETFD) }
    let wanted = enabled ? flags | FD_CLOEXEC : flags & ~FD_CLOEXEC
    if wanted != flags { try check("fcntl F_SETFD") { fcntl(fd, F_SETFD, wanted) } }
  }

  /// Waits until `fd` is ready for `events`; false when the deadline passed first.
  /// A nil deadline waits forever.
  static func wait(
    _ fd: Int32, for events: Int16, until deadline: ContinuousClock.Instant?
  ) throws(TransportError) -> Bool {
    while true {
      var timeout: Int32 = -1
      if let deadline {
        let left = ContinuousClock.now.duration(to: deadline)
        if left <= .zero {
          timeout = 0
        } else {
          let (seconds, attoseconds) = left.components
          let milliseconds = seconds * 1000 + (attoseconds + 999_999_999_999_999) / 1_000_000_000_000_000
          timeout = Int32(clamping: milliseconds)
        }
      }
      var descriptor = pollfd(fd: fd, events: events, revents: 0)
      let ready = poll(&descriptor, 1, timeout)
      if ready < 0 {
        if errno == EINTR { continue }
        throw .system(operation: "poll", errno: errno)
      }
      if ready > 0 { return true }
      if timeout == 0 { return false }
      if let deadline, ContinuousClock.now >= deadline { return false }
    }
  }

  static func socketError(_ fd: Int32) -> Int32 {
    var error: Int32 = 0
    var length = socklen_t(MemoryLayout<Int32>.size)
    if getsockopt(fd, SOL_SOCKET, SO_ERROR, &error, &length) != 0 { return errno }
    return error
  }
}
