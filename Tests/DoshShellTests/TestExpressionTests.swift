#if canImport(Glibc)
import DoshTestSupport
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Testing
@testable import DoshShell

/// A `test` invocation with bash 5.2's verdict: a status, or a syntax error message.
struct BashTestCase: Sendable, CustomTestStringConvertible {
    var arguments: [String]
    var status: Int32?
    var error: String?

    init(_ arguments: [String], _ status: Int32) {
        self.arguments = arguments
        self.status = status
    }

    init(_ arguments: [String], error: String) {
        self.arguments = arguments
        self.error = error
    }

    var testDescription: String { "test \(arguments)" }
}

private func outcome(_ arguments: [String], shell: TestShellQueries = TestShellQueries())
    -> Result<Int32, TestError>
{
    do throws(TestError) {
        return .success(try TestExpression.evaluate(arguments, shell: shell))
    } catch {
        return .failure(error)
    }
}

private let bashCases: [BashTestCase] = [
    BashTestCase(["99999999999999999999", "-eq", "1"], error: "99999999999999999999: integer expression expected"),
    BashTestCase(["-9223372036854775808", "-eq", "-9223372036854775808"], 0),
    BashTestCase(["9223372036854775807", "-gt", "-9223372036854775808"], 0),
    BashTestCase(["", "5", "", "-eq", "5"], error: "too many arguments"),
    BashTestCase(["0x10", "-eq", "16"], error: "0x10: integer expression expected"),
    BashTestCase(["010", "-eq", "10"], 0),
    BashTestCase(["+5", "-eq", "5"], 0),
    BashTestCase(["-", "-eq", "0"], error: "-: integer expression expected"),
    BashTestCase(["a", "b", "c"], error: "b: binary operator expected"),
    BashTestCase(["a", "b", "c", "d", "e"], error: "too many arguments"),
    BashTestCase(["-x"], 0),
    BashTestCase(["x", "y"], error: "x: unary operator expected"),
    BashTestCase(["-q", "y"], error: "-q: unary operator expected"),
    BashTestCase(["(", "a"], error: "(: unary operator expected"),
    BashTestCase(["(", "a", "b"], error: "a: binary operator expected"),
    BashTestCase(["(", "a", ")", "b"], error: "too many arguments"),
    BashTestCase(["(", ")"], error: "(: unary operator expected"),
    BashTestCase(["1", "-eq", "1", "-a"], error: "argument expected"),
    BashTestCase(["!", "!", "!", "a"], 1),
    BashTestCase(["a", "-a", "(", "b"], error: "`)' expected"),
    BashTestCase(["a", "-a", "(", "b", "c"], error: "`)' expected, found c"),
    BashTestCase(["(", "(", "a", ")", ")"], 0),
    BashTestCase(["-n"], 0),
    BashTestCase(["=", "=", "="], 0),
    BashTestCase(["a", "=", "b", "-o", "c"], 0),
    BashTestCase(["1", "-a", "0", "-a", ""], 1),
    BashTestCase(["-f", "/", "-o", "-d", "/"], 0),
    BashTestCase(["a", "<", "b"], 0),
    BashTestCase(["b", ">", "a"], 0),
    BashTestCase(["!", "-e", "/nonexist"], 0),
    BashTestCase(["x", "-nt", "y"], 1),
    BashTestCase(["/", "-nt", "/nonexist"], 0),
    BashTestCase(["/nonexist", "-ot", "/"], 0),
    BashTestCase(["/", "-ef", "/."], 0),
    BashTestCase(["a", "b", "c", "d"], error: "too many arguments"),
    BashTestCase(["!", "a", "b", "c"], error: "b: binary operator expected"),
    BashTestCase(["(", "a", "b", ")"], error: "a: unary operator expected"),
    BashTestCase(["(", "!", "a", ")"], 1),
    BashTestCase(["a", ")"], error: "a: unary operator expected"),
    BashTestCase(["-z", "a", "-o"], error: "a: binary operator expected"),
    BashTestCase(["a", "=", "b", "-x"], error: "syntax error: `-x' unexpected"),
    BashTestCase(["a", "=", "b", "-x", "y"], error: "syntax error: `-x' unexpected"),
    BashTestCase(["a", "=", "a", ")"], error: "too many arguments"),
    BashTestCase(["(", "a", "=", "a"], error: "`)' expected"),
    BashTestCase(["-e"], 0),
    BashTestCase(["!", "-e"], 1),
    BashTestCase(["1", "-eq"], error: "1: unary operator expected"),
    BashTestCase(["-eq", "1"], error: "-eq: unary operator expected"),
    BashTestCase(["!"], 0),
    BashTestCase(["("], 0),
    BashTestCase([")"], 0),
    BashTestCase(["!", "(", "a", ")"], 1),
    BashTestCase(["-h"], 0),
    BashTestCase(["1", "-eq", "1", "-a", "-h"], 0),
    BashTestCase(["2", "-lt", "10"], 0),
    BashTestCase(["a", "-lt", "10"], error: "a: integer expression expected"),
    BashTestCase(["1", "-eq", "1.0"], error: "1.0: integer expression expected"),
    BashTestCase(["(", "(", "("], error: "(: binary operator expected"),
    BashTestCase(["!", "!", "!", "!", "!"], error: "argument expected"),
    BashTestCase(["-k", "/tmp"], 0),
    BashTestCase(["-b", "/dev/null"], 1),
    BashTestCase(["-c", "/dev/null"], 0),
    BashTestCase(["-S", "/dev/log"], 1),
    BashTestCase(["-e", ""], 1),
    BashTestCase(["-f", ""], 1),
    BashTestCase(["-n", "a", "-a", "-z", "", "-o", "-n", "b"], 0),
    BashTestCase(["-z", "", "-a", "-z", ""], 0),
    BashTestCase(["!", "-z", "", "-o", "-n", ""], 1),
    BashTestCase(["a", "=", "a", "-a", "b", "!=", "c"], 0),
    BashTestCase(["(", "a", "=", "b", ")", "-o", "(", "c", "=", "c", ")"], 0),
    BashTestCase(["!", "(", "a", "=", "b", ")", "-a", "!", "(", "c", "=", "d", ")"], 0),
    BashTestCase(["-a", "-a", "-a"], 0),
    BashTestCase(["-o", "-o", "-o"], 0),
    BashTestCase(["-a"], 0),
    BashTestCase(["-o"], 0),
    BashTestCase(["-a", "-a"], 1),
    BashTestCase(["!", "-a"], 1),
    BashTestCase(["!", "-o", "b"], 0),
    BashTestCase(["-o", "-a", "-o"], 0),
    BashTestCase(["é", "=", "é"], 0),
    BashTestCase(["a", "==", "a"], 0),
    BashTestCase(["a", "!=", "a"], 1),
    BashTestCase(["A", "<", "a"], 0),
    BashTestCase(["a", ">", "A"], 0),
    BashTestCase(["ab", "<", "abc"], 0),
    BashTestCase(["-1", "-le", "0"], 0),
    BashTestCase(["1", "-ge", "2"], 1),
    BashTestCase(["(", "-n", ")"], 0),
    BashTestCase(["(", "-z", ")"], 0),
    BashTestCase(["(", "!", ")"], 0),
    BashTestCase(["x", "-a", "(", "y", "-o", "(", "z", ")", ")"], 0),
    BashTestCase(["-a", "a", "-x", "(", "-d", "!=", "(", ")"], error: "syntax error: `-x' unexpected"),
    BashTestCase(["1", ")", "-n", ")", "/", "1"], error: "too many arguments"),
    BashTestCase([], 1),
    BashTestCase(["-n"], 0),
    BashTestCase([], 1),
    BashTestCase(["(", "-n", "(", "/", "-o", "-eq"], error: "`)' expected, found /"),
    BashTestCase(["-o", "/", "-a", "-x", "-eq", "/"], error: "-x: integer expression expected"),
    BashTestCase(["-a", "-x"], 1),
    BashTestCase(["a", "-a", "/"], 0),
    BashTestCase(["-x"], 0),
    BashTestCase([], 1),
    BashTestCase(["-f", "-nt", "/"], 1),
    BashTestCase(["-e", "-lt", "2", "-x", "2", "a"], error: "-e: integer expression expected"),
]

