import DoshSystem
import DoshTransport
import SystemPackage

#if canImport(Glibc)
    import Glibc
#endif

/// A host reached through a command that speaks the single-channel protocol on its standard
/// input and output: `ssh:[USER@]HOST[:PORT]` (`ssh -T HOST doshd --stdio`) or `exec:COMMAND`
/// (`docker exec -i box doshd --stdio`, a serial console helper).
///
/// The shell starts a mux process (`dosh --channel-mux`), which runs the command and listens on
/// a private unix socket; every connection a session makes to that socket becomes one stream
/// of the channel (docs/protocol.md, *Single channel*). Sessions then work as over a unix socket
/// that cannot pass descriptors.
struct ChannelCommand: Equatable {
    /// As the user wrote it (`ssh:box`), for messages.
    var label: String
    var arguments: [String]
    /// `serial:/dev/…`: the channel is this character device (a virtio-serial port, a serial
    /// line), set raw, and there is no command.
    var device: String? = nil

    /// Parses `ssh:…` and `exec:…`; nil for every other form. `sshOptions` come first (DOSH_SSH
    /// words, then `--ssh-option`s).
    static func parse(_ text: String, sshOptions: [String]) throws(HostAddressError) -> ChannelCommand? {
        if text.hasPrefix("exec:") {
            let command = String(text.dropFirst(5))
            guard !command.allSatisfy(\.isWhitespace) else {
                throw HostAddressError(message: "invalid address '\(text)': exec: needs a command")
            }
            return ChannelCommand(label: text, arguments: ["/bin/sh", "-c", command])
        }
        if text.hasPrefix("serial:") {
            let device = String(text.dropFirst(7))
            guard device.hasPrefix("/") else {
                throw HostAddressError(message: "invalid address '\(text)': expected serial:/dev/…")
            }
            return ChannelCommand(label: text, arguments: [], device: device)
        }
        guard text.hasPrefix("ssh:") else { return nil }
        var destination = String(text.dropFirst(4))
        var port: [String] = []
        if let colon = destination.lastIndex(of: ":"), !destination.contains("]") || destination.last != "]" {
            let portText = destination[destination.index(after: colon)...]
            guard let number = UInt16(portText), number > 0 else {
                throw HostAddressError(message: "invalid address '\(text)': the port must be a number from 1 to 65535")
            }
            port = ["-p", String(number)]
            destination = String(destination[..<colon])
        }
        destination = destination.trimmingPrefix("[").description
        if destination.hasSuffix("]") { destination.removeLast() }
        guard !destination.isEmpty, !destination.hasPrefix("-") else {
            throw HostAddressError(message: "invalid address '\(text)': expected ssh:[USER@]HOST[:PORT]")
        }
        // -T: no pty (the channel is bytes); ssh's own prompts (a password, a host key) use /dev/tty.
        return ChannelCommand(
            label: text,
            arguments: ["ssh", "-T", "-o", "ConnectTimeout=5"] + sshOptions + port + ["--", destination, "doshd", "--stdio"])
    }
}

/// The running mux process of a `ChannelCommand`, and its socket.
final class HostChannel {
    let command: ChannelCommand
    let socketPath: String
    private let directory: String
    let pid: pid_t
    /// The shell's end of the lifeline: the mux ends when every copy of it is closed.
    private let lifeline: FileDescriptor
    /// The mux writes a byte here when the far side's greeting has come; EOF: the mux ended.
    private var opened: FileDescriptor?
    private var exitStatus: WaitStatus?
    /// The shell ended the channel itself (Ctrl-C, a device's deadline): its reason is the one.
    private var gaveUp = false

    private init(command: ChannelCommand, directory: String, pid: pid_t, lifeline: FileDescriptor, opened: FileDescriptor) {
        self.command = command
        self.directory = directory
        self.socketPath = directory + "/channel.sock"
        self.pid = pid
        self.lifeline = lifeline
        self.opened = opened
    }

