#if canImport(Glibc)
import Glibc
#endif

/// Finds a program the way a shell does: a name with a slash is used as it is, others are
/// searched in the directories of PATH (an empty entry is the current directory). One search
/// for the shell, the shadow and the channel's mux.
public enum ExecutableSearch {
  public enum Result: Equatable, Sendable {
    case found([UInt8])
    /// Nothing by that name: exit status 127.
    case notFound
    /// Found but not executable: exit status 126 with this errno.
    case notExecutable([UInt8], errno: Int32)
  }

  /// Searches `path` (nil: the default PATH) for `name`. The C calls are `stat` and `access`.
  public static func find(_ name: [UInt8], path: [UInt8]?) -> Result {
    if name.contains(UInt8(ascii: "/")) { return .found(name) }
    var denied: [UInt8]?
    for directory in searchDirectories(path) {
      let candidate = directory + [UInt8(ascii: "/")] + name
      guard isRegularFile(candidate) else { continue }
      if withTerminated(candidate, { access($0, X_OK) }) == 0 { return .found(candidate) }
      if denied == nil { denied = candidate }
    }
    if let denied { return .notExecutable(denied, errno: EACCES) }
    return .notFound
  }

  /// `find` for text: the path found, executable or not (the caller says 126), or nil.
  public static func firstMatch(_ name: String, path: String?) -> String? {
    switch find(Array(name.utf8), path: path.map { Array($0.utf8) }) {
    case .found(let found), .notExecutable(let found, _): String(decoding: found, as: UTF8.self)
    case .notFound: nil
    }
  }

  /// The directories of a PATH value, in order ("" → ".").
  public static func searchDirectories(_ path: [UInt8]?) -> [[UInt8]] {
    let value = path ?? Array("/usr/local/bin:/usr/bin:/bin".utf8)
    return value.split(separator: UInt8(ascii: ":"), omittingEmptySubsequences: false).map {
      $0.isEmpty ? [UInt8(ascii: ".")] : Array($0)
    }
  }

  static func isRegularFile(_ path: [UInt8]) -> Bool {
    var status = stat()
    return withTerminated(path) { stat($0, &status) } == 0 && status.st_mode & S_IFMT == S_IFREG
  }

  private static func withTerminated<R>(_ bytes: [UInt8], _ body: (UnsafePointer<CChar>) -> R) -> R {
    (bytes + [0]).withUnsafeBufferPointer { buffer in buffer.withMemoryRebound(to: CChar.self) { body($0.baseAddress!) } }
  }
}
