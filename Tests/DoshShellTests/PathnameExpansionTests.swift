#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Testing
@testable import DoshShell
@testable import DoshPatterns

@Suite struct PathnameExpansionLocalTests {
    private let reader = LocalDirectoryReader()

    private func withTree(_ body: (String) throws -> Void) throws {
        let tree = try TemporaryTree(
            directories: ["src", "src/lib", "src/.hidden", "docs", "empty", "with space", "naïve", "Zeta"],
            files: [
                "a.c", "b.c", "B.h", ".profile", ".config.c", "notes.txt", "src/main.c", "src/util.c",
                "src/util.h", "src/lib/x.c", "src/.hidden/secret.c", "docs/readme", "with space/file one.c",
                "naïve/café.c", "ünïcödé.txt", "[literal].txt", "star*.txt", "question?.txt",
            ],
            symlinks: [("src", "link-to-src"), ("nowhere", "dangling")])
        defer { tree.remove() }
        try body(tree.root)
    }

    private func expand(_ pattern: String) -> [String] {
        PathnameExpansion.expand(pattern, reader: reader)
    }

    @Test func starInOneDirectory() throws {
        try withTree { root in
            #expect(expand(root + "/*.c") == [root + "/a.c", root + "/b.c"])
            #expect(expand(root + "/?.?") == [root + "/B.h", root + "/a.c", root + "/b.c"])
            #expect(expand(root + "/[ab].c") == [root + "/a.c", root + "/b.c"])
            #expect(expand(root + "/[!a].c") == [root + "/b.c"])
        }
    }

    @Test func hiddenFilesNeedALiteralDot() throws {
        try withTree { root in
            #expect(!expand(root + "/*").contains { $0.hasSuffix("/.profile") })
            #expect(expand(root + "/.*") == [root + "/.config.c", root + "/.profile"])
            #expect(expand(root + "/\\.p*") == [root + "/.profile"])
            #expect(expand(root + "/?profile") == [])
            #expect(expand(root + "/[.]profile") == [])
            #expect(expand(root + "/*.c").allSatisfy { !$0.contains("/.config") })
            // `.` and `..` are never produced.
            #expect(expand(root + "/.*").allSatisfy { !$0.hasSuffix("/.") && !$0.hasSuffix("/..") })
            #expect(expand(root + "/src/*/*.c") == [root + "/src/lib/x.c"])
            #expect(expand(root + "/src/.*/*.c") == [root + "/src/.hidden/secret.c"])
        }
    }

    @Test func nestedComponents() throws {
        try withTree { root in
            #expect(expand(root + "/*/*.c") == [
                root + "/link-to-src/main.c", root + "/link-to-src/util.c", root + "/naïve/café.c",
                root + "/src/main.c", root + "/src/util.c", root + "/with space/file one.c",
            ])
            #expect(expand(root + "/s*/lib/*") == [root + "/src/lib/x.c"])
            #expect(expand(root + "/*/readme") == [root + "/docs/readme"])
            #expect(expand(root + "/src/util.[ch]") == [root + "/src/util.c", root + "/src/util.h"])
            #expect(expand(root + "/*/*/*.c") == [root + "/link-to-src/lib/x.c", root + "/src/lib/x.c"])
        }
    }

    @Test func trailingSlashListsOnlyDirectories() throws {
        try withTree { root in
            #expect(expand(root + "/*/") == [
                root + "/Zeta/", root + "/docs/", root + "/empty/", root + "/link-to-src/", root + "/naïve/",
                root + "/src/", root + "/with space/",
            ])
            #expect(expand(root + "/s*/lib/") == [root + "/src/lib/"])
            #expect(expand(root + "/src/*//") == [root + "/src/lib//"])
        }
    }

    @Test func noMatchGivesNothing() throws {
        try withTree { root in
            #expect(expand(root + "/*.zip") == [])
            #expect(expand(root + "/empty/*") == [])
            #expect(expand(root + "/missing/*") == [])
            #expect(expand(root + "/a.c/*") == [])
            #expect(expand(root + "/*/nothing-here") == [])
            #expect(expand(root + "/a.c") == [], "no wildcards: not subject to expansion")
        }
    }

    @Test func spacesAndNonASCIINames() throws {
        try withTree { root in
            #expect(expand(root + "/with space/*") == [root + "/with space/file one.c"])
            #expect(expand(root + "/with\\ space/*.c") == [root + "/with space/file one.c"])
            #expect(expand(root + "/na?ve/caf?.c") == [root + "/naïve/café.c"])
            #expect(expand(root + "/ü*") == [root + "/ünïcödé.txt"])
            #expect(expand(root + "/*.txt") == [
                root + "/[literal].txt", root + "/notes.txt", root + "/question?.txt", root + "/star*.txt",
                root + "/ünïcödé.txt",
            ])
        }
    }

    @Test func escapedWildcardsAreLiteral() throws {
        try withTree { root in
            #expect(expand(root + "/star\\**") == [root + "/star*.txt"])
            #expect(expand(root + "/\\[literal].*") == [root + "/[literal].txt"])
            #expect(expand(root + "/[[]literal].txt") == [root + "/[literal].txt"])
            #expect(expand(root + "/question\\?.*") == [root + "/question?.txt"])
            #expect(expand(root + "/\\*") == [])
            // Literal components keep their text, escapes removed.
            #expect(expand(root + "/na\\ïve/*") == [root + "/naïve/café.c"])
        }
    }

    @Test func symbolicLinks() throws {
        try withTree { root in
            #expect(expand(root + "/dang*") == [root + "/dangling"])
            #expect(expand(root + "/link-to-src/m*") == [root + "/link-to-src/main.c"])
        }
    }

    @Test func sortedByBytes() throws {
        try withTree { root in
            let all = expand(root + "/*")
            #expect(all == all.sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) })
            // Uppercase before lowercase, ASCII before non-ASCII, as in the C locale.
            #expect(all.first == root + "/B.h")
            #expect(all.last == root + "/ünïcödé.txt")
        }
    }

    @Test func absolutePatternsFromTheRoot() {
        #expect(expand("/tm?") == ["/tmp"])
        #expect(expand("/tmp/../tm[p]") == ["/tmp/../tmp"])
        #expect(expand("//tm?") == ["//tmp"])
    }

    @Test func relativePatternsStayRelative() throws {
        try withTree { root in
            // Reach the tree from the current directory without changing it (tests run in parallel).
            var buffer = [CChar](repeating: 0, count: 4096)
            let cwd = try #require(getcwd(&buffer, buffer.count).map { String(cString: $0) })
            let depth = cwd.split(separator: "/").count
            let relative = String(repeating: "../", count: depth) + root.dropFirst()
            #expect(expand(relative + "/*.c") == [relative + "/a.c", relative + "/b.c"])
            #expect(expand("./" + relative + "/s*/") == ["./" + relative + "/src/"])
        }
    }
}

