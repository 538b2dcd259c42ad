import DoshProtocol
import DoshTransport

/// Which host the shell uses and its session, opened on first use. When a session is lost (the
/// agent died, the connection dropped), the next `!` command opens a new one.
public final class HostLink {
    /// Where sessions connect: the address given, or a channel's private socket.
    private(set) var address: Address
    /// `ssh:` and `exec:` hosts: the command that carries the single channel, and its mux.
    let channelCommand: ChannelCommand?
    private var channel: HostChannel?
    /// A forked subshell connects to its parent's channel, which it neither starts nor ends.
    private var usesInheritedChannel = false
    let tokenFile: String?
    var session: HostSession?
    /// Whether a session was lost, so the next one is announced as a new session.
    var lostEarlierSession = false
    /// The host state a forked subshell inherited: replayed into its own session when it needs
    /// one (a subshell's `!cd` must not move its parent).
    var inheritedState: HostState?

    /// `address` in the forms `unix:PATH`, `tcp:HOST:PORT`, `vsock:CID:PORT`, `local`, `none`,
    /// `ssh:[USER@]HOST[:PORT]` and `exec:COMMAND`; `sshOptions` go to ssh before the host.
    public init(address: String, tokenFile: String?, sshOptions: [String] = []) throws(HostAddressError) {
        self.tokenFile = tokenFile
        if let command = try ChannelCommand.parse(address, sshOptions: sshOptions) {
            channelCommand = command
            self.address = .none
            return
        }
        channelCommand = nil
        do {
            self.address = try Address(parsing: address)
        } catch {
            throw HostAddressError(message: error.description)
        }
    }

    public var isConfigured: Bool {
        if channelCommand != nil { return true }
        if case .none = address { return false }
        return true
    }

    /// The open session, opening it first if needed.
    func openSession() throws(HostFailure) -> HostSession {
        if let session { return session }
        let session: HostSession
        if let channelCommand, !usesInheritedChannel {
            if channel?.isRunning != true {
                channel?.close()
                channel = try HostChannel.start(channelCommand)
                address = .unix(path: channel!.socketPath)
            }
            do throws(HostFailure) {
                try channel!.waitUntilOpen()
                session = try HostSession.open(address, tokenFile: nil)
            } catch {
                throw channel!.explainFailure(error)
            }
        } else {
            session = try HostSession.open(address, tokenFile: tokenFile)
        }
        if let inheritedState {
            try replay(inheritedState, into: session)
            self.inheritedState = nil
        }
        self.session = session
        return session
    }

    /// Makes a fresh session's cwd and environment those of `state`.
    private func replay(_ state: HostState, into session: HostSession) throws(HostFailure) {
        if state.workingDirectory != session.state.workingDirectory {
            if case .workingDirectory(let path) = try session.request(.changeDirectory(path: Array(state.workingDirectory.utf8))).message.body {
                session.state.workingDirectory = String(decoding: path, as: UTF8.self)
            }
        }
        for (name, value) in state.environment where session.state.environment[name] != value {
            _ = try session.request(.setEnvironment(name: Array(name.utf8), value: Array(value.utf8)))
            session.state.environment[name] = value
        }
        for name in session.state.environment.keys where state.environment[name] == nil {
            _ = try session.request(.unsetEnvironment(name: Array(name.utf8)))
            session.state.environment[name] = nil
        }
    }

    /// Forgets a session that failed; the next use opens a new one.
    func drop() {
        session?.close()
        session = nil
        lostEarlierSession = true
    }

    /// The shell leaves: its session and its channel end.
    public func close() {
        session?.close()
        session = nil
        channel?.close()
        channel = nil
    }

    /// In a forked child: the parent's connection is the parent's. The child closes its copy
    /// without a word and opens its own session, seeded with the parent's state, if it needs one.
    func detachForSubshell() {
        if let session {
            inheritedState = session.state
            session.connection.close()
            session.warmConnections.closeAll()
        }
        session = nil
        // The parent's channel serves the child's sessions too; without one, the child starts
        // its own when it needs it.
        if channel != nil {
            channel = nil
            usesInheritedChannel = true
        }
    }
}

public struct HostAddressError: Error {
    public var message: String
}