    /// Starts the mux: `dosh --channel-mux LABEL DIRECTORY -- COMMAND…`, with the listening
    /// socket as fd 3, the lifeline's read end as fd 4 and the write end of the `opened` pipe as
    /// fd 5; it removes the directory when it ends.
    static func start(_ command: ChannelCommand) throws(HostFailure) -> HostChannel {
        let directory: String
        do throws(Errno) {
            directory = try PrivateDirectory.make(prefix: "dosh-channel")
        } catch {
            throw HostFailure(message: "\(command.label): cannot make a private directory: \(error.message)")
        }
        let socketPath = directory + "/channel.sock"
        do throws(any Error) {
            // The mux owns the socket from now on, and removes it when it ends.
            let listener = try Listener.listen(on: .unix(path: socketPath)).takeFileDescriptor()
            defer { _ = Glibc.close(listener) }
            let lifeline = try FileDescriptor.closeOnExecPipe()
            defer { lifeline.readEnd.closeQuietly() }
            let opened = try FileDescriptor.closeOnExecPipe()
            defer { opened.writeEnd.closeQuietly() }
            let null = try FileDescriptor.open(path: "/dev/null", flags: O_RDWR | O_CLOEXEC)
            defer { null.closeQuietly() }
            var options = SpawnOptions()
            options.fdActions = [
                .duplicate(source: null.rawValue, target: 0), .duplicate(source: null.rawValue, target: 1),
                .duplicate(source: listener, target: 3), .duplicate(source: lifeline.readEnd.rawValue, target: 4),
                .duplicate(source: opened.writeEnd.rawValue, target: 5),
            ]
            options.defaultSignals = [SIGPIPE, SIGTERM, SIGHUP]
            let pid = try Spawn.spawn(
                path: currentExecutablePath(), arguments: ["dosh", "--channel-mux", command.label, directory]
                    + (command.device.map { ["--device", $0] } ?? ["--"] + command.arguments),
                environment: ProcessEnvironment.current(), options: options)
            return HostChannel(command: command, directory: directory, pid: pid, lifeline: lifeline.writeEnd, opened: opened.readEnd)
        } catch {
            rmdir(directory)
            throw HostFailure(message: "\(command.label): cannot start the channel: \(error)")
        }
    }

    /// Whether the mux still runs (a lost channel is started again by the next session).
    var isRunning: Bool {
        guard exitStatus == nil else { return false }
        do throws(Errno) {
            guard let reported = try Wait.wait(pid, options: .noHang) else { return true }
            exitStatus = reported.status
        } catch {
            exitStatus = .exited(0)  // reaped elsewhere: gone all the same
        }
        return false
    }

    /// Waits until the far side speaks dosh. Over ssh and a command there is no deadline: ssh
    /// may be asking for a passphrase or a host key's confirmation on the terminal, and has its
    /// own ConnectTimeout; a device gets 5 s, as any host that cannot be opened. Ctrl-C gives up.
    func waitUntilOpen() throws(HostFailure) {
        guard let opened else { return }
        let deadline = command.device == nil ? nil : ContinuousClock.now.advanced(by: .seconds(5))
        while true {
            if Signals.isPending(SIGINT) {
                // Typed at someone's prompt (ssh's passphrase): the line ends here, as after ^C.
                try? FileDescriptor.standardError.writeAll("\n".utf8)
                throw givingUp("interrupted while the channel opened")
            }
            if let deadline, ContinuousClock.now >= deadline { throw givingUp("no doshd answered within 5 s") }
            // A tenth of a second at a time: a Ctrl-C is seen that soon.
            var descriptor = pollfd(fd: opened.rawValue, events: Int16(POLLIN), revents: 0)
            guard poll(&descriptor, 1, 100) > 0 else { continue }
            var byte: UInt8 = 0
            let count = read(opened.rawValue, &byte, 1)
            if count < 0 && errno == EINTR { continue }
            opened.closeQuietly()
            self.opened = nil
            if count == 1 { return }
            throw HostFailure(message: "the channel ended before doshd answered", lostSession: true)
        }
    }

