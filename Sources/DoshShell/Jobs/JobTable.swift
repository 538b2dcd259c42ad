import DoshSystem

#if canImport(Glibc)
    import Glibc
#endif

/// A job started with `&`.
struct Job {
    var number: Int
    var pid: pid_t
    var command: String
    /// Set once the job's process has been reaped.
    var status: WaitStatus?
}

/// The background jobs of a shell.
struct JobTable {
    private(set) var jobs: [Job] = []
    /// Statuses of children reaped while no one was waiting for them, by pid (for `wait PID`).
    private var reaped: [pid_t: WaitStatus] = [:]

    var isEmpty: Bool { jobs.isEmpty }

    mutating func add(pid: pid_t, command: AndOrList) {
        let number = (jobs.map(\.number).max() ?? 0) + 1
        jobs.append(Job(number: number, pid: pid, command: ""))
        _ = command
    }

    mutating func remove(pid: pid_t) {
        jobs.removeAll { $0.pid == pid }
    }

    func job(pid: pid_t) -> Job? { jobs.first { $0.pid == pid } }

    func job(number: Int) -> Job? { jobs.first { $0.number == number } }

    /// Collects children that finished, without blocking.
    mutating func reapFinished() {
        while let result = try? Wait.wait(-1, options: .noHang) {
            record(result.pid, result.status)
        }
    }

    mutating func record(_ pid: pid_t, _ status: WaitStatus) {
        guard status.isTerminated else { return }
        if let index = jobs.firstIndex(where: { $0.pid == pid }) {
            jobs[index].status = status
        }
        reaped[pid] = status
    }

    /// The status of a child reaped earlier, forgotten once taken.
    mutating func takeReapedStatus(_ pid: pid_t) -> WaitStatus? {
        reaped.removeValue(forKey: pid)
    }
}
