import ArgumentParser

#if canImport(Glibc)
    import Glibc
#endif

struct Ssh: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "The boundary figures beside ssh to localhost (a private sshd on a loopback port).",
        discussion: "Skips, saying why, when sshd cannot be started here.")

    @Option(help: "The dosh to measure (default: the one beside this program).")
    var dosh: String?

    @Option(
        help: "The host address for dosh (default: local, a private shadow on this machine; ssh: --host ssh: to the private sshd).")
    var host = "local"

    @Option(help: "Megabytes moved per throughput run.")
    var megabytes = 1024

    @Option(help: "Commands per run when timing command cost.")
    var commands = 300

    @Option(help: "ssh connections opened when timing a new connection per command.")
    var connections = 30

    @Option(help: "The sshd to start.")
    var sshd = "/usr/sbin/sshd"

    func run() throws {
        let doshPath = dosh ?? siblingExecutable("dosh")
        let server: PrivateSshd
        do {
            server = try PrivateSshd(sshd: sshd)
        } catch {
            print("ssh: skipped: \(error)")
            return
        }
        defer { server.stop() }
        let ssh = (["/usr/bin/ssh"] + server.clientOptions).joined(separator: " ")
        var host = host
        if host == "ssh" {
            // dosh over the same sshd, with the same options, beside ssh itself.
            setenv("DOSH_SSH", server.clientOptions.joined(separator: " "), 1)
            host = "ssh:127.0.0.1:\(server.port)"
        }

        print("beside ssh to localhost (private sshd on 127.0.0.1:\(server.port), default cipher); dosh --host \(host)")
        print("throughput: \(megabytes) MB through a pipe (best of 3)")
        let rates = try measureThroughput(dosh: doshPath, host: host, megabytes: megabytes)
        func best(_ pipeline: String) throws -> Double {
            let seconds = try (0..<3).map { _ in try timeRun("/bin/sh", ["-c", pipeline]) }.min()!
            return Double(megabytes) / 1024 / seconds
        }
        let sshToHost = try best("head -c \(megabytes)M /dev/zero | \(ssh) 127.0.0.1 'cat > /dev/null'")
        let sshToGuest = try best("\(ssh) 127.0.0.1 'head -c \(megabytes)M /dev/zero' | cat > /dev/null")
        print("".padded(16) + "dosh".padded(22) + "ssh")
        print("  local pipe    \(format(rates.local)) GB/s")
        print(
            "  to host       " + "\(format(rates.toHost)) GB/s (\(format(rates.toHost / rates.local))x)".padded(22)
                + "\(format(sshToHost)) GB/s (\(format(sshToHost / rates.local))x)")
        print(
            "  to guest      " + "\(format(rates.toGuest)) GB/s (\(format(rates.toGuest / rates.local))x)".padded(22)
                + "\(format(sshToGuest)) GB/s (\(format(sshToGuest / rates.local))x)")

        print("command cost: one host command (median)")
        let cost = try measureCommandCost(dosh: doshPath, host: host, commands: commands)
        let fresh = try median((0..<connections).map { _ in try timeRun("/usr/bin/ssh", server.clientOptions + ["127.0.0.1", "true"]) })
        let control = "\(server.directory)/control"
        let shared = server.clientOptions + ["-o", "ControlPath=\(control)"]
        guard try runStatus("/usr/bin/ssh", shared + ["-o", "ControlMaster=yes", "-f", "-N", "127.0.0.1"]) == 0 else {
            throw BenchError(description: "cannot start an ssh ControlMaster")
        }
        defer { _ = try? runStatus("/usr/bin/ssh", shared + ["-O", "exit", "127.0.0.1"]) }
        let multiplexed = try median((0..<commands).map { _ in try timeRun("/usr/bin/ssh", shared + ["127.0.0.1", "true"]) })
        print("  dosh  !/bin/true in one shell                  \(formatMillis(cost.host))  (/bin/true \(formatMillis(cost.guest)))")
        print("  ssh   localhost true, a new connection each    \(formatMillis(fresh))")
        print("  ssh   localhost true, over one ControlMaster   \(formatMillis(multiplexed))")
        if host.hasPrefix("ssh:") {
            // What a user waits for: start dosh, connect through ssh, run the first host command.
            let first = try median((0..<10).map { _ in try timeRun(doshPath, ["--host", host, "-c", "!true"]) })
            print("  dosh  start, connect over ssh, first !true     \(formatMillis(first))")
        }
        // sshd runs every command through the user's login shell, and bash reads ~/.bashrc when it
        // sees SSH_CLIENT: that start-up belongs to the machine's set-up, not to ssh.
        if let user = getpwuid(getuid()) {
            let shell = String(cString: user.pointee.pw_shell)
            let home = String(cString: user.pointee.pw_dir)
            let startup = try median(
                (0..<10).map { _ in
                    try timeRun("/bin/sh", ["-c", "HOME='\(home)' SSH_CLIENT='127.0.0.1 1 2' exec \(shell) -c true"])
                })
            print("        of which \(shell) -c true as sshd starts it (its rc files)   \(formatMillis(startup))")
        }
    }
}

func median(_ samples: [Double]) -> Double {
    let sorted = samples.sorted()
    return sorted[sorted.count / 2]
}
