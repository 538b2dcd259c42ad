#if canImport(Glibc)
import Glibc
#endif

/// The shadow's working directory, kept logically like a shell's `cd` (PWD keeps the symbolic
/// links it went through; `..` removes the last component of the logical path).
enum HostDirectory {
  /// PWD when it names the current directory, else the physical one (and PWD is fixed).
  static func current() -> [UInt8] {
    if let logical = HostEnvironment.value("PWD"), logical.first == UInt8(ascii: "/"),
      sameFile(logical, [UInt8(ascii: ".")])
    {
      return logical
    }
    let physical = physicalCurrent()
    _ = HostEnvironment.set(Array("PWD".utf8), physical)
    return physical
  }

  static func physicalCurrent() -> [UInt8] {
    var buffer = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
    guard getcwd(&buffer, buffer.count) != nil else { return [UInt8(ascii: "/")] }
    return buffer.withUnsafeBufferPointer { bytes(ofCString: $0.baseAddress!) }
  }

  /// `cd PATH`: returns the new logical cwd, or an errno value. `-` goes to OLDPWD.
  static func change(to path: [UInt8]) -> Result<[UInt8], DirectoryError> {
    let previous = current()
    var requested = path
    if requested.isEmpty { return .success(previous) }
    if requested == [UInt8(ascii: "-")] {
      guard let old = HostEnvironment.value("OLDPWD"), !old.isEmpty else {
        return .failure(DirectoryError(code: 0, message: "cd: OLDPWD not set"))
      }
      requested = old
    }
    let joined = requested.first == UInt8(ascii: "/") ? requested : previous + [UInt8(ascii: "/")] + requested
    let logical = normalize(joined)
    var newDirectory: [UInt8]
    if withCString(logical, { chdir($0) }) == 0 {
      newDirectory = logical
    } else {
      let logicalError = errno
      // As bash does: when the logical path fails (a `..` through a symlink), try it physically.
      guard withCString(requested, { chdir($0) }) == 0 else {
        let code = logicalError == ENOENT ? errno : logicalError
        return .failure(DirectoryError(code: code, message: "cd: \(requested.text): \(errorText(code))"))
      }
      newDirectory = physicalCurrent()
    }
    _ = HostEnvironment.set(Array("OLDPWD".utf8), previous)
    _ = HostEnvironment.set(Array("PWD".utf8), newDirectory)
    return .success(newDirectory)
  }

  struct DirectoryError: Error {
    var code: Int32
    var message: String
  }

  /// Removes `.`, empty components and `name/..` pairs from an absolute path.
  static func normalize(_ path: [UInt8]) -> [UInt8] {
    var components: [ArraySlice<UInt8>] = []
    for component in path.split(separator: UInt8(ascii: "/")) {
      if component == [UInt8(ascii: ".")][...] { continue }
      if component == [UInt8(ascii: "."), UInt8(ascii: ".")][...] {
        if !components.isEmpty { components.removeLast() }
        continue
      }
      components.append(component)
    }
    var result: [UInt8] = []
    for component in components {
      result.append(UInt8(ascii: "/"))
      result.append(contentsOf: component)
    }
    return result.isEmpty ? [UInt8(ascii: "/")] : result
  }

  static func sameFile(_ a: [UInt8], _ b: [UInt8]) -> Bool {
    var first = stat()
    var second = stat()
    guard withCString(a, { stat($0, &first) }) == 0, withCString(b, { stat($0, &second) }) == 0 else { return false }
    return first.st_dev == second.st_dev && first.st_ino == second.st_ino
  }
}
