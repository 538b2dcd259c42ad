import DoshSystem
import DoshTransport
import SystemPackage

#if canImport(Glibc)
import Glibc
#endif

/// `doshd --stdio`: serves one shell over standard input and output (ssh's, a serial port's),
/// with no listener and no token: whoever can start it already is the user.
///
/// A private agent listens on a unix socket in a fresh 0700 directory, and a `ChannelMux`
/// connects each stream the shell opens to it. That agent cannot pass descriptors through the
/// channel, so sessions use data connections, exactly as over a forwarded unix socket.
enum StandardIOChannel {
  static func serve(logLevel: String) -> Int32 {
    // Its stderr is the user's terminal (through ssh): only what is worth a look.
    let logLevel = logLevel == "info" ? "warning" : logLevel
    // The channel's far side may vanish: that is its end, not a signal that kills us.
    for signal in [SIGPIPE, SIGHUP, SIGINT] { try? Signals.setDisposition(signal, .ignore) }
    let directory: String
    do throws(Errno) {
      directory = try PrivateDirectory.make(prefix: "doshd-stdio")
    } catch {
      fail("cannot make a private directory for the channel: \(error.message)")
    }
    let socketPath = directory + "/agent.sock"
    defer {
      unlink(socketPath)
      rmdir(directory)
    }
    let agent: pid_t
    do throws(Errno) {
      let null = try FileDescriptor.open(path: "/dev/null", flags: O_RDWR | O_CLOEXEC)
      defer { null.closeQuietly() }
      var options = SpawnOptions()
      options.fdActions = [.duplicate(source: null.rawValue, target: 0), .duplicate(source: null.rawValue, target: 1)]
      options.defaultSignals = [SIGPIPE, SIGHUP, SIGINT]
      agent = try Spawn.spawn(
        path: "/proc/self/exe",
        arguments: ["doshd", "--listen", "unix:" + socketPath, "--log-level", logLevel, "--end-with-parent", String(getpid())],
        environment: ProcessEnvironment.current(), options: options)
    } catch {
      fail("cannot start the agent for the channel: \(error.message)")
    }
    defer {
      kill(agent, SIGTERM)
      _ = try? Wait.wait(agent)
    }
    guard waitUntilListening(socketPath, agent: agent) else { fail("the agent for the channel did not start") }
    // A serial line or a virtio console: every byte must pass as it is.
    let standardInput = FileDescriptor.standardInput
    let lineModes = isatty(0) != 0 ? try? Terminal.attributes(standardInput) : nil
    if let lineModes { try? Terminal.setAttributes(Terminal.rawAttributes(lineModes), on: standardInput) }
    defer { if let lineModes { try? Terminal.setAttributes(lineModes, on: standardInput) } }
    let mux = ChannelMux(input: 0, output: 1, role: .dialing(connect: {
      guard let connection = try? Connection.connect(to: .unix(path: socketPath)) else { return nil }
      return connection.takeFileDescriptor()
    }))
    switch mux.run() {
    case .channelClosed, .shellGone:
      return 0
    case .failed(let why):
      writeLine("doshd: the channel: \(why)")
      return 1
    }
  }

  /// Polls until the agent accepts connections (5 s at most, or until it exited).
  private static func waitUntilListening(_ path: String, agent: pid_t) -> Bool {
    let deadline = ContinuousClock.now.advanced(by: .seconds(5))
    while ContinuousClock.now < deadline {
      if let connection = try? Connection.connect(to: .unix(path: path), timeout: .milliseconds(200)) {
        connection.close()
        return true
      }
      if (try? Wait.wait(agent, options: .noHang)) ?? nil != nil { return false }
      usleep(5_000)
    }
    return false
  }
}
