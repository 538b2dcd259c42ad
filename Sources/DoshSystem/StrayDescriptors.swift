#if canImport(Glibc)
    import Glibc
#endif

/// Pipes a long-lived process inherited by accident. A parent that leaks fds into its children
/// (a test runner starting several at once, a script) would otherwise have some pipe's write end
/// held for the daemon's whole life, and that pipe's reader would never see EOF.
public enum StrayDescriptors {
    /// Closes every pipe above fd 2 (listed from `/proc/self/fd`, checked with fstat(2)). Sockets
    /// and files stay: a service manager's sockets, or the one a parent watches to learn that its
    /// child exited (Foundation's `Process` does), are inherited on purpose. Call it first thing,
    /// before the process makes pipes of its own.
    public static func closeInheritedPipes() {
        guard let directory = opendir("/proc/self/fd") else { return }
        let own = dirfd(directory)
        var pipes: [Int32] = []
        while let entry = readdir(directory) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
            guard let fd = Int32(name), fd > 2, fd != own else { continue }
            var status = stat()
            if fstat(fd, &status) == 0, status.st_mode & S_IFMT == S_IFIFO { pipes.append(fd) }
        }
        closedir(directory)
        for fd in pipes { _ = Glibc.close(fd) }
    }

    /// Closes every fd but `kept` (listed from `/proc/self/fd`): for a forked helper that must
    /// hold no copy of its parent's pipes, terminal or files.
    public static func closeAll(except kept: Set<Int32>) {
        guard let directory = opendir("/proc/self/fd") else { return }
        let own = dirfd(directory)
        var open: [Int32] = []
        while let entry = readdir(directory) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
            if let fd = Int32(name), fd != own, !kept.contains(fd) { open.append(fd) }
        }
        closedir(directory)
        for fd in open { _ = Glibc.close(fd) }
    }
}
