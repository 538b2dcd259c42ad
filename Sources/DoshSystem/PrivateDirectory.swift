import SystemPackage

#if canImport(Glibc)
    import Glibc
#endif

/// A fresh directory only this user can enter, for sockets a helper process listens on.
public enum PrivateDirectory {
    /// `mkdtemp(3)` of `PREFIX-XXXXXX` under `$XDG_RUNTIME_DIR`, or `/tmp` without one; mode 0700.
    public static func make(prefix: String) throws(Errno) -> String {
        let base = getenv("XDG_RUNTIME_DIR").map { String(cString: $0) }.flatMap { $0.isEmpty ? nil : $0 } ?? "/tmp"
        var template = Array("\(base)/\(prefix)-XXXXXX".utf8CString)
        let made = template.withUnsafeMutableBufferPointer { mkdtemp($0.baseAddress!).map { String(cString: $0) } }
        guard let made else { throw Errno(rawValue: errno) }
        return made
    }
}
