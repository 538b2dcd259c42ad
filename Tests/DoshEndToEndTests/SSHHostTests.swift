import DoshTestSupport
import Foundation
import Testing

/// `--host ssh:`: a private sshd on loopback, with keys made here, and `doshd --stdio` on the
/// far side (this same machine, so host and guest files are the same ones).
@Suite(.serialized) struct SSHHostTests {
    /// A running private sshd and what a client needs to reach it.
    final class PrivateSSHD {
        let directory: URL
        let port: Int
        /// `--ssh-option`s: the key made here, no known-hosts prompt, no config of the user's.
        let clientOptions: [String]

        /// `farPath` is the PATH of the far side's commands (doshd must be on it, or not).
        init(farPath: String) throws {
            directory = try makeScratchDirectory()
            chmod(directory.path, 0o700)
            // "locked": a user key behind the passphrase `PrivateSSHD.passphrase`.
            for (name, passphrase) in [("host", ""), ("user", ""), ("locked", Self.passphrase)] {
                let keygen = try DoshBinary.run(
                    process: Self.process("/usr/bin/ssh-keygen", ["-q", "-t", "ed25519", "-N", passphrase, "-f", directory.appendingPathComponent(name).path]))
                guard keygen.status == 0 else { throw Failure(description: "ssh-keygen: \(keygen.stderr)") }
            }
            let keyDirectory = directory
            let keys = try ["user.pub", "locked.pub"].map { try String(contentsOf: keyDirectory.appendingPathComponent($0), encoding: .utf8) }
            try keys.joined().write(to: directory.appendingPathComponent("authorized_keys"), atomically: true, encoding: .utf8)
            port = try freePort()
            let config = """
                Port \(port)
                ListenAddress 127.0.0.1
                HostKey \(directory.path)/host
                AuthorizedKeysFile \(directory.path)/authorized_keys
                PidFile \(directory.path)/sshd.pid
                StrictModes no
                UsePAM no
                PasswordAuthentication no
                KbdInteractiveAuthentication no
                PermitRootLogin yes
                SetEnv PATH=\(farPath)
                """
            try config.write(to: directory.appendingPathComponent("sshd_config"), atomically: true, encoding: .utf8)
            try? FileManager.default.createDirectory(atPath: "/run/sshd", withIntermediateDirectories: true)
            // Daemonized, so nothing of the test runner's waits on it; its pid file ends it.
            let started = try DoshBinary.run(
                process: Self.process(
                    "/usr/sbin/sshd", ["-f", directory.appendingPathComponent("sshd_config").path, "-E", directory.appendingPathComponent("log").path]))
            guard started.status == 0 else { throw Failure(description: "sshd: \(started.stderr)") }
            clientOptions = [
                "-F", "/dev/null", "-i", directory.appendingPathComponent("user").path,
                "-o", "UserKnownHostsFile=/dev/null", "-o", "StrictHostKeyChecking=no", "-o", "BatchMode=yes",
                "-o", "LogLevel=ERROR",
            ]
            // Ready once it accepts connections.
            let deadline = Date().addingTimeInterval(10)
            while Date() < deadline {
                if canConnect(port: port) { return }
                usleep(20_000)
            }
            throw Failure(description: "the private sshd did not answer")
        }

        static let passphrase = "open sesame"

        var hostArguments: [String] {
            ["--host", "ssh:root@127.0.0.1:\(port)"] + clientOptions.map { "--ssh-option=" + $0 }
        }

        /// As `hostArguments`, with the key that ssh asks a passphrase for at the terminal.
        var lockedKeyHostArguments: [String] {
            let options = [
                "-F", "/dev/null", "-i", directory.appendingPathComponent("locked").path, "-o", "IdentitiesOnly=yes",
                "-o", "UserKnownHostsFile=/dev/null", "-o", "StrictHostKeyChecking=no", "-o", "LogLevel=ERROR",
            ]
            return ["--host", "ssh:root@127.0.0.1:\(port)"] + options.map { "--ssh-option=" + $0 }
        }

        static func process(_ path: String, _ arguments: [String]) -> Process {
            let process = Process()
            process.executableURL = URL(fileURLWithPath: path)
            process.arguments = arguments
            return process
        }

        deinit {
            if let text = try? String(contentsOf: directory.appendingPathComponent("sshd.pid"), encoding: .utf8),
                let pid = Int32(text.trimmingCharacters(in: .whitespacesAndNewlines))
            {
                kill(pid, SIGTERM)
            }
            try? FileManager.default.removeItem(at: directory)
        }
    }

    struct Failure: Error, CustomStringConvertible { var description: String }

    static func missingPrerequisite() -> String? {
        if getuid() != 0 { return "a private sshd logging in as root needs root" }
        if !FileManager.default.isExecutableFile(atPath: "/usr/sbin/sshd") { return "no sshd (openssh-server)" }
        return nil
    }

    /// Skips with a printed reason where it cannot run; as root (CI), that is a failure.
    static func sshd(farPath: String) throws -> PrivateSSHD? {
        if let missing = missingPrerequisite() {
            if getuid() == 0 { Issue.record("the ssh test cannot run: \(missing)") } else { print("skipping: \(missing)") }
            return nil
        }
        return try PrivateSSHD(farPath: farPath)
    }

