import DoshTestSupport
import Foundation
import Testing

/// What ships beside the binaries: completion scripts, manual pages, `make install`, and the
/// agent started by socket activation as the systemd units start it.
@Suite struct PackagingTests {
    static let programs = ["dosh", "doshd"]
    static let shells = ["bash", "zsh", "fish"]

    @Test func completionScriptsAreWhatTheBinariesGenerate() throws {
        for program in Self.programs {
            for shell in Self.shells {
                let generated = try Tool.run(
                    DoshBinary.productsDirectory.appendingPathComponent(program).path,
                    ["--generate-completion-script", shell])
                #expect(generated.status == 0, "\(program) --generate-completion-script \(shell): \(generated.stderr)")
                let committed = try String(contentsOf: Self.completionScript(program, shell), encoding: .utf8)
                #expect(
                    generated.stdout == committed,
                    "completions/\(program).\(shell) is stale: run `make completions BUILDDIR=<the build directory>`")
            }
        }
    }

    /// What completing after these words offers, and one word it must offer.
    static let probes = [
        "dosh": (words: ["--ho"], offered: "--host"),
        "doshd": (words: ["--log-level", ""], offered: "warning"),
    ]

    @Test func bashLoadsTheCompletions() throws {
        guard let bash = Tool.find("bash") else { return }
        for program in Self.programs {
            let script = Self.completionScript(program, "bash").path
            let result = try Tool.run(bash, ["--norc", "-c", "source \"$1\" && complete -p \(program)", "bash", script])
            #expect(result.status == 0 && result.stderr.isEmpty, "\(result.stderr)")
            #expect(result.stdout.contains(" -F _\(program) \(program)"), "\(result.stdout)")
            // As bash-completion calls it (with extglob on) when Tab is pressed.
            let probe = try #require(Self.probes[program])
            let words = ([program] + probe.words).map { "'\($0)'" }.joined(separator: " ")
            let line = ([program] + probe.words).joined(separator: " ")
            let complete = try Tool.run(bash, [
                "--norc", "-c",
                """
                shopt -s extglob; source "$1"
                COMP_WORDS=(\(words)); COMP_CWORD=\(probe.words.count); COMP_LINE='\(line)'; COMP_POINT=${#COMP_LINE}
                _\(program) \(program) '\(probe.words.last!)' '\(probe.words.count > 1 ? probe.words[probe.words.count - 2] : program)'
                printf '%s\\n' "${COMPREPLY[@]}"
                """,
                "bash", script,
            ])
            #expect(complete.stdout.split(separator: "\n").contains(Substring(probe.offered)), "\(complete.stdout)\(complete.stderr)")
        }
    }

    @Test func zshLoadsTheCompletions() throws {
        guard let zsh = Tool.find("zsh") else { return }
        for program in Self.programs {
            let script = Self.completionScript(program, "zsh").path
            let check = try Tool.run(zsh, ["-n", script])
            #expect(check.status == 0 && check.stderr.isEmpty, "zsh -n \(script): \(check.stderr)")
            // Loaded as compinit loads it from site-functions: the function is defined and bound.
            let load = try Tool.run(
                zsh, ["-f", "-c", "autoload -U compinit && compinit -u -D && source \"$1\" && print -r -- ${_comps[\(program)]}", "zsh", script])
            #expect(load.status == 0, "\(load.stderr)")
            #expect(load.stdout == "_\(program)\n", "\(load.stdout)\(load.stderr)")
        }
    }

    @Test func fishLoadsTheCompletions() throws {
        guard let fish = Tool.find("fish") else { return }
        for program in Self.programs {
            let script = Self.completionScript(program, "fish").path
            let check = try Tool.run(fish, ["--no-config", "-n", script])
            #expect(check.status == 0 && check.stderr.isEmpty, "fish -n \(script): \(check.stderr)")
            let probe = try #require(Self.probes[program])
            let line = ([program] + probe.words).joined(separator: " ")
            let complete = try Tool.run(fish, ["--no-config", "-c", "source $argv[1]; and complete -C '\(line)'", script])
            #expect(complete.status == 0, "\(complete.stderr)")
            let offered = complete.stdout.split(separator: "\n").map { $0.split(separator: "\t").first ?? "" }
            #expect(offered.contains(Substring(probe.offered)), "\(complete.stdout)")
        }
    }

    @Test func manualPagesPassLint() throws {
        guard let mandoc = Tool.find("mandoc") else { return }
        for program in Self.programs {
            let page = Self.manualPage(program).path
            let lint = try Tool.run(mandoc, ["-T", "lint", page])
            // Whether another manual is installed, and indexed, depends on the machine.
            let findings = (lint.stdout + lint.stderr).split(separator: "\n").filter {
                !$0.contains("referenced manual not found") && !$0.contains("outdated mandoc.db")
            }
            #expect(findings.isEmpty, "mandoc -T lint \(page):\n\(findings.joined(separator: "\n"))")
            let rendered = try Tool.run(mandoc, ["-T", "utf8", page])
            let text = Self.withoutOverstrike(rendered.stdout)
            #expect(rendered.status == 0 && text.contains("SYNOPSIS") && text.contains("EXAMPLES"), "\(rendered.stderr)")
        }
    }

    /// Every option in `--help` is documented in the manual page.
    @Test func manualPagesDescribeEveryOption() throws {
        for program in Self.programs {
            let help = try Tool.run(DoshBinary.productsDirectory.appendingPathComponent(program).path, ["--help"])
            #expect(help.status == 0)
            let page = try String(contentsOf: Self.manualPage(program), encoding: .utf8)
            let options = Set(
                help.stdout.split(whereSeparator: { " ,\n<>[]".contains($0) })
                    .filter { $0.hasPrefix("-") && $0.count > 1 && $0.dropFirst().allSatisfy { $0.isLetter || $0 == "-" } })
            #expect(options.contains("-h") && options.contains("--help"), "\(help.stdout)")
            for option in options {
                let macro = "Fl " + option.dropFirst()
                #expect(
                    page.contains(macro + "\n") || page.contains(macro + " "),
                    "man/\(program).1 does not describe \(option)")
            }
        }
    }

    /// `make install` into a temporary prefix (the debug binaries, no build), every file in its
    /// place, the installed shell runs, and `make uninstall` leaves no file behind.
    @Test(arguments: [false, true]) func makeInstallAndUninstall(staged: Bool) throws {
        guard let make = Tool.find("make") else { return }
        let scratch = try makeScratchDirectory()
        defer { try? FileManager.default.removeItem(at: scratch) }
        let prefix = staged ? "/usr" : scratch.appendingPathComponent("prefix").path
        let root = staged ? scratch.path + prefix : prefix
        var variables = ["PREFIX=\(prefix)", "BUILDDIR=\(DoshBinary.productsDirectory.path)"]
        if staged { variables.append("DESTDIR=\(scratch.path)") }

        let install = try Tool.run(make, ["-s", "-C", DoshBinary.packageRoot.path, "install"] + variables)
        #expect(install.status == 0, "make install: \(install.stdout)\(install.stderr)")
        var expected: [String: (mode: Int, source: URL?)] = [:]
        for program in Self.programs {
            expected["bin/\(program)"] = (0o755, DoshBinary.productsDirectory.appendingPathComponent(program))
            expected["share/man/man1/\(program).1"] = (0o644, Self.manualPage(program))
            expected["share/bash-completion/completions/\(program)"] = (0o644, Self.completionScript(program, "bash"))
            expected["share/zsh/site-functions/_\(program)"] = (0o644, Self.completionScript(program, "zsh"))
            expected["share/fish/vendor_completions.d/\(program).fish"] = (0o644, Self.completionScript(program, "fish"))
        }
        #expect(Set(try Self.files(under: root)) == Set(expected.keys))
        for (path, file) in expected {
            let installed = root + "/" + path
            let attributes = try FileManager.default.attributesOfItem(atPath: installed)
            #expect((attributes[.posixPermissions] as? Int) == file.mode, "\(path)")
            if let source = file.source {
                #expect(FileManager.default.contentsEqual(atPath: installed, andPath: source.path), "\(path)")
            }
        }

        let plain = try Tool.run(root + "/bin/dosh", ["-c", "echo ok"])
        #expect(plain.stdout == "ok\n" && plain.status == 0, "\(plain.stdout)\(plain.stderr)")
        let withHost = try Tool.run(root + "/bin/dosh", ["--host", "local", "-c", "!echo host-ok"])
        #expect(withHost.stdout == "host-ok\n" && withHost.status == 0, "\(withHost.stdout)\(withHost.stderr)")
        let agent = try Tool.run(root + "/bin/doshd", ["--version"])
        #expect(agent.status == 0 && agent.stdout.hasPrefix("doshd "))

        let uninstall = try Tool.run(make, ["-s", "-C", DoshBinary.packageRoot.path, "uninstall"] + variables)
        #expect(uninstall.status == 0, "make uninstall: \(uninstall.stdout)\(uninstall.stderr)")
        #expect(try Self.files(under: root).isEmpty)
    }

    /// As systemd starts it from doshd.socket: the listening socket is fd 3, LISTEN_FDS=1 and
    /// LISTEN_PID is doshd's own pid. A real dosh connects to it and runs a host command.
    @Test func socketActivation() throws {
        guard let python = Tool.find("python3") else { return }
        let scratch = try makeScratchDirectory()
        defer { try? FileManager.default.removeItem(at: scratch) }
        // The unit's DirectoryMode=0700, SocketMode=0600.
        let directory = scratch.appendingPathComponent("dosh")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: false, attributes: [.posixPermissions: 0o700])
        let socket = directory.appendingPathComponent("doshd.sock").path

        // Python binds and listens, makes the socket fd 3, then becomes doshd (same pid).
        let activator = """
            import os, socket, sys
            path, doshd = sys.argv[1], sys.argv[2]
            listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            listener.bind(path)
            os.chmod(path, 0o600)
            listener.listen(16)
            os.dup2(listener.fileno(), 3)
            os.set_inheritable(3, True)  # a no-op dup2 when the socket is fd 3 already
            env = dict(os.environ, LISTEN_PID=str(os.getpid()), LISTEN_FDS="1", LISTEN_FDNAMES="doshd.socket")
            os.execve(doshd, [doshd, "--log-level", "info"], env)
            """
        let agent = Process()
        agent.executableURL = URL(fileURLWithPath: python)
        agent.arguments = ["-c", activator, socket, DoshBinary.productsDirectory.appendingPathComponent("doshd").path]
        agent.environment = ["HOME": scratch.path, "PATH": "/usr/local/bin:/usr/bin:/bin", "LC_ALL": "C"]
        let log = Pipe()
        agent.standardError = log
        agent.standardInput = FileHandle.nullDevice
        try agent.run()
        defer {
            if agent.isRunning { kill(agent.processIdentifier, SIGKILL) }
            agent.waitUntilExit()
        }
        for _ in 0..<250 where !FileManager.default.fileExists(atPath: socket) {
            usleep(20_000)
        }

        let result = try DoshBinary.run([
            "--host", "unix:" + socket, "-c",
            "!echo hi; !pwd; !sh -c 'echo ${LISTEN_FDS-none} ${LISTEN_PID-none} ${LISTEN_FDNAMES-none}'",
        ])
        #expect(result.stdout == "hi\n\(scratch.path)\nnone none none\n", "\(result.stdout)\(result.stderr)")
        #expect(result.status == 0)

        agent.terminate()
        agent.waitUntilExit()
        #expect(agent.terminationReason == .exit && agent.terminationStatus == 0)
        let messages = String(decoding: log.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        #expect(messages.contains("listening on unix:\(socket) (socket activation)"), "\(messages)")
        // The socket belongs to the service manager: the agent leaves it in place.
        #expect(FileManager.default.fileExists(atPath: socket))
    }

    /// Terminal text without the backspace overstrike that makes bold and underline.
    static func withoutOverstrike(_ text: String) -> String {
        var result: [Character] = []
        for character in text {
            if character == "\u{8}" {
                _ = result.popLast()
            } else {
                result.append(character)
            }
        }
        return String(result)
    }

    static func completionScript(_ program: String, _ shell: String) -> URL {
        DoshBinary.packageRoot.appendingPathComponent("completions/\(program).\(shell)")
    }

    static func manualPage(_ program: String) -> URL {
        DoshBinary.packageRoot.appendingPathComponent("man/\(program).1")
    }

    /// The regular files and links under `root`, relative to it.
    static func files(under root: String) throws -> [String] {
        guard let enumerator = FileManager.default.enumerator(atPath: root) else { return [] }
        var files: [String] = []
        while let path = enumerator.nextObject() as? String {
            var isDirectory: ObjCBool = false
            if FileManager.default.fileExists(atPath: root + "/" + path, isDirectory: &isDirectory), !isDirectory.boolValue {
                files.append(path)
            }
        }
        return files
    }
}

/// Programs the packaging tests use.
enum Tool {
    /// The program on PATH, or nil after printing why the test is skipped. In CI a missing
    /// program is a failure, not a skip: CI installs them all.
    static func find(_ name: String) -> String? {
        for directory in (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin").split(separator: ":") {
            let path = "\(directory)/\(name)"
            if FileManager.default.isExecutableFile(atPath: path) { return path }
        }
        if ProcessInfo.processInfo.environment["CI"] != nil {
            Issue.record("\(name) is not installed, and CI must not skip this test (.ci/run installs it)")
        } else {
            print("skipped: \(name) is not installed")
        }
        return nil
    }

    /// Runs a program with the test's environment and collects its output.
    static func run(_ path: String, _ arguments: [String], timeout: TimeInterval = 60) throws -> DoshRun {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: path)
        process.arguments = arguments
        var environment = ProcessInfo.processInfo.environment
        environment["LC_ALL"] = "C"
        // make's own variables from an outer make would change what the Makefile does.
        for name in ["MAKEFLAGS", "MAKELEVEL", "MFLAGS", "DESTDIR", "PREFIX", "BUILDDIR"] { environment[name] = nil }
        process.environment = environment
        return try DoshBinary.run(process: process, timeout: timeout)
    }
}
