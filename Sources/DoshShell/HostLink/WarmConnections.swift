import DoshProtocol
import DoshSystem
import SystemPackage

#if canImport(Glibc)
    import Glibc
#endif

/// Data connections opened and attached ahead of need, per direction (tcp, vsock, forwarded
/// sockets). A host command then takes one that the agent has long since routed to the
/// shadow, instead of paying an `openStreams` round trip and the agent's hand-over while the
/// user waits: each refill asks for a few more than the job needs.
///
/// An idle connection costs an fd on each side and nothing else: nobody polls it. The shadow
/// keeps attached connections for the session's life (docs/protocol.md, *Streams*).
struct WarmConnections {
    typealias DataConnection = (token: StreamToken, socket: Int32)

    /// Connections opened beyond what a job asks for, per refill.
    static let spare = 7

    private var ready: [StreamDirection: [DataConnection]] = [:]

    /// Takes `count` connections for `direction`, refilling with `open` (which asks the shadow
    /// for tokens and attaches that many connections) when too few are ready. Only the two
    /// one-way directions are kept warm; `both` is rare (an fd open for reading and writing).
    mutating func take<Failure: Error>(
        _ direction: StreamDirection, count: Int,
        open: (StreamDirection, Int) throws(Failure) -> [DataConnection]
    ) throws(Failure) -> [DataConnection] {
        guard count > 0 else { return [] }
        var pool = ready[direction] ?? []
        pool.removeAll { connection in
            // Nothing is sent on an idle connection before a job uses it: hung up means over.
            guard FileDescriptor(rawValue: connection.socket).peerHasHungUp else { return false }
            _ = close(connection.socket)
            return true
        }
        if pool.count < count {
            let extra = direction == .both ? 0 : WarmConnections.spare
            let wanted = min(count - pool.count + extra, ProtocolLimits.maximumStreamsPerRequest)
            pool += try open(direction, max(wanted, count - pool.count))
        }
        ready[direction] = Array(pool.dropFirst(count))
        return Array(pool.prefix(count))
    }

    /// Closes every connection kept (the session ends, or a forked subshell lets go of its
    /// parent's: a copy left open in it would keep a closed reader's socket alive, and its
    /// writer on the host would never see the reader go).
    mutating func closeAll() {
        for connection in ready.values.joined() { _ = close(connection.socket) }
        ready = [:]
    }
}
