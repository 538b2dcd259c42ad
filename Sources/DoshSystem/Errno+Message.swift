import SystemPackage

#if canImport(Glibc)
    import Glibc
#endif

extension Errno {
    /// The C library's message for this error, as other shells print it ("No such file or directory").
    public var message: String {
        guard let text = strerror(rawValue) else { return "error \(rawValue)" }
        return String(cString: text)
    }
}
