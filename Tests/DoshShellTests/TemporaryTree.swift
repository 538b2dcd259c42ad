#if canImport(Glibc)
import DoshTestSupport
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Testing
@testable import DoshPatterns

/// A temporary directory tree on the local file system, removed by `remove()`.
struct TemporaryTree {
    let root: String

    init(directories: [String], files: [String], symlinks: [(String, String)] = []) throws {
        root = try makeScratchPath()
        for directory in directories {
            try #require(mkdir(root + "/" + directory, 0o755) == 0, "mkdir \(directory)")
        }
        for file in files {
            let fd = open(root + "/" + file, O_CREAT | O_WRONLY, 0o644)
            try #require(fd >= 0, "create \(file)")
            close(fd)
        }
        for (target, name) in symlinks {
            try #require(symlink(target, root + "/" + name) == 0, "symlink \(name)")
        }
    }

    func remove() {
        Self.removeTree(root)
    }

    private static func removeTree(_ path: String) {
        var status = stat()
        guard lstat(path, &status) == 0 else { return }
        if (status.st_mode & S_IFMT) == S_IFDIR {
            for name in LocalDirectoryReader().entries(ofDirectory: path) ?? [] {
                removeTree(path + "/" + name)
            }
            rmdir(path)
        } else {
            unlink(path)
        }
    }
}
