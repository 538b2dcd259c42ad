import DoshProtocol
import DoshSystem

#if canImport(Glibc)
    import Glibc
#endif

/// Which side holds the terminal while a job is in the foreground (see `TerminalRule`).
enum TerminalSide {
    /// The guest terminal is handed to the job's guest process group; host stages whose fds
    /// would be the terminal get the guest terminal itself as a plain fd.
    case guest
    /// The job runs on the session's host pty, relayed to the raw guest terminal; guest stages
    /// whose fds would be the terminal get the host pty's slave.
    case host
}

/// The part of a job that runs on the host: one host job, standing for `count` consecutive
/// commands of the pipeline.
struct HostPart {
    let session: HostSession
    let jobID: UInt32
    let count: Int
    /// The host pids of its processes, in command order (as the shadow reported them).
    var processIDs: [pid_t] = []
    /// Each process's status, once the host reported the job finished.
    var statuses: [ExitStatus]? = nil
    /// The bytes its end said the session pty gave during it (`jobFinished`), when seen in the
    /// foreground: the shell copies that many to the terminal before the prompt.
    var terminalOutput: UInt64? = nil

    var finished: Bool { statuses != nil }
}

/// One stage of a job, in pipeline order.
enum JobStage {
    case guest(pid: pid_t, status: WaitStatus?)
    case host(HostPart)
}

/// A job: the processes of one pipeline (or `list &`), in one guest process group, and the host
/// jobs that run its `!` stages. It is done only when both sides are.
struct Job {
    enum State: Equatable {
        case running
        case stopped(signal: Int32)
        case done(status: Int32)
    }

    /// The number in the job table (0 until added).
    var number = 0
    /// The command as typed.
    var command: String
    /// Whether it was started in the foreground (it keeps being waited for until it stops).
    var foreground: Bool
    /// The guest process group (0 until the first guest process exists, and for a host-only job).
    var processGroup: pid_t = 0
    var stages: [JobStage] = []
    var state: State = .running
    /// Whether the user was told about the job's latest state.
    var notified = true
    /// Who has the terminal while the job is in the foreground; decided before any stage starts.
    var terminalSide: TerminalSide = .guest
    /// Whether a host process of the job has the session's host pty.
    var usesHostTerminal = false
    /// The terminal modes the job had when it stopped (restored by `fg`, like bash).
    var terminalModes: [UInt8]? = nil
    /// `set -o pipefail` when the job started: its status is then the last failing stage's.
    var pipeFail = false
    /// While stages start in a job on the host pty: the pty's slave, for guest stages' fds that
    /// would be the terminal (to read from, to write to: one fd when descriptors are passed).
    var hostTerminalForGuests: (input: Int32, output: Int32)? = nil
    /// Over data connections: relays reading the guest terminal for host stages of a job that
    /// holds it. They never see an end of input: the job's end stops them.
    var terminalRelays: [pid_t] = []

    init(command: String, foreground: Bool) {
        self.command = command
        self.foreground = foreground
    }

    /// Whether the job's guest processes get the guest terminal.
    var guestTakesTerminal: Bool { foreground && terminalSide == .guest }

    var guestProcessIDs: [pid_t] {
        stages.compactMap { if case .guest(let pid, _) = $0 { return pid } else { return nil } }
    }

    var hostParts: [HostPart] {
        stages.compactMap { if case .host(let part) = $0 { return part } else { return nil } }
    }

    /// Every pid that `$!`, `jobs -p`, `kill PID` and `wait PID` may name: the guest pids and the
    /// host ones.
    var nameablePIDs: [pid_t] {
        stages.flatMap { stage -> [pid_t] in
            switch stage {
            case .guest(let pid, _): return [pid]
            case .host(let part): return part.processIDs
            }
        }
    }

    /// The pid `$!` names: the last process's (bash), guest or host.
    var lastPID: pid_t? { nameablePIDs.last }

    /// The pid `jobs -p` shows: the guest group leader, or the host leader for a host-only job.
    var leaderPID: pid_t? { processGroup != 0 ? processGroup : nameablePIDs.first }

    func guestStatus(_ pid: pid_t) -> WaitStatus? {
        for case .guest(pid, let status) in stages { return status }
        return nil
    }

    var guestFinished: Bool {
        stages.allSatisfy { if case .guest(_, let status) = $0 { return status?.isTerminated ?? false } else { return true } }
    }

    var hostFinished: Bool { hostParts.allSatisfy(\.finished) }

    /// Each command's status, in order; nil for one still running.
    var commandStatuses: [Int32?] {
        stages.flatMap { stage -> [Int32?] in
            switch stage {
            case .guest(_, let status):
                return [status.flatMap { $0.isTerminated ? $0.shellStatus : nil }]
            case .host(let part):
                return part.statuses.map { $0.map(\.shellStatus) } ?? Array(repeating: nil, count: part.count)
            }
        }
    }

    /// The pipeline's status: the last command's, or with pipefail the last failing one's.
    var status: Int32 {
        let statuses = commandStatuses.map { $0 ?? 0 }
        if pipeFail { return statuses.last(where: { $0 != 0 }) ?? 0 }
        return statuses.last ?? 0
    }

    /// Whether a process of the job died of `signal` (an interrupt typed at the terminal).
    func anyKilled(by signal: Int32) -> Bool {
        stages.contains { stage in
            switch stage {
            case .guest(_, let status):
                if case .signaled(signal, _)? = status { return true }
                return false
            case .host(let part):
                return part.statuses?.contains { if case .signaled(signal, _) = $0 { return true } else { return false } } ?? false
            }
        }
    }

    mutating func record(_ pid: pid_t, _ status: WaitStatus) {
        for index in stages.indices {
            if case .guest(pid, _) = stages[index] { stages[index] = .guest(pid: pid, status: status) }
        }
    }

    mutating func recordHostFinished(_ jobID: UInt32, _ statuses: [ExitStatus], terminalOutput: UInt64? = nil) {
        for index in stages.indices {
            if case .host(var part) = stages[index], part.jobID == jobID {
                part.statuses = statuses
                part.terminalOutput = terminalOutput
                stages[index] = .host(part)
            }
        }
    }

    /// Marks the job done once both sides are.
    mutating func updateDoneState() {
        guard guestFinished, hostFinished else { return }
        if case .done = state { return }
        state = .done(status: status)
        notified = false
    }
}

extension Job {
    var isStopped: Bool { if case .stopped = state { return true } else { return false } }
}
