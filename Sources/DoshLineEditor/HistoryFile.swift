#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// The file behind a ``CommandHistory``, shared by every shell of the user.
///
/// Appends take a shared `flock` and go through `O_APPEND`, one `write` per entry, so appends
/// from concurrent shells interleave whole. Compaction takes an exclusive lock, writes a
/// temporary file and renames it over the old one; an appender that finds, once it holds its
/// lock, that the path now names another file, reopens it, so no entry is lost to a compaction.
/// Errors are not reported: a shell keeps working when its history file cannot be written.
struct HistoryFile {
    let path: String

    /// The file's contents, or nil when it cannot be read.
    func read() -> [UInt8]? {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        return Self.readAll(fd)
    }

    /// Appends `bytes` (one or more whole records) with a single write.
    func append(_ bytes: [UInt8]) {
        // Each retry means another shell compacted the file meanwhile; give up only if that
        // keeps happening, rather than wait forever.
        for _ in 0..<1000 {
            let fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0o600)
            guard fd >= 0 else { return }
            defer { close(fd) }
            guard Self.lock(fd, LOCK_SH) else { return }
            // A compaction may have renamed a new file over the one just opened.
            guard Self.stillNamed(path, by: fd) else { continue }
            _ = Self.writeAll(fd, bytes)
            return
        }
    }

    /// Keeps only the newest `keep` entries (those already in the file), atomically.
    /// Returns how many entries the file holds afterwards, or nil when nothing was done.
    func compact(keeping keep: Int) -> Int? {
        rewrite { Array($0.suffix(max(0, keep))) }
    }

    /// Replaces the file's entries by `change(entries)`, atomically and under the exclusive
    /// lock, so no concurrent append is lost. Returns how many entries the file holds
    /// afterwards, or nil when nothing was done.
    func rewrite(_ change: ([String]) -> [String]) -> Int? {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        guard Self.lock(fd, LOCK_EX), Self.stillNamed(path, by: fd), let contents = Self.readAll(fd)
        else { return nil }
        let kept = change(HistoryFileFormat.entries(inFile: contents))
        var bytes: [UInt8] = []
        for entry in kept { bytes += HistoryFileFormat.record(for: entry) }

        let temporary = "\(path).\(getpid()).tmp"
        let out = open(temporary, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o600)
        guard out >= 0 else { return nil }
        let written = Self.writeAll(out, bytes) && fsync(out) == 0
        close(out)
        guard written, rename(temporary, path) == 0 else {
            unlink(temporary)
            return nil
        }
        return kept.count
    }

    private static func lock(_ fd: Int32, _ operation: Int32) -> Bool {
        while flock(fd, operation) != 0 {
            if errno != EINTR { return false }
        }
        return true
    }

    private static func stillNamed(_ path: String, by fd: Int32) -> Bool {
        var open = stat()
        var named = stat()
        guard fstat(fd, &open) == 0, stat(path, &named) == 0 else { return false }
        return open.st_dev == named.st_dev && open.st_ino == named.st_ino
    }

    private static func readAll(_ fd: Int32) -> [UInt8]? {
        var contents: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 64 * 1024)
        while true {
            let count = buffer.withUnsafeMutableBytes { systemRead(fd, $0.baseAddress, $0.count) }
            if count == 0 { return contents }
            if count < 0 {
                if errno == EINTR { continue }
                return nil
            }
            contents += buffer[..<count]
        }
    }

    private static func writeAll(_ fd: Int32, _ bytes: [UInt8]) -> Bool {
        bytes.withUnsafeBytes { raw in
            var offset = 0
            while offset < raw.count {
                let count = write(fd, raw.baseAddress! + offset, raw.count - offset)
                if count < 0 {
                    if errno == EINTR { continue }
                    return false
                }
                offset += count
            }
            return true
        }
    }
}

/// read(2), named apart from ``HistoryFile/read()``.
private func systemRead(_ fd: Int32, _ buffer: UnsafeMutableRawPointer?, _ count: Int) -> Int {
    read(fd, buffer, count)
}
