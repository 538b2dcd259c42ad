#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Reads directories for pathname expansion. The guest side reads the local file system; the
/// host side (later) reads the host's through the shadow process.
public protocol DirectoryReader {
    /// The names in a directory (without `.` and `..`), or nil if it cannot be read.
    func entries(ofDirectory path: String) -> [String]?
    /// Whether a path exists (for components without wildcards, e.g. `dir/*/file`).
    func exists(_ path: String) -> Bool
    /// Whether a path is a directory (following symlinks).
    func isDirectory(_ path: String) -> Bool
    /// Whether a path is a symbolic link: `**` does not descend through one.
    func isSymbolicLink(_ path: String) -> Bool
}

extension DirectoryReader {
    public func isSymbolicLink(_ path: String) -> Bool { false }
}

/// Reads the local file system with opendir/readdir/stat.
///
/// Names that are not valid UTF-8 come back with U+FFFD in place of the bad bytes.
public struct LocalDirectoryReader: DirectoryReader {
    public init() {}

    public func entries(ofDirectory path: String) -> [String]? {
        guard let directory = opendir(path) else { return nil }
        defer { closedir(directory) }
        var names: [String] = []
        while let entry = readdir(directory) {
            let name = withUnsafePointer(to: &entry.pointee.d_name) { tuple in
                tuple.withMemoryRebound(to: CChar.self, capacity: MemoryLayout.size(ofValue: tuple.pointee)) {
                    String(cString: $0)
                }
            }
            if name != "." && name != ".." { names.append(name) }
        }
        return names
    }

    /// Whether the path exists, a dangling symbolic link included (lstat).
    public func exists(_ path: String) -> Bool {
        var status = stat()
        return lstat(path, &status) == 0
    }

    public func isDirectory(_ path: String) -> Bool {
        var status = stat()
        return stat(path, &status) == 0 && (status.st_mode & S_IFMT) == S_IFDIR
    }

    public func isSymbolicLink(_ path: String) -> Bool {
        var status = stat()
        return lstat(path, &status) == 0 && (status.st_mode & S_IFMT) == S_IFLNK
    }
}

