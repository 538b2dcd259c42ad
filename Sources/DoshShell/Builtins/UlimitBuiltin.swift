import DoshSystem
import SystemPackage

#if canImport(Glibc)
    import Glibc
#endif

/// `ulimit`, as bash: the limits are the shell's own, so commands it starts inherit them.
extension Shell {
    private struct ResourceLimit {
        let option: Character
        let description: String
        let unit: String?
        /// Bytes (or other base units) per unit shown.
        let factor: rlim_t
        /// nil for the pipe size, which is fixed.
        let resource: Int32?
    }

    /// `RLIM_INFINITY`, which Swift cannot import (it is `-1` cast to unsigned).
    private static let infinity = rlim_t.max

    private static let resourceLimits: [ResourceLimit] = [
        ResourceLimit(option: "R", description: "real-time non-blocking time", unit: "microseconds", factor: 1,
            resource: Int32(__RLIMIT_RTTIME.rawValue)),
        ResourceLimit(option: "c", description: "core file size", unit: "blocks", factor: 512,
            resource: Int32(RLIMIT_CORE.rawValue)),
        ResourceLimit(option: "d", description: "data seg size", unit: "kbytes", factor: 1024,
            resource: Int32(RLIMIT_DATA.rawValue)),
        ResourceLimit(option: "e", description: "scheduling priority", unit: nil, factor: 1,
            resource: Int32(__RLIMIT_NICE.rawValue)),
        ResourceLimit(option: "f", description: "file size", unit: "blocks", factor: 512,
            resource: Int32(RLIMIT_FSIZE.rawValue)),
        ResourceLimit(option: "i", description: "pending signals", unit: nil, factor: 1,
            resource: Int32(__RLIMIT_SIGPENDING.rawValue)),
        ResourceLimit(option: "l", description: "max locked memory", unit: "kbytes", factor: 1024,
            resource: Int32(__RLIMIT_MEMLOCK.rawValue)),
        ResourceLimit(option: "m", description: "max memory size", unit: "kbytes", factor: 1024,
            resource: Int32(__RLIMIT_RSS.rawValue)),
        ResourceLimit(option: "n", description: "open files", unit: nil, factor: 1,
            resource: Int32(RLIMIT_NOFILE.rawValue)),
        ResourceLimit(option: "p", description: "pipe size", unit: "512 bytes", factor: 512, resource: nil),
        ResourceLimit(option: "q", description: "POSIX message queues", unit: "bytes", factor: 1,
            resource: Int32(__RLIMIT_MSGQUEUE.rawValue)),
        ResourceLimit(option: "r", description: "real-time priority", unit: nil, factor: 1,
            resource: Int32(__RLIMIT_RTPRIO.rawValue)),
        ResourceLimit(option: "s", description: "stack size", unit: "kbytes", factor: 1024,
            resource: Int32(RLIMIT_STACK.rawValue)),
        ResourceLimit(option: "t", description: "cpu time", unit: "seconds", factor: 1,
            resource: Int32(RLIMIT_CPU.rawValue)),
        ResourceLimit(option: "u", description: "max user processes", unit: nil, factor: 1,
            resource: Int32(__RLIMIT_NPROC.rawValue)),
        ResourceLimit(option: "v", description: "virtual memory", unit: "kbytes", factor: 1024,
            resource: Int32(RLIMIT_AS.rawValue)),
        ResourceLimit(option: "x", description: "file locks", unit: nil, factor: 1,
            resource: Int32(__RLIMIT_LOCKS.rawValue)),
    ]

    func ulimitBuiltin(_ arguments: [String]) throws(Unwind) -> Int32 {
        var hard = false
        var soft = false
        var all = false
        var chosen: [ResourceLimit] = []
        let parsed = OptionLetters(arguments)
        let operands = parsed.operands
        for (letter, _) in parsed.letters {
            switch letter {
            case "H": hard = true
            case "S": soft = true
            case "a": all = true
            default:
                guard let limit = Self.resourceLimits.first(where: { $0.option == letter }) else {
                    report("ulimit: -\(letter): invalid option")
                    writeError("ulimit: usage: ulimit [-SHacdefilmnpqrstuvxR] [limit]\n")
                    return 2
                }
                chosen.append(limit)
            }
        }
        if all { chosen = Self.resourceLimits }
        if chosen.isEmpty { chosen = [Self.resourceLimits.first { $0.option == "f" }!] }
        guard let operand = operands.first, !all else {
            var output = ""
            for limit in chosen {
                var current = rlimit(rlim_cur: rlim_t(PIPE_BUF), rlim_max: rlim_t(PIPE_BUF))
                if let resource = limit.resource { getrlimit(__rlimit_resource_t(resource), &current) }
                let value = hard && !soft ? current.rlim_max : current.rlim_cur
                let shown = value == Self.infinity ? "unlimited" : String(value / limit.factor)
                output += (chosen.count > 1 ? Self.label(limit) : "") + shown + "\n"
            }
            try writeOutput(output)
            return 0
        }
        for limit in chosen {
            guard let resource = limit.resource else {
                report("ulimit: \(limit.description): cannot modify limit: \(Errno.invalidArgument.message)")
                return 1
            }
            var current = rlimit()
            getrlimit(__rlimit_resource_t(resource), &current)
            let value: rlim_t
            switch operand {
            case "unlimited": value = Self.infinity
            case "hard": value = current.rlim_max
            case "soft": value = current.rlim_cur
            default:
                guard let number = rlim_t(operand), number <= Self.infinity / limit.factor else {
                    report("ulimit: \(operand): invalid number")
                    return 1
                }
                value = number * limit.factor
            }
            // Neither -H nor -S: both limits, as bash.
            if hard || !soft { current.rlim_max = value }
            if soft || !hard { current.rlim_cur = value }
            if setrlimit(__rlimit_resource_t(resource), &current) != 0 {
                report("ulimit: \(limit.description): cannot modify limit: \(Errno(rawValue: errno).message)")
                return 1
            }
        }
        return 0
    }

    /// bash's `ulimit -a` columns: the description in 20, then `(unit, -x) ` right-aligned in 20.
    private static func label(_ limit: ResourceLimit) -> String {
        let unit = limit.unit.map { "(\($0), -\(limit.option)) " } ?? "(-\(limit.option)) "
        let description = limit.description + String(repeating: " ", count: max(0, 20 - limit.description.count))
        return description + " " + String(repeating: " ", count: max(0, 20 - unit.count)) + unit
    }
}
