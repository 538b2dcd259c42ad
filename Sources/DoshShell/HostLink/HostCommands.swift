import DoshProtocol
import DoshTransport
import DoshSystem
import SystemPackage

#if canImport(Glibc)
    import Glibc
#endif

/// Collects what a host job needs from the guest: the fds passed with the `runJob` frame and the
/// files opened only for it (closed once sent).
struct HostJobBuilder {
    /// Whether a process of the job has the session's host pty where the guest terminal would be.
    var usesTerminal = false
    private(set) var descriptors: [Int32] = []
    private(set) var ownedDescriptors: [FileDescriptor] = []

    /// The setting that hands guest fd `fd` to a host process.
    mutating func pass(_ fd: Int32) -> DescriptorSource {
        guard FileDescriptor(rawValue: fd).isOpen else { return .closed }
        if let index = descriptors.firstIndex(of: fd) { return .passed(index: UInt32(index)) }
        descriptors.append(fd)
        return .passed(index: UInt32(descriptors.count - 1))
    }

    /// Passes an fd opened for this job alone; it is closed after the request is sent.
    mutating func passOwned(_ fd: FileDescriptor) -> DescriptorSource {
        ownedDescriptors.append(fd)
        return pass(fd.rawValue)
    }

    func closeOwned() {
        for fd in ownedDescriptors { fd.closeQuietly() }
    }
}

extension Shell {
    /// The host session, opened on first use. A failure is reported as `dosh: host: …` and
    /// fails the command with 255, like ssh.
    func hostSession() throws(Unwind) -> HostSession {
        guard let hostLink, hostLink.isConfigured else {
            report("host: no host connected (start dosh with --host)")
            throw .failure(status: 255)
        }
        if let session = hostLink.session { return session }
        do {
            let session = try hostLink.openSession()
            if hostLink.lostEarlierSession {
                hostLink.lostEarlierSession = false
                writeError("dosh: host: new session (the host working directory and environment were reset)\n")
            }
            return session
        } catch {
            report("host: \(error.message)")
            throw .failure(status: 255)
        }
    }

    /// Runs a host request; a lost session is reported and fails the command with 255, a
    /// refused request is returned to the caller as the failure.
    func hostRequest(
        _ session: HostSession, _ body: Message.Body, descriptors: [Int32] = []
    ) throws(Unwind) -> Result<ReceivedMessage, HostFailure> {
        do throws(HostFailure) {
            return .success(try session.request(body, descriptors: descriptors))
        } catch {
            if error.lostSession { throw hostLost(error) }
            return .failure(error)
        }
    }

    /// Reports a lost session and forgets it.
    func hostLost(_ failure: HostFailure) -> Unwind {
        report("host: \(failure.message)")
        hostLink?.drop()
        return .failure(status: 255)
    }

    /// Runs a `!command`: a host builtin, or a one-process host job.
    func runHostCommand(_ command: SimpleCommand) throws(Unwind) -> Int32 {
        let session = try hostSession()
        lastSubstitutionStatus = nil
        let fields = try expandHostWords(command.words, session)
        guard let name = fields.first else { return 0 }
        trace(["!" + name] + fields.dropFirst())
        if Self.hostBuiltins.contains(name) {
            return try withRedirections(command.redirections.filter { $0.targetSide == .guest }) { () throws(Unwind) in
                try runHostBuiltin(name, Array(fields.dropFirst()), session)
            }
        }
        return try runAsJob { () throws(Unwind) -> Int32 in
            // A lone host command has the terminal on the host whenever one of its fds is it.
            jobLaunch?.terminalSide = .host
            return try runHostProcess(command, fields: fields, session: session)
        }
    }

    /// Starts the one host process of `!command` and waits for it.
    private func runHostProcess(_ command: SimpleCommand, fields: [String], session: HostSession) throws(Unwind) -> Int32 {
        var builder = HostJobBuilder()
        let spec: ProcessSpec
        do {
            spec = try hostProcessSpec(command, fields: fields, session: session, input: nil, output: nil, builder: &builder)
        } catch {
            builder.closeOwned()
            throw error
        }
        let part = try startHostJob([spec], builder: builder, session: session)
        if jobLaunch != nil {
            jobLaunch?.stages.append(.host(part))
            return try waitForegroundJob().last ?? 0
        }
        return try waitHostJob(part.jobID, session: session).last ?? 0
    }

    /// Expands the words of a host command: host variables shadow shell variables, `~` is the
    /// host home, and globs match host files.
    func expandHostWords(_ words: [Word], _ session: HostSession) throws(Unwind) -> [String] {
        hostExpansion = HostExpansion(state: session.state, session: session)
        defer { hostExpansion = nil }
        return try expandFields(words)
    }

    /// Expands one host redirection target.
    func expandHostTarget(_ word: Word, _ session: HostSession) throws(Unwind) -> String {
        hostExpansion = HostExpansion(state: session.state, session: session)
        defer { hostExpansion = nil }
        return try expandString(word)
    }

