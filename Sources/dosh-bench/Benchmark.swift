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
        subcommands: [Startup.self, Boundary.self],
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
    let pid = try Spawn.spawn(path: path, arguments: [path] + arguments, environment: ["PATH=/usr/bin:/bin", "HOME=/tmp"], options: options)
    _ = try Wait.wait(pid)
    return monotonicSeconds() - start
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
        func timeScript(_ script: String) throws -> Double {
            try timeRun(doshPath, ["--host", host, "-c", script])
        }
        let bytes = "\(megabytes)M"
        print("throughput: \(megabytes) MB through a pipe (best of 3)")
        let local = try (0..<3).map { _ in try timeScript("head -c \(bytes) /dev/zero | cat > /dev/null") }.min()!
        let toHost = try (0..<3).map { _ in try timeScript("head -c \(bytes) /dev/zero | !cat > !/dev/null") }.min()!
        let toGuest = try (0..<3).map { _ in try timeScript("!head -c \(bytes) /dev/zero | cat > /dev/null") }.min()!
        let rate = { (seconds: Double) in Double(megabytes) / 1024 / seconds }
        print("  local pipe      \(format(rate(local))) GB/s")
        print("  guest -> host   \(format(rate(toHost))) GB/s   \(format(local / toHost))x local")
        print("  host -> guest   \(format(rate(toGuest))) GB/s   \(format(local / toGuest))x local")

        print("command cost: \(commands) commands in one shell (best of 3)")
        let loop = { (command: String) in "i=0; while [ $i -lt \(commands) ]; do \(command); i=$((i+1)); done" }
        let empty = try (0..<3).map { _ in try timeScript(loop(":")) }.min()!
        let guest = try (0..<3).map { _ in try timeScript(loop("/bin/true")) }.min()!
        let hostTrue = try (0..<3).map { _ in try timeScript(loop("!/bin/true")) }.min()!
        let perGuest = (guest - empty) / Double(commands)
        let perHost = (hostTrue - empty) / Double(commands)
        print("  /bin/true       \(formatMillis(perGuest)) each")
        print("  !/bin/true      \(formatMillis(perHost)) each   \(format(perHost / perGuest))x")

        print("completion: a host directory of 10,000 entries (best of 5, end to end)")
        var template = Array("/tmp/dosh-bench.XXXXXX".utf8CString)
        guard let made = mkdtemp(&template) else { throw ExitCode.failure }
        let directory = String(cString: made)
        defer { _ = try? timeRun("/bin/rm", ["-rf", directory]) }
        for index in 0..<10_000 {
            let fd = open("\(directory)/file\(index)", O_CREAT | O_WRONLY, 0o644)
            if fd >= 0 { close(fd) }
        }
        mkdir("\(directory)/empty", 0o755)
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
