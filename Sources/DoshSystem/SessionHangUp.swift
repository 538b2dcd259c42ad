#if canImport(Glibc)
    import Glibc
#endif

/// The hang-up a shadow process owes its jobs, done for it when it could not: a shadow killed
/// with SIGKILL leaves its jobs running, and those outside its pty's foreground get no SIGHUP
/// from the kernel. The shadow is a session leader, so its jobs are exactly the processes of
/// its session.
public enum SessionHangUp {
    /// Sends SIGHUP, then SIGCONT, to every process group with a member in session `session`
    /// (read from `/proc/PID/stat`, Linux), as a terminal hang-up would. A `nohup`-ed process
    /// lives on. Returns how many groups were signaled.
    @discardableResult
    public static func hangUp(session: pid_t) -> Int {
        guard session > 1, let directory = opendir("/proc") else { return 0 }
        defer { closedir(directory) }
        var groups: Set<pid_t> = []
        while let entry = readdir(directory) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { Array($0.prefix { $0 != 0 }) }
            guard !name.isEmpty, name.allSatisfy({ $0 >= 48 && $0 <= 57 }) else { continue }
            guard let (group, sessionID) = groupAndSession(of: String(decoding: name, as: UTF8.self)) else { continue }
            if sessionID == session && group > 1 { groups.insert(group) }
        }
        for group in groups {
            kill(-group, SIGHUP)
            kill(-group, SIGCONT)
        }
        return groups.count
    }

    /// Fields 5 and 6 of `/proc/PID/stat` (process group, session), read after the last `)`
    /// because the command name before it may hold spaces and parentheses.
    private static func groupAndSession(of pid: String) -> (pid_t, pid_t)? {
        let fd = open("/proc/\(pid)/stat", O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var buffer = [UInt8](repeating: 0, count: 1024)
        let count = read(fd, &buffer, buffer.count)
        guard count > 0, let close = buffer[..<count].lastIndex(of: UInt8(ascii: ")")) else { return nil }
        // After ")": state, ppid, pgrp, session.
        let fields = buffer[(close + 1)..<count].split(separator: UInt8(ascii: " "))
        guard fields.count > 3,
            let group = Int32(String(decoding: fields[2], as: UTF8.self)),
            let session = Int32(String(decoding: fields[3], as: UTF8.self))
        else { return nil }
        return (group, session)
    }
}
