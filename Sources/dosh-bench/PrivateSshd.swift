import DoshSystem

#if canImport(Glibc)
    import Glibc
#endif

/// A private `sshd` on a loopback port, with its own host key, client key and authorized_keys in
/// a temporary directory: ssh to localhost without touching the machine's ssh set-up.
struct PrivateSshd {
    let directory: String
    let port: Int
    private let pid: pid_t

    /// The ssh options that reach this server (no user configuration, no known_hosts).
    var clientOptions: [String] {
        [
            "-F", "/dev/null", "-p", "\(port)", "-i", "\(directory)/client_key", "-o", "IdentitiesOnly=yes",
            "-o", "StrictHostKeyChecking=no", "-o", "UserKnownHostsFile=/dev/null", "-o", "BatchMode=yes",
            "-o", "LogLevel=ERROR",
        ]
    }

    /// Starts the server; throws with the reason it cannot run here.
    init(sshd: String = "/usr/sbin/sshd") throws {
        guard access(sshd, X_OK) == 0 else {
            throw BenchError(description: "\(sshd) is not installed (apt-get install openssh-server)")
        }
        guard access("/usr/bin/ssh-keygen", X_OK) == 0 else { throw BenchError(description: "no ssh-keygen") }
        directory = try makeTemporaryDirectory("dosh-bench-sshd")
        port = try freeLoopbackPort()
        for key in ["host_key", "client_key"] {
            let status = try runStatus("/usr/bin/ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-f", "\(directory)/\(key)"])
            guard status == 0 else { throw BenchError(description: "ssh-keygen failed") }
        }
        try writeFile("\(directory)/authorized_keys", readFile("\(directory)/client_key.pub") ?? "")
        try writeFile(
            "\(directory)/sshd_config",
            """
            Port \(port)
            ListenAddress 127.0.0.1
            HostKey \(directory)/host_key
            AuthorizedKeysFile \(directory)/authorized_keys
            PidFile \(directory)/sshd.pid
            StrictModes no
            UsePAM no
            PasswordAuthentication no
            KbdInteractiveAuthentication no
            PermitRootLogin prohibit-password
            PrintMotd no
            LogLevel ERROR
            SetEnv PATH=\(siblingExecutable("doshd").dropLast("doshd".count)):/usr/bin:/bin

            """)
        // The privilege separation directory sshd insists on (the package's service creates it).
        if getuid() == 0 && access("/run/sshd", F_OK) != 0 { mkdir("/run/sshd", 0o755) }
        let log = open("\(directory)/sshd.log", O_WRONLY | O_CREAT | O_CLOEXEC, 0o600)
        defer { close(log) }
        var options = SpawnOptions()
        options.fdActions = [.duplicate(source: log, target: 2)]
        pid = try Spawn.spawn(
            path: sshd, arguments: [sshd, "-D", "-e", "-f", "\(directory)/sshd_config"], environment: benchEnvironment,
            options: options)
        // Ready when a command gets through.
        for _ in 0..<50 {
            if try runStatus("/usr/bin/ssh", clientOptions + ["127.0.0.1", "true"]) == 0 { return }
            if let (_, _) = try? Wait.wait(pid, options: .noHang) { break }
            usleep(100_000)
        }
        let reason = (readFile("\(directory)/sshd.log") ?? "").split(separator: "\n").last.map(String.init)
        stop()
        throw BenchError(description: "sshd did not accept a connection: \(reason ?? "no log")")
    }

    func stop() {
        kill(pid, SIGTERM)
        _ = try? Wait.wait(pid)
        removeTree(directory)
    }
}

/// A TCP port on 127.0.0.1 that nothing listens on just now.
func freeLoopbackPort() throws -> Int {
    let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    guard fd >= 0 else { throw BenchError(description: "socket: \(errorText(errno))") }
    defer { close(fd) }
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_addr.s_addr = UInt32(0x7F00_0001).bigEndian
    address.sin_port = 0
    var length = socklen_t(MemoryLayout<sockaddr_in>.size)
    let bound = withUnsafeMutablePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) == 0 && getsockname(fd, $0, &length) == 0 }
    }
    guard bound else { throw BenchError(description: "bind: \(errorText(errno))") }
    return Int(UInt16(bigEndian: address.sin_port))
}

func writeFile(_ path: String, _ text: String) throws {
    let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o600)
    guard fd >= 0 else { throw BenchError(description: "\(path): \(errorText(errno))") }
    defer { close(fd) }
    let bytes = Array(text.utf8)
    guard write(fd, bytes, bytes.count) == bytes.count else { throw BenchError(description: "\(path): short write") }
}

/// Runs a program with its output and errors discarded; 0 when it exited 0, else 1. (A program
/// that leaves a daemon behind, like `ssh -f`, must not hold a pipe this side reads to the end.)
func runStatus(_ path: String, _ arguments: [String]) throws -> Int32 {
    let null = open("/dev/null", O_RDWR | O_CLOEXEC)
    defer { close(null) }
    var options = SpawnOptions()
    options.fdActions = [
        .duplicate(source: null, target: 0), .duplicate(source: null, target: 1), .duplicate(source: null, target: 2),
    ]
    let pid = try Spawn.spawn(path: path, arguments: [path] + arguments, environment: benchEnvironment, options: options)
    guard let (_, status) = try Wait.wait(pid) else { return 1 }
    return status == .exited(0) ? 0 : 1
}