@Test(arguments: bashCases)
func testMatchesBash(_ example: BashTestCase) {
    switch outcome(example.arguments) {
    case .success(let status):
        #expect(example.error == nil, "expected error \(example.error ?? "")")
        #expect(status == example.status)
    case .failure(let error):
        #expect(error.message == example.error)
    }
}

@Test func testByArgumentCount() throws {
    #expect(try TestExpression.evaluate([]) == 1)
    #expect(try TestExpression.evaluate([""]) == 1)
    #expect(try TestExpression.evaluate(["-n"]) == 0)
    #expect(try TestExpression.evaluate(["!", ""]) == 0)
    #expect(try TestExpression.evaluate(["-z", ""]) == 0)
    #expect(try TestExpression.evaluate(["!", "-z", ""]) == 1)
    #expect(try TestExpression.evaluate(["(", "x", ")"]) == 0)
    #expect(try TestExpression.evaluate(["!", "a", "=", "b"]) == 0)
    #expect(try TestExpression.evaluate(["(", "-n", "x", ")"]) == 0)
}

@Test func testPrecedenceOfAndOverOr() throws {
    // `-a` binds tighter: true -o (false -a false).
    #expect(try TestExpression.evaluate(["x", "-o", "", "-a", ""]) == 0)
    #expect(try TestExpression.evaluate(["(", "x", "-o", "", ")", "-a", ""]) == 1)
    #expect(try TestExpression.evaluate(["!", "(", "a", "=", "a", ")", "-o", "b", "=", "c"]) == 1)
}

