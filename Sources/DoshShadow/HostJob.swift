#if canImport(Glibc)
import Glibc
#endif
import DoshProtocol

/// One running host job: its process group and what became of each process.
final class HostJob {
  let id: UInt32
  /// 0 when no process could be started.
  let processGroup: pid_t
  /// In spec order; 0 for a process that could not be started.
  let processIDs: [pid_t]
  var statuses: [ExitStatus?]
  var isStopped = false
  /// Whether the shadow made the job the foreground group of the session pty (and must take
  /// the pty back when the job stops or ends).
  var ownsTerminal = false
  /// How many bytes the session pty's pump had taken when the job started (`jobFinished`
  /// reports those taken since).
  var terminalOutputAtStart: UInt64 = 0
  /// Whether the job runs on the session pty (its end then waits for the pty's last bytes).
  var usesTerminal = false

  init(id: UInt32, processGroup: pid_t, processIDs: [pid_t], statuses: [ExitStatus?]) {
    self.id = id
    self.processGroup = processGroup
    self.processIDs = processIDs
    self.statuses = statuses
  }

  var isFinished: Bool { statuses.allSatisfy { $0 != nil } }
}
