#if canImport(Glibc)
import Glibc
#endif

/// Calls `body` with `bytes` as a NUL-terminated C string. Protocol fields that become C strings
/// were checked to contain no NUL.
func withCString<R>(_ bytes: [UInt8], _ body: (UnsafePointer<CChar>) -> R) -> R {
  var terminated = bytes
  terminated.append(0)
  return terminated.withUnsafeBufferPointer { buffer in
    buffer.withMemoryRebound(to: CChar.self) { body($0.baseAddress!) }
  }
}

/// Calls `body` with a NULL-terminated `char *[]` of raw byte strings (argv, envp), so that
/// arguments that are not UTF-8 reach the program unchanged.
func withCStringArray<R>(_ strings: [[UInt8]], _ body: (UnsafePointer<UnsafeMutablePointer<CChar>?>) -> R) -> R {
  var pointers: [UnsafeMutablePointer<CChar>?] = strings.map { bytes in
    let pointer = UnsafeMutablePointer<CChar>.allocate(capacity: bytes.count + 1)
    for (offset, byte) in bytes.enumerated() { pointer[offset] = CChar(bitPattern: byte) }
    pointer[bytes.count] = 0
    return pointer
  }
  pointers.append(nil)
  defer { for pointer in pointers { pointer?.deallocate() } }
  return pointers.withUnsafeBufferPointer { body($0.baseAddress!) }
}

/// The bytes of a C string.
func bytes(ofCString pointer: UnsafePointer<CChar>) -> [UInt8] {
  Array(UnsafeBufferPointer(start: pointer, count: strlen(pointer)).map { UInt8(bitPattern: $0) })
}

/// The C library's message for an errno value.
func errorText(_ code: Int32) -> String {
  guard let text = strerror(code) else { return "error \(code)" }
  return String(cString: text)
}

extension Array where Element == UInt8 {
  /// For messages: bytes shown as UTF-8 (bad bytes as U+FFFD).
  var text: String { String(decoding: self, as: UTF8.self) }
}
