import DoshSystem
import DoshTransport
import SystemPackage

#if canImport(Glibc)
import Glibc
#endif

/// `doshd --stdio --listen unix:PATH`: every connection accepted on PATH is a single channel of
/// its own, served by a `doshd --stdio` whose standard input and output are that connection.
///
/// This is how a VM's virtio-serial port reaches its host without a helper: QEMU's chardev
/// connects as a client (`-chardev socket,path=PATH,reconnect=1`) and connects again when a
/// channel ends, as a serial console's getty comes back after a logout.
enum ChannelListener {
  static func serve(addresses: [String], allowedUIDs: Set<uid_t>, logLevel: String) -> Int32 {
    // A test runner or service manager may start us with signals blocked: SIGTERM must end us.
    Signals.unblockAll()
    for signal in [SIGCHLD, SIGTERM, SIGINT] { try? Signals.setDisposition(signal, .catchPending) }
    try? Signals.setDisposition(SIGPIPE, .ignore)
    var listeners: [Listener] = []
    for text in addresses {
      // A channel carries no token: only a unix socket, whose peer the kernel names, may take one.
      guard let address = try? Address(parsing: text), case .unix = address else {
        fail("--stdio --listen takes unix:PATH addresses only (a channel has no token): '\(text)'")
      }
      do throws(TransportError) {
        listeners.append(try Listener.listen(on: address))
      } catch {
        fail("\(error)")
      }
    }
    defer { for listener in listeners { listener.close() } }
    while true {
      var descriptors = listeners.map { pollfd(fd: $0.fileDescriptor, events: Int16(POLLIN), revents: 0) }
      if let wakeup = Signals.wakeupDescriptor { descriptors.append(pollfd(fd: wakeup, events: Int16(POLLIN), revents: 0)) }
      if poll(&descriptors, nfds_t(descriptors.count), -1) < 0 && errno != EINTR {
        writeLine("doshd: poll: \(Errno(rawValue: errno).message)")
        return 1
      }
      Signals.drainWakeup()
      if Signals.takePending(SIGTERM) || Signals.takePending(SIGINT) { return 0 }
      if Signals.takePending(SIGCHLD) { reapChannels() }
      for (index, listener) in listeners.enumerated() where descriptors[index].revents != 0 {
        while let connection = (try? listener.accept()) ?? nil {
          serveChannel(on: connection, allowedUIDs: allowedUIDs, logLevel: logLevel)
        }
      }
    }
  }

  /// Starts a `doshd --stdio` on `connection` when its peer is an allowed user (SO_PEERCRED).
  private static func serveChannel(on connection: Connection, allowedUIDs: Set<uid_t>, logLevel: String) {
    defer { connection.close() }
    guard let credentials = try? connection.peerCredentials(), allowedUIDs.contains(credentials.userID) else {
      writeLine("doshd: refused a channel: its peer is not an allowed user (--allow-uid)")
      return
    }
    var options = SpawnOptions()
    let socket = connection.fileDescriptor
    options.fdActions = [.duplicate(source: socket, target: 0), .duplicate(source: socket, target: 1)]
    options.defaultSignals = [SIGPIPE, SIGCHLD, SIGTERM, SIGINT]
    do throws(Errno) {
      _ = try Spawn.spawn(
        path: "/proc/self/exe", arguments: ["doshd", "--stdio", "--log-level", logLevel],
        environment: ProcessEnvironment.current(), options: options)
    } catch {
      writeLine("doshd: cannot start a channel: \(error.message)")
    }
  }

  private static func reapChannels() {
    while case .some(.some) = try? Wait.wait(-1, options: .noHang) {}
  }
}
