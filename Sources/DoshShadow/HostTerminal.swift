#if canImport(Glibc)
import Glibc
#endif
import DoshSystem
import SystemPackage

/// The session's host pseudo-terminal: one per session, opened on the shell's first
/// `openTerminal`. The guest relays its terminal ⇄ the master (which it receives); host
/// processes whose fd would be the guest's terminal get the slave.
///
/// The shadow is a session leader (`runShadow` calls setsid), and the slave is opened without
/// O_NOCTTY, so the pty becomes the shadow's controlling terminal: each job's process group is
/// then a process group of the pty's session, and the kernel's job control (^Z, ^C, SIGTTIN,
/// SIGTTOU, SIGWINCH) applies to host jobs as it does to a local shell's jobs. The shadow keeps
/// both ends (close-on-exec) for as long as the session lives, so the pty never hangs up while
/// the guest's relay is away; closing them at the end is the hang-up.
final class HostTerminal {
  let master: Int32
  let slave: Int32
  private var isOpen = true

  struct Failure: Error {
    var code: Int32
    var message: String
  }

  private init(master: Int32, slave: Int32) {
    self.master = master
    self.slave = slave
  }

  /// Opens a new pty and makes it the shadow's controlling terminal.
  static func open() -> Result<HostTerminal, Failure> {
    let master: FileDescriptor
    let path: String
    do {
      (master, path) = try Terminal.openPseudoTerminal()
    } catch {
      return .failure(Failure(code: error.rawValue, message: "cannot open a host pty: \(errorText(error.rawValue))"))
    }
    // No O_NOCTTY: a session leader without a controlling terminal acquires this one.
    let slave = Glibc.open(path, O_RDWR | O_CLOEXEC)
    guard slave >= 0 else {
      let code = errno
      master.closeQuietly()
      return .failure(Failure(code: code, message: "cannot open \(path): \(errorText(code))"))
    }
    let terminal = HostTerminal(master: master.rawValue, slave: slave)
    if (try? Terminal.session(FileDescriptor(rawValue: slave))) != getsid(0) {
      _ = try? Terminal.makeControlling(FileDescriptor(rawValue: slave))
      guard (try? Terminal.session(FileDescriptor(rawValue: slave))) == getsid(0) else {
        terminal.close()
        return .failure(Failure(
          code: EPERM, message: "the host pty cannot become the controlling terminal of the session"))
      }
    }
    return .success(terminal)
  }

  /// Applies the guest's modes (when they are a `struct termios` of this ABI; other sizes are
  /// ignored and the pty keeps its defaults) and window size.
  func configure(termios: [UInt8], rows: UInt16, columns: UInt16) -> Failure? {
    if termios.count == Terminal.attributesSize {
      do {
        try Terminal.setAttributes(termios, on: FileDescriptor(rawValue: slave))
      } catch {
        return Failure(code: error.rawValue, message: "cannot set the host pty's modes: \(errorText(error.rawValue))")
      }
    }
    return resize(rows: rows, columns: columns)
  }

  /// Sets the window size; the kernel sends SIGWINCH to the foreground group when it changes.
  func resize(rows: UInt16, columns: UInt16) -> Failure? {
    do {
      try Terminal.setWindowSize(FileDescriptor(rawValue: master), Terminal.WindowSize(rows: rows, columns: columns))
      return nil
    } catch {
      return Failure(code: error.rawValue, message: "cannot resize the host pty: \(errorText(error.rawValue))")
    }
  }

  /// The pty's foreground process group, if it can be read.
  var foregroundGroup: pid_t? { try? Terminal.foregroundProcessGroup(FileDescriptor(rawValue: slave)) }

  /// Makes `group` the pty's foreground group. The shadow ignores SIGTTOU, so it may do this
  /// from the background.
  func giveTo(_ group: pid_t) -> Failure? {
    do {
      try Terminal.setForegroundProcessGroup(FileDescriptor(rawValue: slave), group)
      return nil
    } catch {
      return Failure(code: error.rawValue, message: "cannot hand the host pty to the job: \(errorText(error.rawValue))")
    }
  }

  /// Makes the shadow's own process group the foreground group again, so that no job owns the
  /// pty (a job that reads it then stops with SIGTTIN).
  func takeBack() {
    _ = try? Terminal.setForegroundProcessGroup(FileDescriptor(rawValue: slave), getpgrp())
  }

  func close() {
    guard isOpen else { return }
    isOpen = false
    Glibc.close(slave)
    Glibc.close(master)
  }
}
