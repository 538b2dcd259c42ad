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
      pumpTerminal(master: terminal.master, connection: connection)
    }
  }

  /// The session pty's master ⇄ its data connection (taken over), both ways, in this loop.
  /// Each pump owns its own copies of the two descriptors (the master stays the terminal's).
  private func pumpTerminal(master: Int32, connection: Int32) {
    defer { close(connection) }
    for (kind, source, sink) in [(Pump.Kind.terminalOutput, master, connection), (.terminalInput, connection, master)] {
      guard let ownSource = try? FileDescriptor(rawValue: source).duplicate(atLeast: 3) else { continue }
      guard let ownSink = try? FileDescriptor(rawValue: sink).duplicate(atLeast: 3) else {
        ownSource.closeQuietly()
        continue
      }
      try? ownSource.setNonBlocking(true)
      try? ownSink.setNonBlocking(true)
      do throws(Errno) {
        pumps.append(Pump(kind: kind, mover: try SplicePump(from: ownSource, to: ownSink)))
      } catch {
        ownSource.closeQuietly()
        ownSink.closeQuietly()
      }
    }
  }

  /// Bytes the session pty's master gave its data connection so far (0: no pump, the shell
  /// holds the master itself).
  var terminalOutputTaken: UInt64 {
    pumps.first { $0.kind == .terminalOutput }?.mover.taken ?? 0
  }

  /// Before a job's end is told: the kernel moves what a pty slave wrote to its master later,
  /// from a work queue, and gives no way to wait for it while the slave stays open. Pump the
  /// master until it has been quiet for 10 ms (at most 300 ms), here on the host, so that the
  /// count `jobFinished` carries is the job's whole output.
  func drainTerminalOutput() {
    guard let index = pumps.firstIndex(where: { $0.kind == .terminalOutput }) else { return }
    let deadline = ContinuousClock.now.advanced(by: .milliseconds(300))
    while ContinuousClock.now < deadline, let (fd, events) = pumps[index].mover.pollEvents {
      var ready = pollfd(fd: fd, events: events, revents: 0)
      guard poll(&ready, 1, 10) > 0 else { return }
      pumps[index].mover.pump()
    }
  }

  /// Sends on what the pty's master and the job output pipes hold now, and the ends of those
  /// whose writers are gone: before a process's end is reported, so that its last bytes and
  /// its EOF are on their way to the guest ahead of the news (the shell, told the job ended,
  /// then waits for them no longer than it takes them to land).
  func flushOutput() {
    for index in pumps.indices where pumps[index].kind != .terminalInput { pumps[index].mover.pump() }
    closeFinishedPumps()
  }

  /// A pipe whose read end the session's loop splices into `socket` (taken over); returns its
  /// write end, for the job's process.
  private func pumpOutput(into socket: Int32) throws(Errno) -> Int32 {
    let ends = try FileDescriptor.closeOnExecPipe()
    let connection = FileDescriptor(rawValue: socket)
    do throws(Errno) {
      try ends.readEnd.setNonBlocking(true)
      try connection.setNonBlocking(true)
      pumps.append(Pump(kind: .jobOutput, mover: try SplicePump(from: ends.readEnd, to: connection)))
    } catch {
      ends.readEnd.closeQuietly()
      ends.writeEnd.closeQuietly()
      throw error
    }
    return ends.writeEnd.rawValue
  }

  /// Moves what the pumps can move now (after poll(2) reported on them); those that are done
  /// are closed: a vanished reader then gives the writer SIGPIPE.
  func runPumps(_ ready: Set<Int32>) {
    for index in pumps.indices where pumps[index].mover.pollEvents.map({ ready.contains($0.fd) }) == true {
      pumps[index].mover.pump()
    }
    closeFinishedPumps()
  }

  private func closeFinishedPumps() {
    pumps.removeAll { pump in
      guard pump.mover.isDone else { return false }
      pump.mover.close()
      return true
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
            // The process writes into a pipe pumped into the connection: when the guest reader
            // goes, the pump ends and the process takes SIGPIPE, as with a local pipe (a
            // reset socket would only give it ECONNRESET).
            do throws(Errno) {
              fd = try pumpOutput(into: socket)
            } catch {
              close(socket)
              return (error.rawValue, "pipe: \(error.message)")
            }
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

/// A stream the shadow's loop moves, and what it is for.
struct Pump {
  enum Kind {
    case jobOutput
    /// The session pty's master to its connection, and back.
    case terminalOutput, terminalInput
  }

  var kind: Kind
  var mover: SplicePump
}
