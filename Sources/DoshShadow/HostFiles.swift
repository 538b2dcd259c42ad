#if canImport(Glibc)
import Glibc
#endif
import DoshProtocol

/// Opening host files for redirections (`< !f`, `> !f`, `>> !f`, `<> !f`), relative to the
/// shadow's cwd, with the shell's rules.
enum HostFiles {
  struct OpenError: Error {
    var code: Int32
    var message: String
  }

  /// The opened fd (close-on-exec, blocking), or the error a shell would print.
  static func open(_ path: [UInt8], mode: OpenMode, permissions: UInt16) -> Result<Int32, OpenError> {
    // O_NONBLOCK so that opening a FIFO never hangs the session; cleared right after.
    let common = O_CLOEXEC | O_NOCTTY | O_NONBLOCK
    let createMode = mode_t(permissions)
    var fd: Int32
    switch mode {
    case .read: fd = openRetrying(path, O_RDONLY | common, createMode)
    case .write: fd = openRetrying(path, O_WRONLY | O_CREAT | O_TRUNC | common, createMode)
    case .append: fd = openRetrying(path, O_WRONLY | O_CREAT | O_APPEND | common, createMode)
    case .readWrite: fd = openRetrying(path, O_RDWR | O_CREAT | common, createMode)
    case .writeNoClobber:
      fd = openRetrying(path, O_WRONLY | O_CREAT | O_EXCL | common, createMode)
      if fd < 0, errno == EEXIST {
        // As in bash: only an existing regular file is protected (`> /dev/null` still works).
        var status = stat()
        if withCString(path, { stat($0, &status) }) == 0, status.st_mode & S_IFMT != S_IFREG {
          fd = openRetrying(path, O_WRONLY | common, createMode)
        } else {
          return .failure(OpenError(code: EEXIST, message: "\(path.text): cannot overwrite existing file"))
        }
      }
    }
    guard fd >= 0 else {
      let code = errno
      return .failure(OpenError(code: code, message: "\(path.text): \(errorText(code))"))
    }
    let flags = fcntl(fd, F_GETFL)
    if flags >= 0 { _ = fcntl(fd, F_SETFL, flags & ~O_NONBLOCK) }
    return .success(fd)
  }

  private static func openRetrying(_ path: [UInt8], _ flags: Int32, _ mode: mode_t) -> Int32 {
    while true {
      let fd = withCString(path) { Glibc.open($0, flags, mode) }
      if fd >= 0 || errno != EINTR { return fd }
    }
  }
}