/// A file system in memory, with a current directory, for the relative forms.
private struct MemoryDirectoryReader: DirectoryReader {
    var directories: Set<String>
    var files: Set<String>
    var cwd = "/home/user"

    init(directories: [String], files: [String]) {
        self.directories = Set(directories).union(["/"])
        self.files = Set(files)
    }

    func resolve(_ path: String) -> String {
        var parts: [Substring] = path.hasPrefix("/") ? [] : cwd.split(separator: "/")
        for part in path.split(separator: "/") {
            if part == "." { continue }
            if part == ".." { _ = parts.popLast(); continue }
            parts.append(part)
        }
        return "/" + parts.joined(separator: "/")
    }

    func entries(ofDirectory path: String) -> [String]? {
        let directory = resolve(path)
        guard directories.contains(directory) else { return nil }
        let prefix = directory == "/" ? "/" : directory + "/"
        return directories.union(files).compactMap { candidate in
            guard candidate.hasPrefix(prefix), candidate != directory else { return nil }
            let rest = candidate.dropFirst(prefix.count)
            return rest.contains("/") ? nil : String(rest)
        }
    }

    func exists(_ path: String) -> Bool {
        let resolved = resolve(path)
        return directories.contains(resolved) || files.contains(resolved)
    }

    func isDirectory(_ path: String) -> Bool { directories.contains(resolve(path)) }
}

@Suite struct PathnameExpansionRelativeTests {
    private let reader = MemoryDirectoryReader(
        directories: ["/home", "/home/user", "/home/user/src", "/home/other", "/home/user/.git"],
        files: ["/home/user/a.c", "/home/user/.rc", "/home/user/src/m.c", "/home/other/o.txt", "/home/top.txt"])

    private func expand(_ pattern: String) -> [String] {
        PathnameExpansion.expand(pattern, reader: reader)
    }

    @Test func relativeFormsAreReturnedAsWritten() {
        #expect(expand("*") == ["a.c", "src"])
        #expect(expand("*.c") == ["a.c"])
        #expect(expand("./*") == ["./a.c", "./src"])
        #expect(expand("../*") == ["../other", "../top.txt", "../user"])
        #expect(expand("../*/*.txt") == ["../other/o.txt"])
        #expect(expand(".*") == [".git", ".rc"])
        #expect(expand("*/") == ["src/"])
        #expect(expand("src/*") == ["src/m.c"])
        #expect(expand(".//s*//m.?") == [".//src//m.c"])
        #expect(expand("/home/*/") == ["/home/other/", "/home/user/"])
    }

    @Test func splittingAtSlashes() {
        let path = GlobPath("/a//b\\/c*/")
        #expect(path.root == "/")
        #expect(path.components.map(\.pattern.escapedPattern) == ["a", "b", "c*"])
        #expect(path.components.map(\.separator) == ["//", "/", "/"])
        #expect(GlobPath("x\\\\/y").components.map(\.pattern.literalText) == ["x\\", "y"])
        #expect(GlobPath("").components.isEmpty)
        #expect(GlobPath("///").root == "///")
    }

    @Test func aBracketCannotSpanASlash() {
        #expect(expand("[a/]*") == [])
        #expect(PathnameExpansion.expand("s[/]*", reader: reader) == [])
    }
}