@Test func testStringsCompareByBytes() throws {
    #expect(try TestExpression.evaluate(["B", "<", "a"]) == 0)
    #expect(try TestExpression.evaluate(["é", "=", "e\u{301}"]) == 1)
    #expect(try TestExpression.evaluate(["abc", ">", "ab"]) == 0)
}

@Test func testIntegers() throws {
    #expect(try TestExpression.evaluate([" -3 ", "-lt", "+2"]) == 0)
    #expect(try TestExpression.evaluate(["010", "-eq", "10"]) == 0)
    #expect(try TestExpression.evaluate(["-9223372036854775808", "-lt", "9223372036854775807"]) == 0)
    #expect(throws: TestError("9223372036854775808: integer expression expected")) {
        try TestExpression.evaluate(["9223372036854775808", "-gt", "0"])
    }
    #expect(throws: TestError("abc: integer expression expected")) {
        try TestExpression.evaluate(["1", "-eq", "abc"])
    }
}

@Test func testShellQueries() throws {
    let shell = TestShellQueries(
        isVariableSet: { $0 == "HOME" },
        isOptionEnabled: { $0 == "errexit" ? true : $0 == "xtrace" ? false : nil })
    #expect(try TestExpression.evaluate(["-v", "HOME"], shell: shell) == 0)
    #expect(try TestExpression.evaluate(["-v", "NOPE"], shell: shell) == 1)
    #expect(try TestExpression.evaluate(["-o", "errexit"], shell: shell) == 0)
    #expect(try TestExpression.evaluate(["-o", "xtrace"], shell: shell) == 1)
    #expect(try TestExpression.evaluate(["-o", "unknown"], shell: shell) == 1)
    #expect(try TestExpression.evaluate(["-v", "HOME"]) == 1)
}

@Test func testTerminalPrimary() throws {
    var pipeEnds: [Int32] = [0, 0]
    #expect(pipe(&pipeEnds) == 0)
    defer { close(pipeEnds[0]); close(pipeEnds[1]) }
    #expect(try TestExpression.evaluate(["-t", String(pipeEnds[0])]) == 1)
    #expect(try TestExpression.evaluate(["-t", "x"]) == 1)
    #expect(try TestExpression.evaluate(["-t"]) == 0)
}

/// A scratch directory with one file of each kind the primaries ask about.
private final class Scratch {
    let path: String

    init() {
        path = (try? makeScratchPath()) ?? "/tmp"
        create("empty", contents: "", mode: 0o644)
        create("data", contents: "hello\n", mode: 0o600)
        create("tool", contents: "#!/bin/sh\n", mode: 0o755)
        create("setuid", contents: "", mode: 0o4755)
        create("sticky", contents: "", mode: 0o1644)
        create("setgid", contents: "", mode: 0o2644)
        mkdir(path + "/dir", 0o755)
        symlink("data", path + "/link")
        symlink("missing", path + "/dangling")
        mkfifo(path + "/fifo", 0o644)
        setModificationTime("empty", seconds: 1_000_000_000)
        setModificationTime("data", seconds: 1_500_000_000)
    }

