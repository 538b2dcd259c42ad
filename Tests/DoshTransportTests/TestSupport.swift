#if canImport(Glibc)
import DoshTestSupport
import Glibc
#endif
import Foundation
import DoshTransport

/// A fresh private directory under /tmp, removed by `remove()`.
struct TemporaryDirectory {
  let path: String

  init() {
    path = try! makeScratchPath()
  }

  func remove() {
    try? FileManager.default.removeItem(atPath: path)
  }
}

func fileMode(_ path: String) -> mode_t {
  var status = stat()
  guard lstat(path, &status) == 0 else { return 0 }
  return status.st_mode & 0o7777
}

/// Runs `body` on a thread (tests only: the library itself never starts threads) and returns a
/// way to wait for its result.
final class Background<T: Sendable>: @unchecked Sendable {
  // Guarded by `done`: written once on the thread before signalling, read after waiting.
  private var result: Result<T, any Error>?
  private let done = DispatchSemaphore(value: 0)

  init(_ body: @escaping @Sendable () throws -> T) {
    let thread = Thread { [self] in
      result = Result { try body() }
      done.signal()
    }
    thread.start()
  }

  func wait() throws -> T {
    done.wait()
    return try result!.get()
  }
}
