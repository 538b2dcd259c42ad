#if canImport(Glibc)
    import Glibc
#endif

/// What `time` reports of a pipeline: the wall clock, and the CPU time of the shell and its
/// children (getrusage(2), RUSAGE_SELF and RUSAGE_CHILDREN). A host command's own CPU time is
/// the host's and is not counted; its wall time is.
struct PipelineTimes {
    var wall: ContinuousClock.Instant
    var user: Double
    var system: Double

    static func now() -> PipelineTimes {
        var own = rusage()
        var children = rusage()
        getrusage(RUSAGE_SELF.rawValue, &own)
        getrusage(RUSAGE_CHILDREN.rawValue, &children)
        func seconds(_ time: timeval) -> Double { Double(time.tv_sec) + Double(time.tv_usec) / 1_000_000 }
        return PipelineTimes(
            wall: .now, user: seconds(own.ru_utime) + seconds(children.ru_utime),
            system: seconds(own.ru_stime) + seconds(children.ru_stime))
    }

    /// The lines bash prints: `\nreal\t0m0.004s\nuser\t…\nsys\t…\n`, or POSIX's with `-p`.
    func report(since start: PipelineTimes, _ timing: Pipeline.Timing) -> String {
        let elapsed = start.wall.duration(to: wall)
        let real = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        let times = [("real", real), ("user", max(0, user - start.user)), ("sys", max(0, system - start.system))]
        switch timing {
        case .bash:
            return "\n" + times.map { "\($0.0)\t\(Self.minutesAndSeconds($0.1))\n" }.joined()
        case .posix:
            return times.map { "\($0.0) \(Self.fixed($0.1, decimals: 2))\n" }.joined()
        }
    }

    /// `1m5.123s`, as bash's `%3lR`.
    static func minutesAndSeconds(_ seconds: Double) -> String {
        let milliseconds = Int((seconds * 1000).rounded(.down))
        return "\(milliseconds / 60_000)m\(fixed(Double(milliseconds % 60_000) / 1000, decimals: 3))s"
    }

    /// `value` with exactly `decimals` digits after the point (truncated, as bash does).
    static func fixed(_ value: Double, decimals: Int) -> String {
        var scale = 1
        for _ in 0..<decimals { scale *= 10 }
        let scaled = Int((value * Double(scale)).rounded(.down))
        let fraction = String(scaled % scale)
        return "\(scaled / scale)." + String(repeating: "0", count: decimals - fraction.count) + fraction
    }
}
