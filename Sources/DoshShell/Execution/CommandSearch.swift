#if canImport(Glibc)
    import Glibc
#endif

enum CommandLookup: Equatable {
    case found(String)
    case notFound
}

extension Shell {
    /// Finds an external command: a name with a `/` is used as is; otherwise PATH is searched
    /// (and the result remembered, like `hash`).
    func findCommand(_ name: String) -> CommandLookup {
        if name.contains("/") { return .found(name) }
        if let remembered = commandPaths[name], access(remembered, X_OK) == 0, !isDirectory(remembered) {
            return .found(remembered)
        }
        if let path = searchPath(name) {
            commandPaths[name] = path
            return .found(path)
        }
        return .notFound
    }

    /// The first executable regular file named `name` in PATH, or nil.
    func searchPath(_ name: String) -> String? {
        let path = variables.value("PATH") ?? "/usr/local/bin:/usr/bin:/bin"
        var firstNonExecutable: String? = nil
        for directory in path.split(separator: ":", omittingEmptySubsequences: false) {
            let candidate = directory.isEmpty ? name : "\(directory)/\(name)"
            var info = stat()
            guard stat(candidate, &info) == 0, (info.st_mode & S_IFMT) != S_IFDIR else { continue }
            if access(candidate, X_OK) == 0 { return candidate }
            if firstNonExecutable == nil { firstNonExecutable = candidate }
        }
        // A file found but not executable is reported as "Permission denied" (126), like bash.
        return firstNonExecutable
    }
}
