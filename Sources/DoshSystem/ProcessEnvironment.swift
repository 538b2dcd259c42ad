#if canImport(Glibc)
    import Glibc
#endif

public enum ProcessEnvironment {
    /// This process's environment as `NAME=value` entries (the C global `environ`).
    public static func current() -> [String] {
        var entries: [String] = []
        var pointer = environ
        while let entry = pointer.pointee {
            entries.append(String(cString: entry))
            pointer += 1
        }
        return entries
    }
}