    static var products: String { DoshBinary.productsDirectory.path }

    @Test func theRulesHoldOverSSH() throws {
        guard let sshd = try Self.sshd(farPath: Self.products + ":/usr/bin:/bin") else { return }
        let work = try makeScratchDirectory()
        defer { try? FileManager.default.removeItem(at: work) }
        let script = """
            !echo hi; echo x | !tr x y; !cd /; !pwd; echo "[$(!echo sub)]"; !false; echo $?
            head -c 20000000 /dev/urandom > big; cat big | !cat > !big2; !cat big2 | cmp - big && echo same
            ( !echo subshell ); !echo bg & wait; yes | !head -1; !yes | head -1
            """
        let run = try DoshBinary.run(sshd.hostArguments + ["-c", "cd '\(work.path)'; !cd '\(work.path)'; " + script], timeout: 60)
        #expect(run.stdout == "hi\ny\n/\n[sub]\n1\nsame\nsubshell\nbg\ny\ny\n", "stderr: \(run.stderr)")
        #expect(run.status == 0, "stderr: \(run.stderr)")
    }

    @Test func aMissingDoshdOnTheFarSideIsOneClearLine() throws {
        guard let sshd = try Self.sshd(farPath: "/usr/bin:/bin") else { return }
        let run = try DoshBinary.run(sshd.hostArguments + ["-c", "!true; echo $?; echo guest"], timeout: 30)
        #expect(run.stdout == "255\nguest\n")
        #expect(run.stderr.contains("dosh: line 1: host: ssh:root@127.0.0.1:\(sshd.port): doshd or the command was not found (status 127)"),
                "stderr: \(run.stderr)")
    }

    @Test func aDroppedConnectionFailsTheSessionAndTheNextCommandReconnects() throws {
        guard let sshd = try Self.sshd(farPath: Self.products + ":/usr/bin:/bin") else { return }
        // The ssh client is the mux's child; killing it is the connection dropping.
        // The host job running then is hung up on the far side (same machine: pgrep sees it).
        let script = """
            !sleep 307 &
            !echo before
            pkill -KILL -f '^ssh -T -o ConnectTimeout=5 .*\(sshd.port)'
            i=0; while pgrep -f '^sleep 307' > /dev/null && [ $i -lt 100 ]; do sleep 0.1; i=$((i+1)); done
            pgrep -f '^sleep 307' > /dev/null && echo "the host job lives on" || echo "the host job was hung up"
            !echo lost; echo "status $?"
            !echo after
            echo guest
            """
        let run = try DoshBinary.run(sshd.hostArguments + ["-c", script], timeout: 30)
        #expect(run.stdout.hasPrefix("before\nthe host job was hung up\n"), "stdout: \(run.stdout) stderr: \(run.stderr)")
        #expect(run.stdout.contains("status 255\n"), "stdout: \(run.stdout) stderr: \(run.stderr)")
        #expect(run.stdout.hasSuffix("after\nguest\n"), "stdout: \(run.stdout) stderr: \(run.stderr)")
    }
}

extension SSHHostTests {
    static let passphraseDriver = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("Interactive/drive_passphrase.py")

    /// ssh asks for a key's passphrase on the terminal while the shell starts: the shell waits
    /// for it (no 5 s deadline), the answer opens the session, and Ctrl-C there gives up cleanly.
    @Test func aPassphraseIsAskedAtTheTerminalAndCtrlCGivesUp() throws {
        if let missing = missingTerminalPrerequisite() {
            if getuid() == 0 { Issue.record("the passphrase test cannot run: \(missing)") } else { print("skipping: \(missing)") }
            return
        }
        guard let sshd = try Self.sshd(farPath: Self.products + ":/usr/bin:/bin") else { return }
        let work = try makeScratchDirectory()
        defer { try? FileManager.default.removeItem(at: work) }
        let report = try runPython(
            [Self.passphraseDriver.path, work.path, PrivateSSHD.passphrase, String(sshd.port), DoshBinary.path] + sshd.lockedKeyHostArguments)
        print(report.output)
        #expect(report.status == 0, "\(report.output)")
    }
}

/// Whether something accepts tcp connections on 127.0.0.1:`port`.
private func canConnect(port: Int) -> Bool {
    let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    defer { close(fd) }
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_addr.s_addr = inet_addr("127.0.0.1")
    address.sin_port = UInt16(port).bigEndian
    return withUnsafePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
    } == 0
}

/// A tcp port nobody listens on now.
private func freePort() throws -> Int {
    let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    defer { close(fd) }
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_addr.s_addr = inet_addr("127.0.0.1")
    let bound = withUnsafePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
    }
    var length = socklen_t(MemoryLayout<sockaddr_in>.size)
    guard bound == 0, withUnsafeMutablePointer(to: &address, {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
    }) == 0 else { throw SSHHostTests.Failure(description: "no free port") }
    return Int(UInt16(bigEndian: address.sin_port))
}
