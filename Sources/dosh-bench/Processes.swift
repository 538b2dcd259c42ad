import DoshSystem

#if canImport(Glibc)
    import Glibc
#endif

/// The environment the measured programs run with (a token file for a tcp or vsock host passes through).
var benchEnvironment: [String] {
    ["PATH=/usr/local/bin:/usr/bin:/bin", "HOME=/tmp", "LC_ALL=C"]
        + ["DOSH_TOKEN_FILE", "DOSH_SSH"].compactMap { name in getenv(name).map { name + "=" + String(cString: $0) } }
}

/// What a finished program printed, how it ended, and its peak resident memory.
struct CapturedRun {
    var output: String
    var status: Int32
    /// The process's own peak RSS (and that of descendants it waited for), in KiB, from wait4(2).
    var peakKiB: Int
}

struct BenchError: Error, CustomStringConvertible {
    var description: String
}

/// Runs `path` with `arguments`, collecting its standard output; standard error passes through.
/// When given, `sample` is called with the program's pid about every millisecond while it runs
/// (to look at it and other processes).
/// `quiet` sends its standard error to /dev/null.
func captureRun(
    _ path: String, _ arguments: [String], environment: [String] = benchEnvironment, quiet: Bool = false,
    sample: ((pid_t) -> Void)? = nil
) throws -> CapturedRun {
    var ends: [Int32] = [-1, -1]
    guard pipe(&ends) == 0 else { throw BenchError(description: "pipe: \(errorText(errno))") }
    for end in ends { _ = fcntl(end, F_SETFD, FD_CLOEXEC) }
    var options = SpawnOptions()
    options.fdActions = [.duplicate(source: ends[1], target: 1)]
    let null = open("/dev/null", O_WRONLY | O_CLOEXEC)
    defer { close(null) }
    if quiet { options.fdActions.append(.duplicate(source: null, target: 2)) }
    let pid: pid_t
    do {
        pid = try Spawn.spawn(path: path, arguments: [path] + arguments, environment: environment, options: options)
    } catch {
        close(ends[0])
        close(ends[1])
        throw BenchError(description: "\(path): \(error)")
    }
    close(ends[1])
    var output: [UInt8] = []
    var buffer = [UInt8](repeating: 0, count: 65536)
    var descriptor = pollfd(fd: ends[0], events: Int16(POLLIN), revents: 0)
    while true {
        sample?(pid)
        guard poll(&descriptor, 1, sample == nil ? -1 : 1) != 0 else { continue }
        let count = read(ends[0], &buffer, buffer.count)
        if count > 0 {
            output += buffer[..<count]
        } else if count == 0 || errno != EINTR {
            break
        }
    }
    close(ends[0])
    var status: Int32 = 0
    var usage = rusage()
    while wait4(pid, &status, 0, &usage) < 0 && errno == EINTR {}
    return CapturedRun(
        output: String(decoding: output, as: UTF8.self), status: status, peakKiB: Int(usage.ru_maxrss))
}

/// The peak resident memory of a running process in KiB (`VmHWM` in /proc/PID/status).
func peakResidentKiB(of pid: pid_t) -> Int? {
    guard let status = readFile("/proc/\(pid)/status") else { return nil }
    return kibibytes(after: "VmHWM:", in: status)
}

/// The number after `label` in text such as `VmHWM:     6012 kB`.
func kibibytes(after label: String, in text: String) -> Int? {
    for line in text.split(separator: "\n") where line.hasPrefix(label) {
        return Int(line.dropFirst(label.count).split(whereSeparator: { $0 == " " || $0 == "\t" }).first ?? "")
    }
    return nil
}

/// The children of `pid` (needs /proc/PID/task/PID/children).
func childProcesses(of pid: pid_t) -> [pid_t] {
    (readFile("/proc/\(pid)/task/\(pid)/children") ?? "").split(separator: " ").compactMap { pid_t($0) }
}

func readFile(_ path: String) -> String? {
    let fd = open(path, O_RDONLY | O_CLOEXEC)
    guard fd >= 0 else { return nil }
    defer { close(fd) }
    var bytes: [UInt8] = []
    var buffer = [UInt8](repeating: 0, count: 16384)
    while true {
        let count = read(fd, &buffer, buffer.count)
        guard count > 0 else { break }
        bytes += buffer[..<count]
    }
    return String(decoding: bytes, as: UTF8.self)
}

func errorText(_ code: Int32) -> String {
    guard let text = strerror(code) else { return "error \(code)" }
    return String(cString: text)
}

/// A fresh private directory under /tmp.
func makeTemporaryDirectory(_ prefix: String) throws -> String {
    var template = Array("/tmp/\(prefix).XXXXXX".utf8CString)
    guard let made = mkdtemp(&template) else { throw BenchError(description: "mkdtemp: \(errorText(errno))") }
    return String(cString: made)
}

func removeTree(_ path: String) {
    _ = try? timeRun("/bin/rm", ["-rf", path])
}

/// A directory of 10,000 empty files (`file0` … `file9999`) for completion and glob figures.
func makeTenThousandEntries() throws -> String {
    let directory = try makeTemporaryDirectory("dosh-bench")
    for index in 0..<10_000 {
        let fd = open("\(directory)/file\(index)", O_CREAT | O_WRONLY | O_CLOEXEC, 0o644)
        if fd >= 0 { close(fd) }
    }
    mkdir("\(directory)/empty", 0o755)
    return directory
}

/// A private `doshd` on a unix socket in a temporary directory, stopped by `stop()`.
struct PrivateAgent {
    let pid: pid_t
    let directory: String
    var address: String { "unix:\(directory)/doshd.sock" }

    init(doshd: String) throws {
        directory = try makeTemporaryDirectory("dosh-bench-agent")
        let socket = "\(directory)/doshd.sock"
        pid = try Spawn.spawn(
            path: doshd, arguments: [doshd, "--listen", "unix:" + socket, "--log-level", "error"],
            environment: benchEnvironment, options: SpawnOptions())
        for _ in 0..<500 where access(socket, F_OK) != 0 { usleep(10_000) }
        guard access(socket, F_OK) == 0 else { throw BenchError(description: "\(doshd) did not start") }
    }

    func stop() {
        kill(pid, SIGTERM)
        _ = try? Wait.wait(pid)
        removeTree(directory)
    }
}