    /// One host process for `command`: its fds come from the guest (0, 1, 2 by default),
    /// `input`/`output` (pipes within a pipeline), then its redirections, in order.
    func hostProcessSpec(
        _ command: SimpleCommand, fields: [String], session: HostSession,
        input: DescriptorSource?, output: DescriptorSource?, builder: inout HostJobBuilder
    ) throws(Unwind) -> ProcessSpec {
        var settings: [DescriptorSetting] = [
            DescriptorSetting(0, input ?? terminalOrPassed(0, &builder)),
            DescriptorSetting(1, output ?? terminalOrPassed(1, &builder)),
            DescriptorSetting(2, terminalOrPassed(2, &builder)),
        ]
        for redirection in command.redirections {
            let fd = redirection.effectiveFD
            switch redirection.op {
            case .duplicateInput, .duplicateOutput:
                let target = try expandString(redirection.target)
                if target == "-" {
                    settings.append(DescriptorSetting(fd, .closed))
                } else if let source = Int32(target), source >= 0 {
                    settings.append(DescriptorSetting(fd, .duplicate(source)))
                } else {
                    report("\(target): ambiguous redirect")
                    throw .failure(status: 1)
                }
            case .hereDocument, .hereString:
                let file = try hereDocumentDescriptor(try hereDocumentBody(redirection))
                settings.append(DescriptorSetting(fd, builder.passOwned(file)))
            case .input, .output, .append, .clobber, .readWrite:
                if redirection.targetSide == .host {
                    let path = try expandHostTarget(redirection.target, session)
                    settings.append(DescriptorSetting(fd, .file(path: Array(path.utf8), mode: openMode(redirection.op), permissions: 0o666)))
                } else {
                    let path = try expandString(redirection.target)
                    let file = try openForRedirection(path, redirection.op)
                    settings.append(DescriptorSetting(fd, builder.passOwned(file)))
                }
            }
        }
        var environment: [EnvironmentChange] = []
        for assignment in command.assignments {
            let value = try expandString(assignment.value)
            environment.append(.set(name: Array(assignment.name.utf8), value: Array(value.utf8)))
        }
        return ProcessSpec(
            arguments: fields.map { Array($0.utf8) }, environment: environment, descriptors: settings)
    }

    /// Opens a host file for a guest command (`cat < !f`, `make > !log`): the shadow opens it and
    /// passes the fd back, so the guest process reads or writes the host file directly.
    func openHostFile(_ redirection: Redirection) throws(Unwind) -> FileDescriptor {
        let session = try hostSession()
        let path = try expandHostTarget(redirection.target, session)
        let request = Message.Body.openHostFile(path: Array(path.utf8), mode: openMode(redirection.op), permissions: 0o666)
        switch try hostRequest(session, request) {
        case .success(let answer):
            if case .streamTokens(let tokens) = answer.message.body, tokens.count == 1 {
                return try hostFileStream(tokens[0], mode: openMode(redirection.op), path: path, session: session)
            }
            guard case .hostFileOpened = answer.message.body, let fd = answer.descriptors.first else {
                answer.descriptors.forEach { _ = Glibc.close($0) }
                report("host: \(path): no file came back")
                throw .failure(status: 1)
            }
            answer.descriptors.dropFirst().forEach { _ = Glibc.close($0) }
            return FileDescriptor(rawValue: fd)
        case .failure(let failure):
            // The host names the file in its message: `!/x: No such file or directory`.
            report("!" + failure.message)
            throw .failure(status: 1)
        }
    }

    private func openMode(_ op: RedirectionOperator) -> OpenMode {
        switch op {
        case .input: return .read
        case .output: return options.noClobber ? .writeNoClobber : .write
        case .append: return .append
        case .readWrite: return .readWrite
        default: return .write
        }
    }

    /// Sends a host job; returns it as a part of the job being started. The fds opened for it are
    /// closed once sent, so a pipe's only remaining ends are the processes' own.
    func startHostJob(_ processes: [ProcessSpec], builder: HostJobBuilder, session: HostSession) throws(Unwind) -> HostPart {
        defer { builder.closeOwned() }
        var spec = JobSpec(processes: processes, messagePrefix: Array(messagePrefix.utf8.prefix(ProtocolLimits.maximumMessagePrefixSize)))
        if builder.usesTerminal {
            try openHostTerminal(session)
            spec.terminal = TerminalSpec(foreground: jobLaunch?.foreground ?? true)
            jobLaunch?.usesHostTerminal = true
        }
        var passed = builder.descriptors
        var relays = JobRelays()
        if !session.canPassDescriptors && !passed.isEmpty {
            relays = try streamPassedDescriptors(&spec, descriptors: passed, session: session)
            passed = []
        }
        switch try hostRequest(session, .runJob(spec), descriptors: passed) {
        case .success(let answer):
            guard case .jobStarted(let jobID, _, let processIDs) = answer.message.body else {
                throw hostLost(HostFailure(message: "unexpected answer to runJob", lostSession: true))
            }
            if !relays.isEmpty { session.jobRelays[jobID] = relays }
            return HostPart(session: session, jobID: jobID, count: processes.count, processIDs: processIDs)
        case .failure(let failure):
            relays.stop(session.relayProcess)
            report("host: \(failure.message)")
            throw .failure(status: 126)
        }
    }

    /// Waits for a host job outside job control; returns the shell status of each of its
    /// processes. At the prompt (`$(!cmd)`), Ctrl-C typed meanwhile reaches the shell, which
    /// passes it on and then abandons the line.
    func waitHostJob(_ jobID: UInt32, session: HostSession) throws(Unwind) -> [Int32] {
        let statuses: [ExitStatus]
        do throws(HostFailure) {
            statuses = try session.waitForJob(jobID, forwarding: interruptsAbandonTheLine ? [SIGINT, SIGQUIT] : [])
        } catch {
            throw hostLost(error)
        }
        if interruptsAbandonTheLine, statuses.contains(where: { if case .signaled(SIGINT, _) = $0 { return true } else { return false } }) {
            throw .interrupted
        }
        return statuses.map(\.shellStatus)
    }
}

/// While a host command's words expand: the host's view of variables, home and files.
struct HostExpansion {
    var state: HostState
    let session: HostSession
}