    /// Ends the mux, which has not opened: it ends its command at once, and `explainFailure`
    /// finds it gone.
    private func givingUp(_ why: String) -> HostFailure {
        gaveUp = true
        lifeline.closeQuietly()
        return HostFailure(message: why, lostSession: true)
    }

    /// Why a session could not be opened through the channel, once the mux has had a moment to
    /// end: a command that is not there, a far side without doshd.
    func explainFailure(_ failure: HostFailure) -> HostFailure {
        let deadline = ContinuousClock.now.advanced(by: .seconds(2))
        while isRunning && ContinuousClock.now < deadline { usleep(10_000) }
        if let why = takeRecordedFailure() { return HostFailure(message: "\(command.label): \(why)") }
        if gaveUp { return HostFailure(message: "\(command.label): \(failure.message)") }
        switch exitStatus {
        case .exited(127)?:
            let fix = command.label.hasPrefix("ssh:")
                ? "install doshd there, on the PATH of a non-interactive ssh command"
                : "check the command, and that it starts doshd --stdio"
            return HostFailure(message: "\(command.label): doshd or the command was not found (status 127): \(fix)")
        case .exited(0)?:
            // The far side ended the channel before a doshd spoke: a port with nothing behind it.
            return HostFailure(message: "\(command.label): the channel closed before doshd answered: is doshd --stdio serving its far side?")
        case .exited(let status)?:
            return HostFailure(message: "\(command.label): the channel command ended with status \(status)")
        default:
            return HostFailure(message: "\(command.label): \(failure.message)")
        }
    }

    /// Ends the mux (the shell leaves): the far side sees its input end and hangs up its jobs.
    func close() {
        lifeline.closeQuietly()
        opened?.closeQuietly()
        opened = nil
        _ = try? Wait.wait(pid)
        _ = takeRecordedFailure()
    }

    /// Why the mux failed, as it wrote it down on its way out (then the directory goes too).
    private func takeRecordedFailure() -> String? {
        let file = HostChannel.failureFile(in: directory)
        defer {
            unlink(file)
            rmdir(directory)
        }
        guard let handle = try? FileDescriptor.open(path: file, flags: O_RDONLY | O_CLOEXEC) else { return nil }
        defer { handle.closeQuietly() }
        var bytes = [UInt8](repeating: 0, count: 4096)
        let count = bytes.withUnsafeMutableBufferPointer { read(handle.rawValue, $0.baseAddress, $0.count) }
        guard count > 0 else { return nil }
        return String(decoding: bytes[..<count], as: UTF8.self)
    }

    /// Where a failing mux leaves its reason: the shell says it in its own one line.
    static func failureFile(in directory: String) -> String { directory + "/failure" }
}

