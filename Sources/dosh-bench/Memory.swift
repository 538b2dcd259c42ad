import ArgumentParser

#if canImport(Glibc)
    import Glibc
#endif

struct Memory: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Peak resident memory of dosh and of its shadow process under a mixed workload.")

    @Option(help: "The dosh to measure (default: the one beside this program).")
    var dosh: String?

    @Option(help: "The doshd for the agent runs (default: the one beside this program).")
    var doshd: String?

    @Option(help: "Megabytes moved each way.")
    var megabytes = 1024

    @Option(help: "Host commands run.")
    var commands = 1000

    func run() throws {
        let doshPath = dosh ?? siblingExecutable("dosh")
        let doshdPath = doshd ?? siblingExecutable("doshd")
        let directory = try makeTenThousandEntries()
        defer { removeTree(directory) }
        print("peak memory (VmHWM): \(megabytes) MB each way through !cat, \(commands) !true, a host glob and !ls of 10,000 names")
        print("  goals: dosh <= 20 MiB, shadow <= 15 MiB")
        let agent = try PrivateAgent(doshd: doshdPath)
        defer { agent.stop() }
        for (name, host, shadowParent) in [("--host local", "local", nil), ("doshd agent", agent.address, agent.pid)] {
            let session = try sessionPeaks(doshPath, host: host, directory: directory)
            let completion = try completionPeaks(doshPath, host: host, shadowParent: shadowParent, directory: directory)
            print("  \(name):")
            print("    session      dosh \(mebibytes(session.dosh))   shadow \(mebibytes(session.shadow))")
            print(
                "    completion   dosh \(mebibytes(completion.dosh))   shadow \(mebibytes(completion.shadow))"
                    + " (sampled)")
        }
    }

    /// One session runs the whole workload, then prints its own and its shadow's VmHWM.
    func sessionPeaks(_ doshPath: String, host: String, directory: String) throws -> (dosh: Int?, shadow: Int?) {
        let script = """
            head -c \(megabytes)M /dev/zero | !cat > /dev/null
            !head -c \(megabytes)M /dev/zero | cat > /dev/null
            i=0; while [ $i -lt \(commands) ]; do !true; i=$((i+1)); done
            !echo \(directory)/file* > /dev/null
            !ls \(directory) | cat > /dev/null
            grep VmHWM /proc/$$/status
            !sh -c 'grep VmHWM /proc/$PPID/status'
            """
        let run = try captureRun(doshPath, ["--host", host, "-c", script])
        let lines = run.output.split(separator: "\n").map(String.init)
        guard run.status == 0, lines.count == 2 else {
            throw BenchError(description: "the memory workload failed (status \(run.status)): \(run.output)")
        }
        return (kibibytes(after: "VmHWM:", in: lines[0]), kibibytes(after: "VmHWM:", in: lines[1]))
    }

    /// `dosh --complete` on the 10,000-entry directory, the highest of 5 runs: dosh's peak from
    /// wait4(2) (with `--host local`, where the shadow is dosh's child, the larger of the two); the
    /// shadow's sampled from /proc while it lives (`shadowParent` nil: the shadow is dosh's child).
    func completionPeaks(_ doshPath: String, host: String, shadowParent: pid_t?, directory: String) throws
        -> (dosh: Int?, shadow: Int?)
    {
        var doshPeak = 0
        var shadowPeak = 0
        for _ in 0..<5 {
            var sampledDosh = 0
            let run = try captureRun(doshPath, ["--host", host, "--complete", "!ls \(directory)/file1"]) { dosh in
                sampledDosh = max(sampledDosh, peakResidentKiB(of: dosh) ?? 0)
                for shadow in childProcesses(of: shadowParent ?? dosh) {
                    shadowPeak = max(shadowPeak, peakResidentKiB(of: shadow) ?? 0)
                }
            }
            guard run.status == 0, run.output.split(separator: "\n").count == 1_111 else {
                throw BenchError(description: "completion failed (status \(run.status)): \(run.output.prefix(200))")
            }
            // With --host local the shadow is dosh's waited child, and wait4 reports the larger of
            // the two: an upper bound for dosh; sampling alone could miss its last growth.
            doshPeak = max(doshPeak, sampledDosh, run.peakKiB)
        }
        return (doshPeak == 0 ? nil : doshPeak, shadowPeak == 0 ? nil : shadowPeak)
    }
}

/// `6.2 MiB`, or `?`.
func mebibytes(_ kibibytes: Int?) -> String {
    guard let kibibytes else { return "?" }
    let tenths = (kibibytes * 10 + 512) / 1024
    return "\(tenths / 10).\(tenths % 10) MiB"
}
