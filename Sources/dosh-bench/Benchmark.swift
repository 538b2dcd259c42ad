import ArgumentParser
import DoshSystem
import SystemPackage

#if canImport(Glibc)
    import Glibc
#endif

/// Measures dosh and prints figures. Run on demand, never as a test:
/// `swift build -c release && .build/release/dosh-bench startup`.
@main
struct DoshBench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "dosh-bench",
        abstract: "Print dosh's performance figures.",
        subcommands: [Startup.self, Boundary.self, Memory.self, Ssh.self, VirtualMachine.self],
        defaultSubcommand: Startup.self)
}

struct Startup: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Time `dosh -c true` from spawn to exit, beside dash and bash.")

    @Option(help: "The dosh to measure (default: the one beside this program).")
    var dosh: String?

    @Option(help: "Runs per shell.")
    var runs = 300

    func run() throws {
        let doshPath = dosh ?? siblingExecutable("dosh")
        print("startup: `SHELL -c true`, \(runs) runs each, wall time from spawn to exit")
        print("shell".padded(8) + "median".padded(12) + "mean".padded(12) + "p90")
        for (name, path) in [("dosh", doshPath), ("dash", "/usr/bin/dash"), ("bash", "/usr/bin/bash")] {
            guard access(path, X_OK) == 0 else { continue }
            let samples = try (0..<runs).map { _ in try timeRun(path, ["-c", "true"]) }.sorted()
            let mean = samples.reduce(0, +) / Double(samples.count)
            print(
                name.padded(8) + formatMillis(samples[samples.count / 2]).padded(12) + formatMillis(mean).padded(12)
                    + formatMillis(samples[samples.count * 9 / 10]))
        }
    }
}

/// The path of an executable in the same directory as this program.
func siblingExecutable(_ name: String) -> String {
    var buffer = [CChar](repeating: 0, count: 4096)
    let length = readlink("/proc/self/exe", &buffer, buffer.count - 1)
    guard length > 0 else { return name }
    let path = String(decoding: buffer[..<length].map { UInt8(bitPattern: $0) }, as: UTF8.self)
    guard let slash = path.lastIndex(of: "/") else { return name }
    return String(path[...slash]) + name
}

/// Spawns `path` with `arguments`, waits, and returns the elapsed seconds.
func timeRun(_ path: String, _ arguments: [String]) throws -> Double {
    let start = monotonicSeconds()
    var options = SpawnOptions()
    // The figures are about the work, not the terminal: output goes nowhere.
    let null = open("/dev/null", O_WRONLY)
    defer { close(null) }
    options.fdActions = [.duplicate(source: null, target: 1)]
    let pid = try Spawn.spawn(path: path, arguments: [path] + arguments, environment: benchEnvironment, options: options)
    let status = try Wait.wait(pid)?.status
    let elapsed = monotonicSeconds() - start
    // A figure of a run that failed would be a wrong figure.
    guard status == .exited(0) else { throw BenchError(description: "\(path) \(arguments.joined(separator: " ")): \(String(describing: status))") }
    return elapsed
}

func monotonicSeconds() -> Double {
    var now = timespec()
    clock_gettime(CLOCK_MONOTONIC, &now)
    return Double(now.tv_sec) + Double(now.tv_nsec) / 1e9
}

func formatMillis(_ seconds: Double) -> String {
    let micros = Int((seconds * 1e6).rounded())
    let fraction = micros % 1000
    return "\(micros / 1000).\(fraction < 100 ? "0" : "")\(fraction < 10 ? "0" : "")\(fraction) ms"
}

extension String {
    func padded(_ width: Int) -> String {
        count >= width ? self + " " : self + String(repeating: " ", count: width - count)
    }
}

