#if canImport(Glibc)
import Glibc
#endif

/// Finds a host program the way a shell does: names with a slash are used as they are, others
/// are searched in the directories of PATH (an empty entry is the current directory).
enum CommandLookup {
  enum Result: Equatable {
    case found([UInt8])
    /// Nothing by that name: exit status 127.
    case notFound
    /// Found but not executable: exit status 126 with this errno.
    case notExecutable([UInt8], errno: Int32)
  }

  static func find(_ name: [UInt8], path: [UInt8]?) -> Result {
    if name.contains(UInt8(ascii: "/")) { return .found(name) }
    var denied: [UInt8]?
    for directory in searchDirectories(path) {
      let candidate = directory + [UInt8(ascii: "/")] + name
      guard isRegularFile(candidate) else { continue }
      if withCString(candidate, { access($0, X_OK) }) == 0 { return .found(candidate) }
      if denied == nil { denied = candidate }
    }
    if let denied { return .notExecutable(denied, errno: EACCES) }
    return .notFound
  }

  /// The directories of a PATH value, in order ("" → ".").
  static func searchDirectories(_ path: [UInt8]?) -> [[UInt8]] {
    let value = path ?? Array("/usr/local/bin:/usr/bin:/bin".utf8)
    return value.split(separator: UInt8(ascii: ":"), omittingEmptySubsequences: false).map {
      $0.isEmpty ? [UInt8(ascii: ".")] : Array($0)
    }
  }

  static func isRegularFile(_ path: [UInt8]) -> Bool {
    var status = stat()
    return withCString(path) { stat($0, &status) } == 0 && status.st_mode & S_IFMT == S_IFREG
  }
}
