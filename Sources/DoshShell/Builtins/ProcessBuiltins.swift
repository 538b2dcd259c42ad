import DoshSystem
import SystemPackage

#if canImport(Glibc)
    import Glibc
#endif

/// `trap`, `times`, `kill`.
extension Shell {
    func trapBuiltin(_ arguments: [String]) throws(Unwind) -> Int32 {
        var operands = arguments[...]
        if operands.first == "--" { operands = operands.dropFirst() }
        if operands.isEmpty || operands.first == "-p" {
            var output = ""
            for (signal, action) in traps.listing.sorted(by: { $0.key < $1.key }) {
                let name = signal == 0 ? "EXIT" : (SignalNames.name(of: signal) ?? String(signal))
                output += "trap -- \(quoteForDisplay(action)) \(name)\n"
            }
            try writeOutput(output)
            return 0
        }
        if operands.first == "-l" {
            try writeOutput(SignalNames.all.map { "\($0.number)) SIG\($0.name)" }.joined(separator: "\n") + "\n")
            return 0
        }
        var action: String? = operands.removeFirst()
        // `trap N…` with a number first resets those conditions (POSIX).
        if let first = action, SignalNames.number(for: first) != nil, Int(first) != nil {
            operands.insert(first, at: operands.startIndex)
            action = nil
        }
        if action == "-" { action = nil }
        var status: Int32 = 0
        for condition in operands {
            guard let signal = SignalNames.number(for: condition) else {
                report("trap: \(condition): invalid signal specification")
                status = 1
                continue
            }
            if signal == SIGKILL || signal == SIGSTOP {
                continue
            }
            // POSIX: a non-interactive shell keeps ignoring what was ignored when it started.
            // Until the first trap on a signal, its disposition is still the inherited one.
            if !options.interactive && traps.action(for: signal) == nil && Signals.isIgnored(signal) {
                traps.ignoredOnEntry.insert(signal)
            }
            if !options.interactive && traps.ignoredOnEntry.contains(signal) { continue }
            traps.set(signal, action: action)
        }
        return status
    }

    func timesBuiltin(_ arguments: [String]) throws(Unwind) -> Int32 {
        var usage = tms()
        _ = times(&usage)
        let ticks = Double(sysconf(Int32(_SC_CLK_TCK)))
        func format(_ value: clock_t) -> String {
            let seconds = Double(value) / ticks
            let minutes = Int(seconds / 60)
            let rest = seconds - Double(minutes * 60)
            let millis = Int((rest * 1000).rounded())
            let whole = millis / 1000
            let fraction = millis % 1000
            let padded = String(fraction).count < 3 ? String(repeating: "0", count: 3 - String(fraction).count) + String(fraction) : String(fraction)
            return "\(minutes)m\(whole).\(padded)s"
        }
        try writeOutput("\(format(usage.tms_utime)) \(format(usage.tms_stime))\n\(format(usage.tms_cutime)) \(format(usage.tms_cstime))\n")
        return 0
    }

    func killBuiltin(_ arguments: [String]) throws(Unwind) -> Int32 {
        var signal = SIGTERM
        var operands = arguments[...]
        if let first = operands.first {
            if first == "-l" || first == "-L" {
                let specs = operands.dropFirst()
                guard !specs.isEmpty else {
                    try writeOutput(SignalNames.all.map(\.name).joined(separator: " ") + "\n")
                    return 0
                }
                // Each operand converts: a number or an exit status (128+N) to its name, a name
                // to its number, as bash does.
                var output = ""
                var status: Int32 = 0
                for spec in specs {
                    if let value = Int32(spec) {
                        if let name = SignalNames.name(of: value > 128 ? value - 128 : value) {
                            output += name + "\n"
                            continue
                        }
                    } else if let number = SignalNames.number(for: spec) {
                        output += "\(number)\n"
                        continue
                    }
                    report("kill: \(spec): invalid signal specification")
                    status = 1
                }
                try writeOutput(output)
                return status
            }
            if first == "-s" || first == "-n" {
                guard let name = operands.dropFirst().first, let number = SignalNames.number(for: name) else {
                    return usageError("kill", "invalid signal specification")
                }
                signal = number
                operands = operands.dropFirst(2)
            } else if first.hasPrefix("-"), first != "--" {
                guard let number = SignalNames.number(for: String(first.dropFirst())) else {
                    return usageError("kill", "\(first.dropFirst()): invalid signal specification")
                }
                signal = number
                operands = operands.dropFirst()
            }
        }
        if operands.first == "--" { operands = operands.dropFirst() }
        guard !operands.isEmpty else { return usageError("kill", "usage: kill [-s sigspec | -n signum | -sigspec] pid | jobspec ...") }
        var status: Int32 = 0
        for operand in operands {
            var pid: pid_t
            if operand.hasPrefix("%") {
                switch jobs.resolve(operand) {
                case .failure(let error):
                    report("kill: \(error.message)")
                    status = 1
                case .success(let number):
                    if !signalJob(number, signal) { status = 1 }
                }
                continue
            } else {
                guard let number = pid_t(operand) else {
                    report("kill: \(operand): arguments must be process or job IDs")
                    status = 1
                    continue
                }
                pid = number
            }
            // A host process of a job (`$!` after `!sleep 5 &`) is signalled on the host.
            if let job = jobs.job(pid: pid), !job.guestProcessIDs.contains(pid),
                let part = job.hostParts.first(where: { $0.processIDs.contains(pid) })
            {
                if !signalHostPart(part, signal, wasStopped: job.isStopped) {
                    report("kill: (\(pid)) - No such process")
                    status = 1
                }
                continue
            }
            do {
                try Signals.send(signal, to: pid)
            } catch {
                report("kill: (\(pid)) - \(error.message)")
                status = 1
            }
        }
        return status
    }
}