    func file(_ name: String) -> String { path + "/" + name }

    private func create(_ name: String, contents: String, mode: mode_t) {
        let fd = open(file(name), O_WRONLY | O_CREAT | O_TRUNC, mode)
        guard fd >= 0 else { return }
        _ = contents.withCString { write(fd, $0, strlen($0)) }
        close(fd)
        chmod(file(name), mode)
    }

    private func setModificationTime(_ name: String, seconds: Int) {
        var times = [timespec(tv_sec: seconds, tv_nsec: 0), timespec(tv_sec: seconds, tv_nsec: 0)]
        utimensat(AT_FDCWD, file(name), &times, 0)
    }

    deinit {
        for name in ["empty", "data", "tool", "setuid", "sticky", "setgid", "link", "dangling", "fifo"] {
            unlink(file(name))
        }
        rmdir(file("dir"))
        rmdir(path)
    }
}

@Test func testFilePrimaries() throws {
    let scratch = Scratch()
    func check(_ op: String, _ name: String) throws -> Bool {
        try TestExpression.evaluate([op, scratch.file(name)]) == 0
    }
    #expect(try check("-e", "data"))
    #expect(try check("-a", "data"))
    #expect(try !check("-e", "nothing"))
    #expect(try !check("-e", "dangling"))
    #expect(try check("-f", "data"))
    #expect(try check("-f", "link"))
    #expect(try !check("-f", "dir"))
    #expect(try check("-d", "dir"))
    #expect(try check("-h", "link"))
    #expect(try check("-L", "dangling"))
    #expect(try !check("-L", "data"))
    #expect(try check("-p", "fifo"))
    #expect(try !check("-p", "data"))
    #expect(try check("-s", "data"))
    #expect(try !check("-s", "empty"))
    #expect(try check("-u", "setuid"))
    #expect(try !check("-u", "data"))
    #expect(try check("-g", "setgid"))
    #expect(try check("-k", "sticky"))
    #expect(try check("-x", "tool"))
    #expect(try check("-x", "dir"))
    #expect(try !check("-x", "data"))
    #expect(try check("-r", "data"))
    #expect(try check("-w", "data"))
    #expect(try check("-O", "data"))
    #expect(try check("-G", "data"))
    #expect(try TestExpression.evaluate(["-c", "/dev/null"]) == 0)
    #expect(try TestExpression.evaluate(["-b", "/dev/null"]) == 1)
    #expect(try TestExpression.evaluate(["-f", ""]) == 1)
}

@Test func testFileComparisons() throws {
    let scratch = Scratch()
    let data = scratch.file("data")
    let empty = scratch.file("empty")
    let missing = scratch.file("missing")
    #expect(try TestExpression.evaluate([data, "-nt", empty]) == 0)
    #expect(try TestExpression.evaluate([empty, "-nt", data]) == 1)
    #expect(try TestExpression.evaluate([empty, "-ot", data]) == 0)
    #expect(try TestExpression.evaluate([data, "-nt", missing]) == 0)
    #expect(try TestExpression.evaluate([missing, "-ot", data]) == 0)
    #expect(try TestExpression.evaluate([missing, "-nt", missing]) == 1)
    #expect(try TestExpression.evaluate([scratch.file("link"), "-ef", data]) == 0)
    #expect(try TestExpression.evaluate([empty, "-ef", data]) == 1)
}

@Test func testNeverCrashesOnRandomArguments() {
    var random = SeededGenerator(state: 0x7E57)
    let words = [
        "!", "(", ")", "-a", "-o", "=", "==", "!=", "<", ">", "-n", "-z", "-eq", "-ne", "-lt",
        "-ge", "-nt", "-ot", "-ef", "-t", "-f", "-d", "-e", "-x", "-v", "", "a", "1", "-1",
        "99999999999999999999", "/", "/nonexistent", "-", "--", "]",
    ]
    for _ in 0..<5000 {
        var arguments: [String] = []
        for _ in 0..<Int.random(in: 0...9, using: &random) {
            arguments.append(words.randomElement(using: &random) ?? "")
        }
        switch outcome(arguments) {
        case .success(let status): #expect(status == 0 || status == 1)
        case .failure(let error): #expect(!error.message.isEmpty)
        }
    }
}
