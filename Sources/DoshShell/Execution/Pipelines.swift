import DoshProtocol
import DoshSystem
import SystemPackage

#if canImport(Glibc)
    import Glibc
#endif

/// A pipeline split by side: each guest command runs in its own child; each run of consecutive
/// host commands is one host job (a real host pipeline: no bytes cross between them).
enum PipelineUnit {
    case guest(Command)
    case host([SimpleCommand])

    static func split(_ commands: [Command]) -> [PipelineUnit] {
        var units: [PipelineUnit] = []
        for command in commands {
            if case .simple(let simple) = command, simple.side == .host, !isHostBuiltinCommand(simple) {
                if case .host(let run) = units.last {
                    units[units.count - 1] = .host(run + [simple])
                } else {
                    units.append(.host([simple]))
                }
            } else {
                units.append(.guest(command))
            }
        }
        return units
    }

    /// `!cd` and friends change the session; inside a pipeline they run in a subshell.
    private static func isHostBuiltinCommand(_ command: SimpleCommand) -> Bool {
        guard let first = command.words.first, first.parts.count == 1, case .literal(let name) = first.parts[0] else {
            return false
        }
        return Shell.hostBuiltins.contains(name)
    }
}

/// The processes of a started pipeline, in command order.
struct StartedPipeline {
    enum Stage {
        case guest(pid_t)
        /// A host job standing for `count` commands.
        case host(jobID: UInt32, session: HostSession, count: Int)
    }

    var stages: [Stage] = []
}

extension Shell {
    /// Runs a pipeline: one command in this shell, or each command in its own process with
    /// pipes between them; `$?` is the last command's status (or, with pipefail, the last
    /// failing one's).
    func runPipeline(_ commands: [Command]) throws(Unwind) -> Int32 {
        if commands.count == 1 { return try execute(commands[0]) }
        let started = try startPipeline(commands)
        return try waitPipeline(started)
    }

    /// Starts every command of a pipeline, wiring standard output to the next one's input.
    /// Standard input of the first and output of the last are this shell's fds 0 and 1.
    func startPipeline(_ commands: [Command]) throws(Unwind) -> StartedPipeline {
        let units = PipelineUnit.split(commands)
        try decideTerminalSide(commands, units: units)
        var started = StartedPipeline()
        var previousReadEnd: FileDescriptor? = nil
        defer { previousReadEnd?.closeQuietly() }
        for (index, unit) in units.enumerated() {
            var pipe: (readEnd: FileDescriptor, writeEnd: FileDescriptor)? = nil
            let stream = index < units.count - 1 ? try directHostOutput(unit, next: units[index + 1]) : nil
            if index < units.count - 1 && stream == nil {
                do {
                    pipe = try FileDescriptor.closeOnExecPipe()
                } catch {
                    report("pipe: \(error.message)")
                    _ = try? waitPipeline(started)
                    throw .failure(status: 2)
                }
            }
            do {
                switch unit {
                case .guest(let command):
                    started.stages.append(.guest(try startGuestStage(command, input: previousReadEnd, output: pipe)))
                case .host(let hostCommands):
                    started.stages.append(
                        try startHostStage(hostCommands, input: previousReadEnd, output: pipe?.writeEnd, outputStream: stream?.token))
                }
            } catch {
                if let stream { _ = Glibc.close(stream.socket) }
                pipe?.readEnd.closeQuietly()
                pipe?.writeEnd.closeQuietly()
                // What already runs is waited for; its input or output is gone with ours.
                previousReadEnd?.closeQuietly()
                previousReadEnd = nil
                _ = try? waitPipeline(started)
                throw error
            }
            previousReadEnd?.closeQuietly()
            pipe?.writeEnd.closeQuietly()
            previousReadEnd = pipe?.readEnd ?? stream.map { FileDescriptor(rawValue: $0.socket) }
        }
        return started
    }

    /// Where descriptors cannot be passed, the pipe from a host stage to a guest stage is a data
    /// connection: the guest stage reads the socket itself, with no relay between. A guest
    /// reader that goes away resets it, which the shadow's pump turns into SIGPIPE for the host
    /// writer, as with a pipe.
    private func directHostOutput(_ unit: PipelineUnit, next: PipelineUnit) throws(Unwind) -> (token: StreamToken, socket: Int32)? {
        guard case .host = unit, case .guest = next else { return nil }
        let session = try hostSession()
        guard !session.canPassDescriptors else { return nil }
        do throws(HostFailure) {
            return try session.takeDataConnections(.hostToGuest, count: 1).first
        } catch {
            if error.lostSession { throw hostLost(error) }
            report("host: \(error.message)")
            throw .failure(status: 126)
        }
    }

