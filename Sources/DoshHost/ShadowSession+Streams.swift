#if canImport(Glibc)
import Glibc
#endif
import DoshProtocol
import DoshSystem
import DoshTransport
import SystemPackage

/// Data connections: tcp, vsock and forwarded unix sockets, where descriptors cannot be passed
/// (docs/protocol.md, *Streams*). The agent hands each one over on `handOff`; its token says
/// what it is for.
extension ShadowSession {
  /// Takes a data connection from the agent, checks its token and puts it to use.
  func acceptStream() {
    guard let handOff else { return }
    let connection: Int32
    do {
      guard let received = try handOff.receive() else {
        // The agent is gone. With descriptor passing the session needs it no more; without,
        // no stream could attach again, so the session ends and the shell says so.
        close(handOff.fileDescriptor)
        self.handOff = nil
        if !passesDescriptors { ending = true }
        return
      }
      connection = received
    } catch {
      return
    }
    guard let token = StreamHandOff.readToken(from: connection) else { return }
    _ = fcntl(connection, F_SETFL, fcntl(connection, F_GETFL) & ~O_NONBLOCK)
    switch streams.attach(token, fd: connection) {
    case nil:
      close(connection)  // unknown, used or expired
    case .job:
      break  // kept until its runJob claims it
    case .hostFile(let fd, let mode):
      if mode.reads { _ = try? Relay.start(from: fd, to: connection) }
      if mode != .read { _ = try? Relay.start(from: connection, to: fd) }
      close(fd)
      close(connection)
    case .terminal:
      guard let terminal else {
        close(connection)
        return
      }
      for (source, sink) in [(terminal.master, connection), (connection, terminal.master)] {
        if let pid = try? Relay.start(from: source, to: sink) { terminalRelays.append(pid) }
      }
      close(connection)
    }
  }

  /// Replaces the `stream` sources of a job by the connections attached with their tokens,
  /// appended to `passed`; waits for connections still on their way (until their tokens
  /// expire). Returns the failure to answer with, if any.
  func claimStreams(_ spec: inout JobSpec, passed: inout [Int32], claimed: inout [Int32]) -> (code: Int32, message: String)? {
    // A token named twice in one job (`2>&1`-like sharing of one guest fd) is one connection.
    var indices: [StreamToken: UInt32] = [:]
    for processIndex in spec.processes.indices {
      for settingIndex in spec.processes[processIndex].descriptors.indices {
        guard case .stream(let token) = spec.processes[processIndex].descriptors[settingIndex].source else { continue }
        if let index = indices[token] {
          spec.processes[processIndex].descriptors[settingIndex].source = .passed(index: index)
          continue
        }
        var fd: Int32?
        while fd == nil {
          switch streams.claim(token) {
          case .attached(let socket, let direction):
            guard direction == .hostToGuest else {
              fd = socket
              break
            }
            // The process writes into a pipe relayed to the connection: when the guest reader
            // goes, the relay ends and the process takes SIGPIPE, as with a local pipe (a
            // reset socket would only give it ECONNRESET).
            guard let ends = try? FileDescriptor.closeOnExecPipe() else {
              close(socket)
              return (errno, "pipe: \(errorText(errno))")
            }
            _ = try? Relay.start(from: ends.readEnd.rawValue, to: socket)
            ends.readEnd.closeQuietly()
            close(socket)
            fd = ends.writeEnd.rawValue
          case .invalid: return (EBADF, "stream \(token): unknown, used or expired")
          case .pending(let expires):
            guard let handOff, (try? handOff.waitForConnection(until: expires)) == true
            else { return (ETIMEDOUT, "stream \(token) did not attach in time") }
            acceptStream()
            if ending { return (ECONNABORTED, "the session is ending") }
          }
        }
        claimed.append(fd!)
        passed.append(fd!)
        indices[token] = UInt32(passed.count - 1)
        spec.processes[processIndex].descriptors[settingIndex].source = .passed(index: UInt32(passed.count - 1))
      }
    }
    return nil
  }
}
