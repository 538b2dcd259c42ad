import DoshSystem
import SystemPackage

#if canImport(Glibc)
    import Glibc
#endif

/// The fds a set of redirections replaced, kept (close-on-exec, above 9) to be put back.
struct SavedDescriptors {
    /// For each redirected fd, its earlier file, or nil when it was closed.
    var entries: [(fd: Int32, saved: FileDescriptor?)] = []

    mutating func save(_ fd: Int32) {
        guard !entries.contains(where: { $0.fd == fd }) else { return }
        let saved = try? FileDescriptor(rawValue: fd).duplicate(atLeast: 10)
        entries.append((fd, saved))
    }
}

extension Shell {
    /// Runs `body` with redirections applied to this process, then undoes them. A redirection
    /// that fails makes the command fail with status 1 (or ends a script, for special builtins).
    func withRedirections<T>(
        _ redirections: [Redirection], fatalOnError: Bool = false, _ body: () throws(Unwind) -> T
    ) throws(Unwind) -> T {
        if redirections.isEmpty { return try body() }
        var saved = SavedDescriptors()
        let hostWriteMark = hostWriteRelays.count
        defer {
            if keepRedirections {
                // `exec` without a command: the redirections stay.
                keepRedirections = false
                for (_, backup) in saved.entries { backup?.closeQuietly() }
                hostWriteRelays.removeSubrange(hostWriteMark...)  // they end with the shell
            } else {
                restoreDescriptors(saved)
                finishHostWrites(from: hostWriteMark)
            }
        }
        do {
            try applyRedirections(redirections, saving: &saved)
        } catch .failure(let status) where fatalOnError && !options.interactive {
            throw .fatal(status: status)
        }
        return try body()
    }

    /// Applies redirections for good (`exec > file`).
    func applyRedirectionsPermanently(_ redirections: [Redirection]) throws(Unwind) {
        var saved = SavedDescriptors()
        try applyRedirections(redirections, saving: &saved, permanent: true)
    }

    func restoreDescriptors(_ saved: SavedDescriptors) {
        for (fd, backup) in saved.entries.reversed() {
            if let backup {
                try? backup.duplicate(onto: fd)
                backup.closeQuietly()
            } else {
                _ = close(fd)
            }
        }
    }

    private func applyRedirections(
        _ redirections: [Redirection], saving saved: inout SavedDescriptors, permanent: Bool = false
    ) throws(Unwind) {
        for redirection in redirections {
            let fd = redirection.effectiveFD
            switch redirection.op {
            case .duplicateInput, .duplicateOutput:
                let target = try expandString(redirection.target)
                if !permanent { saved.save(fd) }
                if target == "-" {
                    _ = close(fd)
                    continue
                }
                guard let source = Int32(target), source >= 0 else {
                    report("\(target): ambiguous redirect")
                    throw .failure(status: 1)
                }
                if source == fd { continue }
                guard FileDescriptor(rawValue: source).isOpen else {
                    report("\(source): Bad file descriptor")
                    throw .failure(status: 1)
                }
                do {
                    try FileDescriptor(rawValue: source).duplicate(onto: fd)
                } catch {
                    report("\(source): \(error.message)")
                    throw .failure(status: 1)
                }

            case .hereDocument, .hereString:
                let file = try hereDocumentDescriptor(try hereDocumentBody(redirection))
                if !permanent { saved.save(fd) }
                try install(file, as: fd)

            case .input, .output, .append, .clobber, .readWrite:
                let file: FileDescriptor
                if redirection.targetSide == .host {
                    file = try openHostFile(redirection)
                } else {
                    file = try openForRedirection(try expandString(redirection.target), redirection.op)
                }
                if !permanent { saved.save(fd) }
                try install(file, as: fd)
            }
        }
    }

    /// The text of a here-document, expanded unless its delimiter was quoted; of a here-string,
    /// its word expanded as one string, and a newline.
    func hereDocumentBody(_ redirection: Redirection) throws(Unwind) -> String {
        if redirection.op == .hereString { return try expandString(redirection.target) + "\n" }
        guard let document = redirection.hereDocument else { return "" }
        return document.expands ? try expandString(document.body) : document.body.parts.map(\.quotedText).joined()
    }

    /// Moves an opened file onto `fd`.
    private func install(_ file: FileDescriptor, as fd: Int32) throws(Unwind) {
        if file.rawValue == fd {
            try? file.setCloseOnExec(false)
            return
        }
        do {
            try file.duplicate(onto: fd)
        } catch {
            file.closeQuietly()
            report("\(fd): \(error.message)")
            throw .failure(status: 1)
        }
        file.closeQuietly()
    }

    func openForRedirection(_ path: String, _ op: RedirectionOperator) throws(Unwind) -> FileDescriptor {
        if path.isEmpty {
            report(": No such file or directory")
            throw .failure(status: 1)
        }
        var flags: Int32
        switch op {
        case .input: flags = O_RDONLY
        case .output:
            flags = O_WRONLY | O_CREAT | O_TRUNC
            if options.noClobber && isExistingRegularFile(path) {
                report("\(path): cannot overwrite existing file")
                throw .failure(status: 1)
            }
        case .append: flags = O_WRONLY | O_CREAT | O_APPEND
        case .clobber: flags = O_WRONLY | O_CREAT | O_TRUNC
        case .readWrite: flags = O_RDWR | O_CREAT
        default: flags = O_RDONLY
        }
        do {
            return try FileDescriptor.open(path: path, flags: flags | O_CLOEXEC, mode: 0o666)
        } catch {
            report("\(path): \(error.message)")
            throw .failure(status: 1)
        }
    }

    /// An fd to read a here-document's body from: a pipe when the body fits in its buffer,
    /// otherwise an unlinked temporary file.
    func hereDocumentDescriptor(_ body: String) throws(Unwind) -> FileDescriptor {
        let bytes = Array(body.utf8)
        do throws(Errno) {
            if bytes.count <= 32768 {
                let pipe = try FileDescriptor.closeOnExecPipe()
                defer { pipe.writeEnd.closeQuietly() }
                try pipe.writeEnd.writeAll(bytes)
                return pipe.readEnd
            }
            var template = Array("/tmp/dosh-here.XXXXXX".utf8CString)
            let raw = mkstemp(&template)
            if raw < 0 { throw Errno(rawValue: errno) }
            unlink(template)
            let file = FileDescriptor(rawValue: raw)
            try? file.setCloseOnExec(true)
            try file.writeAll(bytes)
            _ = lseek(file.rawValue, 0, SEEK_SET)
            return file
        } catch {
            report("here-document: \(error.message)")
            throw .failure(status: 1)
        }
    }
}

private func isExistingRegularFile(_ path: String) -> Bool {
    var info = stat()
    return stat(path, &info) == 0 && (info.st_mode & S_IFMT) == S_IFREG
}

extension WordPart {
    /// The text of a quoted or literal part (for here-documents whose delimiter was quoted).
    var quotedText: String {
        switch self {
        case .literal(let text), .quoted(let text): return text
        default: return ""
        }
    }
}