struct Boundary: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Throughput across the boundary, the cost of a host command, host completion.")

    @Option(help: "The dosh to measure (default: the one beside this program).")
    var dosh: String?

    @Option(help: "The host address (default: local, a private shadow on this machine).")
    var host = "local"

    @Option(help: "Megabytes moved per throughput run.")
    var megabytes = 2048

    @Option(help: "Commands per run when timing command cost.")
    var commands = 500

    func run() throws {
        let doshPath = dosh ?? siblingExecutable("dosh")
        let pinned = pinningPrefixes().writer.isEmpty ? "" : ", writer and reader pinned to cores 0 and 1"
        print("throughput: \(megabytes) MB through a pipe (best of 3\(pinned))")
        let rates = try measureThroughput(dosh: doshPath, host: host, megabytes: megabytes)
        print("  local pipe      \(format(rates.local)) GB/s")
        print("  guest -> host   \(format(rates.toHost)) GB/s   \(format(rates.toHost / rates.local))x local")
        print("  host -> guest   \(format(rates.toGuest)) GB/s   \(format(rates.toGuest / rates.local))x local")

        print("command cost: \(commands) commands in one shell (best of 3)")
        let cost = try measureCommandCost(dosh: doshPath, host: host, commands: commands)
        print("  /bin/true       \(formatMillis(cost.guest)) each")
        print("  !/bin/true      \(formatMillis(cost.host)) each   \(format(cost.host / cost.guest))x")

        print("completion: a host directory of 10,000 entries (best of 5, end to end)")
        let directory = try makeTenThousandEntries()
        defer { removeTree(directory) }
        let baseline = try (0..<5).map { _ in try timeRun(doshPath, ["--host", host, "--complete", "!ls \(directory)/empty/x"]) }.min()!
        let full = try (0..<5).map { _ in try timeRun(doshPath, ["--host", host, "--complete", "!ls \(directory)/file1"]) }.min()!
        print("  start-up and session    \(formatMillis(baseline))")
        print("  completing 1,111 of 10,000 names   \(formatMillis(full)) (\(formatMillis(full - baseline)) beyond start-up)")
    }
}

func format(_ value: Double) -> String {
    let hundredths = Int((value * 100).rounded())
    return "\(hundredths / 100).\(hundredths % 100 < 10 ? "0" : "")\(hundredths % 100)"
}

/// `taskset -c 0 ` and `taskset -c 1 ` when this machine has two cores or more and taskset(1)
/// is there (on both sides: `local` and loopback hosts are this machine); empty otherwise.
func pinningPrefixes() -> (writer: String, reader: String) {
    guard sysconf(Int32(_SC_NPROCESSORS_ONLN)) >= 2, access("/usr/bin/taskset", X_OK) == 0 else { return ("", "") }
    return ("taskset -c 0 ", "taskset -c 1 ")
}

/// Rates in GB/s through a local pipe and across the boundary each way.
struct Throughput {
    var local: Double
    var toHost: Double
    var toGuest: Double
}

/// Moves `megabytes` of zeros through `head | cat` locally, guest to host and host to guest, in
/// dosh scripts (best of 3 each).
func measureThroughput(dosh: String, host: String, megabytes: Int) throws -> Throughput {
    let bytes = "\(megabytes)M"
    // The writer and the reader each on a core of their own, in every run: on a small machine a
    // pipe whose two ends share a core runs at half speed, and where the scheduler puts a
    // process started by the shadow would otherwise decide the figure, not the boundary.
    let (writer, reader) = pinningPrefixes()
    let scripts = [
        "\(writer)head -c \(bytes) /dev/zero | \(reader)cat > /dev/null",
        "\(writer)head -c \(bytes) /dev/zero | !\(reader)cat > !/dev/null",
        "!\(writer)head -c \(bytes) /dev/zero | \(reader)cat > /dev/null",
    ]
    // Rounds of all three in turn, best of each: a machine whose speed drifts (a shared virtual
    // machine) then drifts for all three alike, and the ratios stay fair.
    var best = [Double](repeating: .infinity, count: scripts.count)
    for _ in 0..<3 {
        for (index, script) in scripts.enumerated() {
            best[index] = min(best[index], try timeRun(dosh, ["--host", host, "-c", script]))
        }
    }
    let rates = best.map { Double(megabytes) / 1024 / $0 }
    return Throughput(local: rates[0], toHost: rates[1], toGuest: rates[2])
}

/// Seconds per `/bin/true` and per `!/bin/true` in one shell, beyond the loop itself (best of 3).
func measureCommandCost(dosh: String, host: String, commands: Int) throws -> (guest: Double, host: Double) {
    func best(_ command: String) throws -> Double {
        let script = "i=0; while [ $i -lt \(commands) ]; do \(command); i=$((i+1)); done"
        return try (0..<3).map { _ in try timeRun(dosh, ["--host", host, "-c", script]) }.min()!
    }
    let empty = try best(":")
    return ((try best("/bin/true") - empty) / Double(commands), (try best("!/bin/true") - empty) / Double(commands))
}
