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
        subcommands: [Startup.self],
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
    let pid = try Spawn.spawn(path: path, arguments: [path] + arguments, environment: ["PATH=/usr/bin:/bin"], options: SpawnOptions())
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
