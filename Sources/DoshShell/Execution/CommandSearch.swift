import DoshSystem

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

    /// The first executable regular file named `name` in PATH, else the first one found that is
    /// not executable (reported as "Permission denied", 126, as bash does), or nil.
    func searchPath(_ name: String) -> String? {
        ExecutableSearch.firstMatch(name, path: variables.value("PATH"))
    }
}