    /// For a job of an interactive shell with host stages: which side gets the terminal
    /// (`TerminalRule`), and for a job on the host pty with guest stages, the pty's slave for them.
    private func decideTerminalSide(_ commands: [Command], units: [PipelineUnit]) throws(Unwind) {
        guard let terminal, jobLaunch != nil else { return }
        let hostCommands = units.flatMap { unit -> [Command] in
            if case .host(let run) = unit { return run.map { Command.simple($0) } } else { return [] }
        }
        guard !hostCommands.isEmpty else { return }
        let terminalFDs = Set((0...2).filter { isSameTerminal($0, terminal.fd) })
        let side = TerminalRule.side(
            of: commands, isHost: { command in hostCommands.contains(command) }, terminalFDs: terminalFDs)
        jobLaunch?.terminalSide = side
        let hasGuestStages = units.contains { if case .guest = $0 { return true } else { return false } }
        if side == .host && hasGuestStages { try openHostTerminalForGuests(try hostSession()) }
    }

    private func startGuestStage(
        _ command: Command, input: FileDescriptor?, output: (readEnd: FileDescriptor, writeEnd: FileDescriptor)?
    ) throws(Unwind) -> pid_t {
        try forkSubshell { () throws(Unwind) -> Int32 in
            do {
                if let input { try input.duplicate(onto: 0) }
                if let output { try output.writeEnd.duplicate(onto: 1) }
            } catch {
                return 2
            }
            input?.closeQuietly()
            output?.readEnd.closeQuietly()
            output?.writeEnd.closeQuietly()
            if case .simple(let simple) = command { return try runSimpleCommand(simple, inTail: true) }
            return try execute(command)
        }
    }

    private func startHostStage(
        _ commands: [SimpleCommand], input: FileDescriptor?, output: FileDescriptor?, outputStream: StreamToken? = nil
    ) throws(Unwind) -> StartedPipeline.Stage {
        let session = try hostSession()
        var builder = HostJobBuilder()
        var specs: [ProcessSpec] = []
        do throws(Unwind) {
            for (index, command) in commands.enumerated() {
                if command.line > 0 { currentLine = command.line }
                let fields = try expandHostWords(command.words, session)
                guard !fields.isEmpty else {
                    report("host: empty command in a pipeline")
                    throw Unwind.failure(status: 2)
                }
                trace(["!" + fields[0]] + fields.dropFirst())
                let first = index == 0
                let last = index == commands.count - 1
                let stageInput: DescriptorSource? = first ? input.map { builder.pass($0.rawValue) } : .pipeFromPrevious
                let stageOutput: DescriptorSource? =
                    last ? outputStream.map { .stream($0) } ?? output.map { builder.pass($0.rawValue) } : .pipeToNext
                specs.append(
                    try hostProcessSpec(command, fields: fields, session: session, input: stageInput, output: stageOutput, builder: &builder))
            }
        } catch {
            builder.closeOwned()
            throw error
        }
        let part = try startHostJob(specs, builder: builder, session: session)
        jobLaunch?.stages.append(.host(part))
        return .host(jobID: part.jobID, session: session, count: commands.count)
    }

    /// Waits for every process of a pipeline; returns the pipeline's status.
    func waitPipeline(_ started: StartedPipeline) throws(Unwind) -> Int32 {
        if jobLaunch != nil {
            let statuses = try waitForegroundJob()
            if options.pipeFail { return statuses.last(where: { $0 != 0 }) ?? 0 }
            return statuses.last ?? 0
        }
        var statuses: [Int32] = []
        var lost: Unwind? = nil
        var interrupted = false
        for stage in started.stages {
            switch stage {
            case .guest(let pid):
                statuses.append(waitForChild(pid).shellStatus)
            case .host(let jobID, let session, let count):
                do {
                    statuses.append(contentsOf: try waitHostJob(jobID, session: session))
                } catch {
                    if error == .interrupted { interrupted = true }
                    lost = error
                    statuses.append(contentsOf: Array(repeating: error == .interrupted ? 128 + SIGINT : 255, count: count))
                }
            }
        }
        // Every stage is waited for first: none is left behind.
        if interrupted { throw .interrupted }
        if let lost, statuses.isEmpty { throw lost }
        if options.pipeFail { return statuses.last(where: { $0 != 0 }) ?? 0 }
        return statuses.last ?? 0
    }

    /// `$(…)` around a pipeline with host commands runs in this shell (the host session is
    /// this shell's), with standard output on the capture pipe.
    func hostCommandSubstitution(_ list: CommandList) -> [Command]? {
        guard list.items.count == 1, !list.items[0].background, list.items[0].andOr.rest.isEmpty else { return nil }
        let pipeline = list.items[0].andOr.first
        guard !pipeline.negated, hostLink?.isConfigured == true else { return nil }
        let units = PipelineUnit.split(pipeline.commands)
        guard units.contains(where: { if case .host = $0 { return true } else { return false } }) else { return nil }
        return pipeline.commands
    }
}
