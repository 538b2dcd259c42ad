import DoshProtocol

/// Where a host command (`!name`) would come from, for `type` and `command -v`: found with the
/// directory listings the host already answers for completion, so no new request is needed.
extension Shell {
    enum HostCommandKind: Equatable {
        case builtin
        case file(String)
    }

    static let hostLookupTimeout: Duration = .seconds(5)
    /// The builtins the host runs itself (see `HostBuiltins`).
    static let hostBuiltinNames: Set<String> = ["cd", "pwd", "export", "unset", "umask"]

    /// What `!name` runs on the host, nil when nothing (or when no host is connected).
    func hostCommandKind(_ name: String) -> HostCommandKind? {
        if Self.hostBuiltinNames.contains(name) { return .builtin }
        guard !name.isEmpty, let session = try? completionSession() else { return nil }
        if name.contains("/") {
            var directory = "."
            var base = Substring(name)
            if let slash = name.lastIndex(of: "/") {
                directory = slash == name.startIndex ? "/" : String(name[..<slash])
                base = name[name.index(after: slash)...]
            }
            return isHostExecutable(session, directory: directory, name: String(base)) ? .file(name) : nil
        }
        let path = session.state.environment["PATH"] ?? "/usr/local/bin:/usr/bin:/bin"
        for entry in path.split(separator: ":", omittingEmptySubsequences: false) {
            let directory = entry.isEmpty ? "." : String(entry)
            if isHostExecutable(session, directory: directory, name: name) {
                return .file(directory == "/" ? "/\(name)" : "\(directory)/\(name)")
            }
        }
        return nil
    }

    private func isHostExecutable(_ session: HostSession, directory: String, name: String) -> Bool {
        guard
            let answer = try? session.request(
                .listDirectory(path: Array(directory.utf8), prefix: Array(name.utf8), limit: Self.hostCompletionLimit),
                timeout: Self.hostLookupTimeout),
            case .directoryEntries(let entries, _) = answer.message.body
        else { return false }
        return entries.contains { String(decoding: $0.name, as: UTF8.self) == name && $0.kind == .executable }
    }
}
