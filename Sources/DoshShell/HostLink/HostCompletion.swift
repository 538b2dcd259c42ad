import DoshProtocol

/// What Tab asks the host. Each question is bounded in time: a slow or vanished host gives no
/// candidates, never a frozen editor.
extension Shell {
    static let hostCompletionTimeout: Duration = .milliseconds(300)
    static let hostCompletionLimit: UInt32 = 20_000

    /// Executables on the host's PATH starting with `prefix`.
    func hostCommandNames(prefix: String) -> [String] {
        guard let session = try? completionSession(),
            let answer = try? session.request(
                .listCommands(prefix: Array(prefix.utf8), limit: Self.hostCompletionLimit), timeout: Self.hostCompletionTimeout),
            case .names(let names, _) = answer.message.body
        else { return [] }
        return names.map { String(decoding: $0, as: UTF8.self) }
    }

    /// Entries of a host directory (relative to the host cwd; `~` is the host home) that start
    /// with `prefix`.
    func hostDirectoryEntries(directory: String, prefix: String) -> [(name: String, isDirectory: Bool)] {
        guard let session = try? completionSession() else { return [] }
        var path = directory
        if path.hasPrefix("~"), let home = session.state.home {
            path = home + path.dropFirst()
        }
        guard
            let answer = try? session.request(
                .listDirectory(path: Array(path.utf8), prefix: Array(prefix.utf8), limit: Self.hostCompletionLimit),
                timeout: Self.hostCompletionTimeout),
            case .directoryEntries(let entries, _) = answer.message.body
        else { return [] }
        return entries.map { (String(decoding: $0.name, as: UTF8.self), $0.kind == .directory) }
    }

    /// Whether `path` names a directory on the host (relative to the host cwd): one listing of
    /// its parent.
    func hostIsDirectory(_ path: String) -> Bool {
        var trimmed = Substring(path)
        while trimmed.count > 1 && trimmed.hasSuffix("/") { trimmed = trimmed.dropLast() }
        if trimmed == "/" { return true }
        guard !trimmed.isEmpty else { return false }
        let (directory, name) = splitForCompletion(String(trimmed))
        return hostDirectoryEntries(directory: directory, prefix: name).contains { $0.name == name && $0.isDirectory }
    }

    /// The session, if one is open or can be opened quickly; completion never reports errors.
    func completionSession() throws -> HostSession {
        guard let hostLink, hostLink.isConfigured else { throw HostFailure(message: "no host") }
        if let session = hostLink.session { return session }
        let session = try hostLink.openSession()
        return session
    }
}
