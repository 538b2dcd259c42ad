#if canImport(Glibc)
import Glibc
#endif
import DoshProtocol

/// The shadow process's own environment (`environ`): the session's host environment.
enum HostEnvironment {
  /// Every `NAME=value` entry as raw bytes.
  static func entries() -> [[UInt8]] {
    var entries: [[UInt8]] = []
    var pointer = environ
    while let entry = pointer.pointee {
      entries.append(bytes(ofCString: entry))
      pointer += 1
    }
    return entries
  }

  static func variables() -> [EnvironmentVariable] {
    entries().compactMap { entry in
      guard let equals = entry.firstIndex(of: UInt8(ascii: "=")) else { return nil }
      return EnvironmentVariable(name: Array(entry[..<equals]), value: Array(entry[(equals + 1)...]))
    }
  }

  static func value(_ name: String) -> [UInt8]? {
    guard let pointer = getenv(name) else { return nil }
    return bytes(ofCString: pointer)
  }

  /// `setenv(3)`; returns 0 or an errno value.
  static func set(_ name: [UInt8], _ value: [UInt8]) -> Int32 {
    withCString(name) { name in withCString(value) { value in setenv(name, value, 1) == 0 ? 0 : errno } }
  }

  static func unset(_ name: [UInt8]) -> Int32 {
    withCString(name) { unsetenv($0) == 0 ? 0 : errno }
  }

  /// `entries` with a process's changes applied (`X=1 !cmd`, `!env -u`-like unsets).
  static func applying(_ changes: [EnvironmentChange], to entries: [[UInt8]]) -> [[UInt8]] {
    var result = entries
    for change in changes {
      let name: [UInt8]
      switch change {
      case .set(let n, _), .unset(let n): name = n
      }
      let prefix = name + [UInt8(ascii: "=")]
      result.removeAll { $0.starts(with: prefix) }
      if case .set(_, let value) = change { result.append(prefix + value) }
    }
    return result
  }

  /// The value of `name` in a list of entries.
  static func lookup(_ name: String, in entries: [[UInt8]]) -> [UInt8]? {
    let prefix = Array(name.utf8) + [UInt8(ascii: "=")]
    guard let entry = entries.last(where: { $0.starts(with: prefix) }) else { return nil }
    return Array(entry[prefix.count...])
  }
}
