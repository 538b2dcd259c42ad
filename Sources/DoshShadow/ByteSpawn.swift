#if canImport(Glibc)
import Glibc
#endif
import CDoshSystem

/// posix_spawn through the C shim (`dosh_spawn`, as `DoshSystem.Spawn` uses it), with argv,
/// environment and path as raw bytes: host arguments and file names need not be UTF-8, and a
/// `String` round trip would change them.
enum ByteSpawn {
  /// `group` 0 starts a new process group led by the child; otherwise the child joins it.
  /// With a `foregroundTerminal`, the child's group becomes that terminal's foreground group
  /// before the program runs (a full-screen program never runs without its terminal).
  static func spawn(
    path: [UInt8], arguments: [[UInt8]], environment: [[UInt8]], group: pid_t,
    actions: [dosh_fd_action], defaultSignals: [Int32], foregroundTerminal: Int32? = nil
  ) -> (pid: pid_t, error: Int32) {
    var pid: pid_t = 0
    let error: Int32 = withCString(path) { path in
      withCStringArray(arguments) { argv in
        withCStringArray(environment) { envp in
          actions.withUnsafeBufferPointer { actions in
            defaultSignals.withUnsafeBufferPointer { signals in
              var options = dosh_spawn_options()
              options.process_group = group
              options.foreground_tty = foregroundTerminal ?? -1
              options.fd_actions = actions.baseAddress
              options.fd_action_count = actions.count
              options.default_signals = signals.baseAddress
              options.default_signal_count = signals.count
              options.ignore_interrupts = false
              return dosh_spawn(path, argv, envp, &options, &pid)
            }
          }
        }
      }
    }
    return (pid, error)
  }
}