/// Pathname expansion (globbing), POSIX 2.13.3 with bash's defaults.
///
/// Wildcards never match `/`, never match a leading `.` unless the pattern component starts
/// with a literal `.`, and never produce `.` or `..` (bash 5.2 "globskipdots").
public enum PathnameExpansion {
    /// Expands an escaped pattern (as for `Pattern`) against the file system. Relative patterns
    /// are resolved against the process's current directory and returned relative, as written.
    /// Returns the matches sorted in byte order (like LC_ALL=C), or an empty array when nothing
    /// matches (the caller then keeps the word unchanged).
    ///
    /// A pattern without wildcards is not expanded: the result is empty.
    ///
    /// With `globStar` (bash's `shopt -s globstar`), a component that is just `**` matches any
    /// number of directories, none included; last in the pattern, every file and directory below.
    public static func expand(_ escapedPattern: String, reader: some DirectoryReader, globStar: Bool = false) -> [String] {
        let path = GlobPath(escapedPattern)
        guard path.components.contains(where: { $0.pattern.hasWildcards }) else { return [] }
        // Each candidate is the path so far, spelled as the pattern spells it.
        var candidates = [path.root]
        for (index, component) in path.components.enumerated() {
            let isLast = index == path.components.count - 1
            var next: [String] = []
            if globStar, component.pattern.escapedPattern == "**" {
                // Zero directories leave the path as it was (so `dir/**` names `dir/` too, as in
                // bash); a trailing `**/` or `**` followed by more keeps only directories.
                let directoriesOnly = !isLast || !component.separator.isEmpty
                var deeper: [String] = []
                for prefix in candidates where prefix.isEmpty || reader.isDirectory(prefix) {
                    if !isLast || !prefix.isEmpty { deeper.append(prefix) }
                    deeper += descendants(of: prefix, reader: reader, directoriesOnly: directoriesOnly, linksToo: isLast)
                        .map { $0 + component.separator }
                }
                candidates = deeper
                if candidates.isEmpty { return [] }
                continue
            } else if component.pattern.hasWildcards {
                for prefix in candidates {
                    next += matches(of: component.pattern, in: prefix, reader: reader)
                }
            } else {
                // Taken literally; whether it exists shows when the next directory is read
                // or, at the end, below.
                let literal = component.pattern.literalText
                next = candidates.map { $0 + literal }
                if isLast && component.separator.isEmpty {
                    next = next.filter { reader.exists($0) }
                }
            }
            if isLast && !component.separator.isEmpty {
                // A trailing slash keeps only directories, and keeps the slash.
                next = next.filter { reader.isDirectory($0) }
            }
            candidates = next.map { $0 + component.separator }
            if candidates.isEmpty { return [] }
        }
        // Sorted, and each name once: `**/**` reaches a directory by several ways.
        var sorted = candidates.sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }
        sorted.removeAdjacentDuplicates()
        return sorted
    }

    /// Everything below the directory `prefix` but hidden names, not through symbolic links
    /// (`linksToo`: a link to a directory is named, as the last component, but not entered).
    private static func descendants(
        of prefix: String, reader: some DirectoryReader, directoriesOnly: Bool, linksToo: Bool, depth: Int = 0
    ) -> [String] {
        guard depth < 100, let names = reader.entries(ofDirectory: prefix.isEmpty ? "." : prefix) else { return [] }
        var result: [String] = []
        for name in names where !name.hasPrefix(".") {
            let path = prefix + name
            let isDirectory = reader.isDirectory(path)
            let isLink = isDirectory && reader.isSymbolicLink(path)
            if !directoriesOnly || (isDirectory && (linksToo || !isLink)) { result.append(path) }
            if isDirectory, !isLink {
                result += descendants(
                    of: path + "/", reader: reader, directoriesOnly: directoriesOnly, linksToo: linksToo, depth: depth + 1)
            }
        }
        return result
    }

    /// The entries of the directory `prefix` that `pattern` matches, each joined to `prefix`.
    private static func matches(
        of pattern: Pattern, in prefix: String, reader: some DirectoryReader
    ) -> [String] {
        guard let names = reader.entries(ofDirectory: prefix.isEmpty ? "." : prefix) else { return [] }
        let mayMatchHidden = pattern.startsWithLiteralDot
        return names.compactMap { name in
            guard name != "." && name != "..", mayMatchHidden || !name.hasPrefix("."),
                pattern.matches(name)
            else { return nil }
            return prefix + name
        }
    }
}

/// A pattern split at its slashes.
struct GlobPath {
    struct Component {
        var pattern: Pattern
        /// The slashes that follow the component as written (empty for a last component
        /// without a trailing slash).
        var separator: String
    }

    /// The leading slashes of an absolute pattern, empty for a relative one.
    var root = ""
    var components: [Component] = []

    /// Splits at every `/`, escaped or not: a slash is never part of a file name.
    init(_ escapedPattern: String) {
        let scalars = Array(escapedPattern.unicodeScalars)
        var i = 0
        var current = String.UnicodeScalarView()
        var separator = String.UnicodeScalarView()
        var atStart = true
        func finishComponent() {
            components.append(Component(pattern: Pattern(String(current)), separator: String(separator)))
            current = String.UnicodeScalarView()
            separator = String.UnicodeScalarView()
        }
        while i < scalars.count {
            let isEscapedSlash = scalars[i] == "\\" && i + 1 < scalars.count && scalars[i + 1] == "/"
            if scalars[i] == "/" || isEscapedSlash {
                if atStart {
                    root.unicodeScalars.append("/")
                } else {
                    separator.append("/")
                }
                i += isEscapedSlash ? 2 : 1
                continue
            }
            atStart = false
            if !separator.isEmpty { finishComponent() }
            if scalars[i] == "\\", i + 1 < scalars.count {
                current.append(scalars[i])
                current.append(scalars[i + 1])
                i += 2
            } else {
                current.append(scalars[i])
                i += 1
            }
        }
        if !current.isEmpty { finishComponent() }
    }
}

extension Array where Element: Equatable {
    mutating func removeAdjacentDuplicates() {
        var kept: [Element] = []
        kept.reserveCapacity(count)
        for element in self where kept.last != element { kept.append(element) }
        self = kept
    }
}
