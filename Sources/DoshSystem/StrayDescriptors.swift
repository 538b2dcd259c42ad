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
}
