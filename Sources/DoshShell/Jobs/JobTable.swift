import DoshProtocol
import DoshSystem

#if canImport(Glibc)
    import Glibc
#endif

/// The jobs of a shell, numbered from 1, with bash's notion of the current (`%+`) and previous
/// (`%-`) job.
struct JobTable {
    private(set) var jobs: [Job] = []
    /// Statuses of children reaped while no one was waiting for them, by pid (for `wait PID`).
    private var reaped: [pid_t: WaitStatus] = [:]
    /// Job numbers, most recently made current last.
    private var recency: [Int] = []

    var isEmpty: Bool { jobs.isEmpty }

    var hasStoppedJobs: Bool { jobs.contains { if case .stopped = $0.state { return true } else { return false } } }

    @discardableResult
    mutating func add(_ job: Job) -> Int {
        var job = job
        job.number = (jobs.map(\.number).max() ?? 0) + 1
        jobs.append(job)
        makeCurrent(job.number)
        return job.number
    }

    /// Adds a background child started without job control (`list &` in a script): it has no
    /// process group of its own.
    mutating func add(pid: pid_t, command: String) {
        var job = Job(command: command, foreground: false)
        job.stages = [.guest(pid: pid, status: nil)]
        add(job)
    }

    mutating func remove(number: Int) {
        jobs.removeAll { $0.number == number }
        recency.removeAll { $0 == number }
    }

    mutating func remove(pid: pid_t) {
        if let job = job(pid: pid) { remove(number: job.number) }
    }

    mutating func makeCurrent(_ number: Int) {
        recency.removeAll { $0 == number }
        recency.append(number)
    }

    var current: Int? { recency.last { number in jobs.contains { $0.number == number } } }
    var previous: Int? {
        let live = recency.filter { number in jobs.contains { $0.number == number } }
        return live.count >= 2 ? live[live.count - 2] : nil
    }

    func index(number: Int) -> Int? { jobs.firstIndex { $0.number == number } }

    /// The job that `pid` (guest or host, as `$!` and `jobs -p` give them) belongs to.
    func job(pid: pid_t) -> Job? {
        jobs.first { $0.guestProcessIDs.contains(pid) } ?? jobs.first { $0.nameablePIDs.contains(pid) }
    }

    func job(number: Int) -> Job? { jobs.first { $0.number == number } }

    subscript(number: Int) -> Job? {
        get { job(number: number) }
        set {
            guard let index = index(number: number) else { return }
            if let newValue { jobs[index] = newValue } else { remove(number: number) }
        }
    }

    /// Records what `waitpid` said about `pid`; returns the number of the job it belongs to.
    @discardableResult
    mutating func record(_ pid: pid_t, _ status: WaitStatus) -> Int? {
        guard let index = jobs.firstIndex(where: { $0.guestProcessIDs.contains(pid) }) else {
            if status.isTerminated { reaped[pid] = status }
            return nil
        }
        switch status {
        case .stopped(let signal):
            // One notice per stop: the other side's stop (the shell stopped it) adds nothing.
            if case .stopped = jobs[index].state { break }
            jobs[index].state = .stopped(signal: signal)
            jobs[index].notified = false
        case .continued:
            jobs[index].state = .running
        case .exited, .signaled:
            jobs[index].record(pid, status)
            reaped[pid] = status
        }
        jobs[index].updateDoneState()
        return jobs[index].number
    }

    /// Records that a host part finished.
    mutating func recordHostFinished(number: Int, jobID: UInt32, statuses: [ExitStatus]) {
        guard let index = index(number: number) else { return }
        jobs[index].recordHostFinished(jobID, statuses)
        jobs[index].updateDoneState()
    }

    /// Records that a host part stopped (a background host job read the host pty: SIGTTIN).
    mutating func recordHostStopped(number: Int, signal: Int32) {
        guard let index = index(number: number) else { return }
        if case .stopped = jobs[index].state { return }
        jobs[index].state = .stopped(signal: signal)
        jobs[index].notified = false
    }

    /// Collects children that changed state, without blocking.
    mutating func reapFinished(untraced: Bool = false) {
        let options: WaitOptions = untraced ? [.noHang, .untraced, .continued] : [.noHang]
        while let result = try? Wait.wait(-1, options: options) {
            record(result.pid, result.status)
        }
    }

    /// The status of a child reaped earlier, forgotten once taken.
    mutating func takeReapedStatus(_ pid: pid_t) -> WaitStatus? {
        reaped.removeValue(forKey: pid)
    }

    /// Forgets the statuses of a job's processes once `wait` has returned one: POSIX removes a
    /// pid waited for from those the shell knows, so a second `wait PID` gives 127.
    mutating func forgetReapedStatuses(of job: Job) {
        for pid in job.guestProcessIDs { reaped[pid] = nil }
    }

    /// Resolves a job spec: `%n`, `%+`, `%%`, `%`, `%-`, `%string` (command starts with),
    /// `%?string` (command contains). Nil with a message when it names no job or several.
    func resolve(_ spec: String) -> Result<Int, JobSpecError> {
        guard spec.hasPrefix("%") else { return .failure(JobSpecError(message: "\(spec): no such job")) }
        let body = spec.dropFirst()
        switch body {
        case "", "+", "%":
            return current.map { .success($0) } ?? .failure(JobSpecError(message: "current: no such job"))
        case "-":
            return previous.map { .success($0) } ?? .failure(JobSpecError(message: "previous: no such job"))
        default:
            if let number = Int(body) {
                return job(number: number) != nil ? .success(number) : .failure(JobSpecError(message: "\(spec): no such job"))
            }
            let matches: [Job]
            if body.hasPrefix("?") {
                let text = body.dropFirst()
                matches = jobs.filter { $0.command.contains(text) }
            } else {
                matches = jobs.filter { $0.command.hasPrefix(body) }
            }
            if matches.count > 1 { return .failure(JobSpecError(message: "\(spec): ambiguous job spec")) }
            guard let match = matches.first else { return .failure(JobSpecError(message: "\(spec): no such job")) }
            return .success(match.number)
        }
    }
}

struct JobSpecError: Error {
    var message: String
}
