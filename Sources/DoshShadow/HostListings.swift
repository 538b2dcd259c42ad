import DoshSystem

#if canImport(Glibc)
import Glibc
#endif
import DoshPatterns
import DoshProtocol

/// Directory listings, host commands and globbing for completion and host words. Every answer
/// is bounded in count and in bytes so that it fits one frame.
enum HostListings {
  /// Most names in one answer, whatever the request's limit.
  static let maximumNames = 10_000
  /// Most names looked at in one directory (a bigger one is cut, and says so).
  static let maximumScanned = 200_000
  /// Bytes of names in one answer, well under the frame limit.
  static let maximumBytes = 768 * 1024

  /// Names in `path` (empty: the cwd) that start with `prefix`, sorted, with their kind.
  /// Hidden names only when the prefix starts with a dot.
  static func listDirectory(path: [UInt8], prefix: [UInt8], limit: UInt32) -> Result<([DirectoryEntry], Bool), ListingError> {
    let directory = path.isEmpty ? [UInt8(ascii: ".")] : path
    guard let (names, cut) = names(in: directory, prefix: prefix, includeHidden: prefix.first == UInt8(ascii: ".")) else {
      let code = errno
      return .failure(ListingError(code: code, message: "\(directory.text): \(errorText(code))"))
    }
    let (kept, truncated) = bounded(names.sorted { $0.lexicographicallyPrecedes($1) }, limit: limit)
    let entries = kept.map { name in
      DirectoryEntry(name: name, kind: kind(of: directory + [UInt8(ascii: "/")] + name))
    }
    return .success((entries, truncated || cut))
  }

  struct ListingError: Error {
    var code: Int32
    var message: String
  }

  /// Executables in the host PATH (and the host builtins) starting with `prefix`, sorted.
  static func listCommands(prefix: [UInt8], limit: UInt32) -> ([[UInt8]], Bool) {
    var found = Set<[UInt8]>()
    var cut = false
    for builtin in ["cd", "pwd", "export", "unset", "umask"] where Array(builtin.utf8).starts(with: prefix) {
      found.insert(Array(builtin.utf8))
    }
    for directory in ExecutableSearch.searchDirectories(HostEnvironment.value("PATH")) {
      guard let (names, truncated) = names(in: directory, prefix: prefix, includeHidden: prefix.first == UInt8(ascii: ".")) else { continue }
      cut = cut || truncated
      for name in names where !found.contains(name) {
        if kind(of: directory + [UInt8(ascii: "/")] + name) == .executable { found.insert(name) }
        if found.count > maximumScanned { cut = true; break }
      }
    }
    let (kept, truncated) = bounded(found.sorted { $0.lexicographicallyPrecedes($1) }, limit: limit)
    return (kept, truncated || cut)
  }

  /// Host pathname expansion of an escaped pattern against the shadow's cwd.
  static func expand(pattern: [UInt8], limit: UInt32, globStar: Bool) -> ([[UInt8]], Bool) {
    let matches = PathnameExpansion.expand(pattern.text, reader: LocalDirectoryReader(), globStar: globStar)
    return bounded(matches.map { Array($0.utf8) }, limit: limit)
  }

  /// The first `limit` names (capped) that fit the byte budget, and whether any were left out.
  static func bounded(_ names: [[UInt8]], limit: UInt32) -> ([[UInt8]], Bool) {
    let count = min(Int(clamping: limit), maximumNames)
    var kept: [[UInt8]] = []
    var size = 0
    for name in names {
      guard kept.count < count, size + name.count + 4 <= maximumBytes else { return (kept, true) }
      kept.append(name)
      size += name.count + 4
    }
    return (kept, false)
  }

  /// Names in a directory starting with `prefix` (without `.` and `..`), or nil when it cannot
  /// be read (errno set). The flag tells that the scan stopped at `maximumScanned`.
  static func names(in directory: [UInt8], prefix: [UInt8], includeHidden: Bool) -> ([[UInt8]], Bool)? {
    guard let stream = withCString(directory, { opendir($0) }) else { return nil }
    defer { closedir(stream) }
    var names: [[UInt8]] = []
    var scanned = 0
    while let entry = readdir(stream) {
      scanned += 1
      if scanned > maximumScanned { return (names, true) }
      let name = withUnsafePointer(to: &entry.pointee.d_name) { tuple in
        tuple.withMemoryRebound(to: CChar.self, capacity: MemoryLayout.size(ofValue: tuple.pointee)) {
          bytes(ofCString: $0)
        }
      }
      if name == [UInt8(ascii: ".")] || name == [UInt8(ascii: "."), UInt8(ascii: ".")] { continue }
      if !includeHidden, name.first == UInt8(ascii: ".") { continue }
      if name.starts(with: prefix) { names.append(name) }
    }
    return (names, false)
  }

  /// A symbolic link to a directory counts as a directory (completion adds the `/`).
  static func kind(of path: [UInt8]) -> DirectoryEntry.Kind {
    var status = stat()
    guard withCString(path, { lstat($0, &status) }) == 0 else { return .other }
    var isLink = false
    if status.st_mode & S_IFMT == S_IFLNK {
      isLink = true
      guard withCString(path, { stat($0, &status) }) == 0 else { return .symbolicLink }
    }
    switch status.st_mode & S_IFMT {
    case S_IFDIR: return .directory
    case S_IFREG:
      if status.st_mode & 0o111 != 0, withCString(path, { access($0, X_OK) }) == 0 { return .executable }
      return isLink ? .symbolicLink : .regular
    default: return isLink ? .symbolicLink : .other
    }
  }
}
