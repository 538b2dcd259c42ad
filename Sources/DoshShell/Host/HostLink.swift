import DoshProtocol
import DoshTransport

/// Which host the shell uses and its session, opened on first use. When a session is lost (the
/// agent died, the connection dropped), the next `!` command opens a new one.
public final class HostLink {
    let address: Address
    let tokenFile: String?
    var session: HostSession?
    /// Whether a session was lost, so the next one is announced as a new session.
    var lostEarlierSession = false
    /// The host state a forked subshell inherited: replayed into its own session when it needs
    /// one (a subshell's `!cd` must not move its parent).
    var inheritedState: HostState?

    /// `address` in the forms `unix:PATH`, `tcp:HOST:PORT`, `vsock:CID:PORT`, `local`, `none`.
    public init(address: String, tokenFile: String?) throws(HostAddressError) {
        do {
            self.address = try Address(parsing: address)
        } catch {
            throw HostAddressError(message: error.description)
        }
        self.tokenFile = tokenFile
    }

    public var isConfigured: Bool {
        if case .none = address { return false }
        return true
    }

    /// The open session, opening it first if needed.
    func openSession() throws(HostFailure) -> HostSession {
        if let session { return session }
        let session = try HostSession.open(address, tokenFile: tokenFile)
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

    /// In a forked child: the parent's connection is the parent's. The child closes its copy
    /// without a word and opens its own session, seeded with the parent's state, if it needs one.
    func detachForSubshell() {
        if let session {
            inheritedState = session.state
            session.connection.close()
        }
        session = nil
    }
}

public struct HostAddressError: Error {
    public var message: String
}