/// The mux process of a channel (`dosh --channel-mux LABEL DIRECTORY -- COMMAND…`): runs the
/// command on two pipes and carries the connections made to the listener on fd 3 over them,
/// until the shell's lifeline (fd 4) closes or the command's output ends. Returns the exit
/// status: the command's, or 1 when the channel failed.
public func runChannelMux(_ arguments: [String]) -> Int32 {
    guard arguments.count >= 4, arguments[2] == "--" || arguments[2] == "--device" else { return 2 }
    let label = arguments[0]
    let directory = arguments[1]
    let command = Array(arguments[3...])
    defer {
        unlink(directory + "/channel.sock")
        rmdir(directory)  // stays when a failure was left in it: the shell removes it
    }
    Signals.unblockAll()
    // Keys typed at the shell are not for the channel (ssh keeps ignored signals ignored). A
    // hang-up of the terminal is the shell's to handle: the mux ends when its lifeline closes,
    // and cleans up on the way.
    for signal in [SIGINT, SIGQUIT, SIGTSTP, SIGTTIN, SIGTTOU, SIGPIPE] { try? Signals.setDisposition(signal, .ignore) }
    try? Signals.setDisposition(SIGHUP, .ignore)
    func say(_ text: String) { try? FileDescriptor.standardError.writeAll("dosh: host: \(label): \(text)\n".utf8) }
    if arguments[2] == "--device" { return runDeviceChannel(command[0], directory: directory, say: say) }
    let pid: pid_t
    let toCommand: FileDescriptor
    let fromCommand: FileDescriptor
    do throws(Errno) {
        let input = try FileDescriptor.closeOnExecPipe()
        let output = try FileDescriptor.closeOnExecPipe()
        var options = SpawnOptions()
        options.fdActions = [
            .duplicate(source: input.readEnd.rawValue, target: 0), .duplicate(source: output.writeEnd.rawValue, target: 1),
            .close(3), .close(4), .close(5),
        ]
        options.defaultSignals = [SIGPIPE, SIGHUP]
        // posix_spawn does not search; a name not found fails with ENOENT.
        let path = ExecutableSearch.firstMatch(command[0], path: getenv("PATH").map { String(cString: $0) }) ?? command[0]
        pid = try Spawn.spawn(path: path, arguments: command, environment: ProcessEnvironment.current(), options: options)
        input.readEnd.closeQuietly()
        output.writeEnd.closeQuietly()
        toCommand = input.writeEnd
        fromCommand = output.readEnd
    } catch {
        say("cannot run \(command[0]): \(error.message)")
        return 127
    }
    var greeted = false
    let ending = ChannelMux(
        input: fromCommand.rawValue, output: toCommand.rawValue, role: .accepting(listener: 3, lifeline: 4),
        onGreeting: {
            greeted = true
            tellTheShellTheChannelIsOpen()
        }
    ).run()
    close(3)
    // The shell gave up before the far side spoke (Ctrl-C at ssh's passphrase prompt): no
    // session to hang up, and the command may be reading the terminal still.
    if ending == .shellGone && !greeted { kill(pid, SIGTERM) }
    // The far side sees its input end and leaves; a command that hangs on is ended.
    toCommand.closeQuietly()
    fromCommand.closeQuietly()
    if case .failed(let why) = ending { recordFailure(why, in: directory) }
    let deadline = ContinuousClock.now.advanced(by: .seconds(3))
    while ContinuousClock.now < deadline {
        if let reported = try? Wait.wait(pid, options: .noHang) {
            if case .failed = ending { return 1 }
            return reported.status.shellStatus
        }
        usleep(10_000)
    }
    kill(pid, SIGTERM)
    _ = try? Wait.wait(pid)
    return 1
}

/// A channel over a character device: opened without becoming the controlling terminal, set
/// raw (no echo, no line editing, no CR/LF mapping: every byte passes as it is).
private func runDeviceChannel(_ path: String, directory: String, say: (String) -> Void) -> Int32 {
    let device: FileDescriptor
    do throws(Errno) {
        device = try FileDescriptor.open(path: path, flags: O_RDWR | O_NOCTTY | O_CLOEXEC)
    } catch {
        say("cannot open \(path): \(error.message)")
        return 1
    }
    defer { device.closeQuietly() }
    let saved = try? Terminal.attributes(device)
    if let saved { try? Terminal.setAttributes(Terminal.rawAttributes(saved), on: device) }
    defer { if let saved { try? Terminal.setAttributes(saved, on: device) } }
    let ending = ChannelMux(
        input: device.rawValue, output: device.rawValue, role: .accepting(listener: 3, lifeline: 4),
        onGreeting: tellTheShellTheChannelIsOpen
    ).run()
    if case .failed(let why) = ending {
        recordFailure(why, in: directory)
        return 1
    }
    return 0
}

/// One byte on fd 5: the shell's `waitUntilOpen` goes on to the session's handshake.
private func tellTheShellTheChannelIsOpen() {
    var byte: UInt8 = 1
    _ = write(5, &byte, 1)
    close(5)
}

/// Leaves `why` for the shell, which tells the user (`HostChannel.explainFailure`).
private func recordFailure(_ why: String, in directory: String) {
    guard let file = try? FileDescriptor.open(
        path: HostChannel.failureFile(in: directory), flags: O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode: 0o600)
    else { return }
    try? file.writeAll(why.utf8)
    file.closeQuietly()
}
