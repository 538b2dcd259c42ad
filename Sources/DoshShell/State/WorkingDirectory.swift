#if canImport(Glibc)
    import Glibc
#endif

extension Shell {
    /// Sets PWD at start-up: the inherited PWD when it names the current directory (so a path
    /// through a symlink is kept), otherwise the physical path.
    func initializeWorkingDirectory() {
        if let pwd = variables.value("PWD"), pwd.hasPrefix("/"), sameFile(pwd, ".") {
            return
        }
        if let physical = physicalWorkingDirectory() {
            try? variables.set("PWD", physical, export: true)
        }
    }

    /// The logical current directory (`pwd -L`).
    var logicalWorkingDirectory: String {
        if let pwd = variables.value("PWD"), pwd.hasPrefix("/") { return pwd }
        return physicalWorkingDirectory() ?? "."
    }
}

/// `getcwd(3)`.
func physicalWorkingDirectory() -> String? {
    var buffer = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
    guard getcwd(&buffer, buffer.count) != nil else { return nil }
    return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
}

/// Whether two paths name the same file (same device and inode).
func sameFile(_ a: String, _ b: String) -> Bool {
    var first = stat()
    var second = stat()
    guard stat(a, &first) == 0, stat(b, &second) == 0 else { return false }
    return first.st_dev == second.st_dev && first.st_ino == second.st_ino
}

/// Resolves `.` and `..` components of an absolute path textually (the logical view of `cd`).
func canonicalizeLogically(_ path: String) -> String {
    var components: [Substring] = []
    for component in path.split(separator: "/", omittingEmptySubsequences: true) {
        switch component {
        case ".": continue
        case "..": if !components.isEmpty { components.removeLast() }
        default: components.append(component)
        }
    }
    return "/" + components.joined(separator: "/")
}
