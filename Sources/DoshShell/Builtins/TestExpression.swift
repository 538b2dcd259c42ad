#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// A syntax error in a `test` expression (exit status 2).
public struct TestError: Error, Equatable, Sendable {
    /// The reason, without the command name, e.g. `abc: integer expression expected`
    /// (the caller writes `dosh: test: …` or `dosh: [: …`).
    public var message: String

    public init(_ message: String) {
        self.message = message
    }
}

/// What `test` asks the shell itself: `-v NAME` and `-o OPTION`.
public struct TestShellQueries {
    /// Whether the variable `NAME` is set (`-v NAME`).
    public var isVariableSet: (String) -> Bool
    /// Whether the option named by `set -o NAME` is on; nil for an unknown option (`-o NAME`).
    public var isOptionEnabled: (String) -> Bool?

    public init(
        isVariableSet: @escaping (String) -> Bool = { _ in false },
        isOptionEnabled: @escaping (String) -> Bool? = { _ in nil }
    ) {
        self.isVariableSet = isVariableSet
        self.isOptionEnabled = isOptionEnabled
    }
}

/// The `test` and `[` builtins' expression evaluator, following bash.
///
/// Up to four arguments are read by the POSIX rules that depend on the argument count; longer
/// expressions by a precedence parser (`-o` < `-a` < `!` < primaries and parentheses).
/// Strings compare byte by byte; integers are decimal with optional blanks around them and a
/// sign; file primaries use `stat`, `lstat` and `faccessat` with the effective ids.
public enum TestExpression {
    /// Evaluates `test` arguments (without a trailing `]`; the `[` builtin strips it and reports
    /// a missing `]` itself). Returns 0 (true) or 1 (false); throws for a syntax error (status 2).
    public static func evaluate(_ arguments: [String]) throws(TestError) -> Int32 {
        try evaluate(arguments, shell: TestShellQueries())
    }

    /// Evaluates `test` arguments, answering `-v` and `-o` from `shell`.
    public static func evaluate(_ arguments: [String], shell: TestShellQueries) throws(TestError)
        -> Int32
    {
        var parser = TestParser(arguments: arguments, shell: shell)
        return try parser.evaluate() ? 0 : 1
    }

    static let unaryOperators: Set<String> = [
        "-a", "-b", "-c", "-d", "-e", "-f", "-g", "-h", "-k", "-L", "-n", "-N", "-o", "-O", "-G",
        "-p", "-r", "-R", "-s", "-S", "-t", "-u", "-v", "-w", "-x", "-z",
    ]

    static let binaryOperators: Set<String> = [
        "=", "==", "!=", "<", ">", "-nt", "-ot", "-ef", "-eq", "-ne", "-lt", "-le", "-gt", "-ge",
    ]
}

private struct TestParser {
    let arguments: [String]
    let shell: TestShellQueries
    var position = 0

    init(arguments: [String], shell: TestShellQueries) {
        self.arguments = arguments
        self.shell = shell
    }

    mutating func evaluate() throws(TestError) -> Bool {
        let value: Bool
        let count = arguments.count
        switch count {
        case 0:
            value = false
        case 1:
            value = !arguments[0].isEmpty
        case 2:
            value = try twoArguments(at: 0)
        case 3:
            value = try threeArguments(at: 0)
        case 4 where arguments[0] == "!":
            value = try !threeArguments(at: 1)
        case 4 where arguments[0] == "(" && arguments[3] == ")":
            value = try twoArguments(at: 1)
        default:
            value = try expression()
            if position < count {
                if arguments[position].hasPrefix("-") {
                    throw TestError("syntax error: `\(arguments[position])' unexpected")
                }
                throw TestError("too many arguments")
            }
        }
        return value
    }

    // MARK: POSIX rules by argument count

    private func twoArguments(at base: Int) throws(TestError) -> Bool {
        let first = arguments[base]
        let second = arguments[base + 1]
        if first == "!" { return second.isEmpty }
        guard TestExpression.unaryOperators.contains(first) else {
            throw TestError("\(first): unary operator expected")
        }
        return try unary(first, second)
    }

    private func threeArguments(at base: Int) throws(TestError) -> Bool {
        let first = arguments[base]
        let middle = arguments[base + 1]
        let last = arguments[base + 2]
        if TestExpression.binaryOperators.contains(middle) {
            return try binary(first, middle, last)
        }
        if middle == "-a" { return !first.isEmpty && !last.isEmpty }
        if middle == "-o" { return !first.isEmpty || !last.isEmpty }
        if first == "!" { return try !twoArguments(at: base + 1) }
        if first == "(" && last == ")" { return !middle.isEmpty }
        throw TestError("\(middle): binary operator expected")
    }

    // MARK: The general grammar

    private mutating func expression() throws(TestError) -> Bool {
        let left = try conjunction()
        guard position < arguments.count, arguments[position] == "-o" else { return left }
        position += 1
        let right = try expression()
        return left || right
    }

    private mutating func conjunction() throws(TestError) -> Bool {
        let left = try term()
        guard position < arguments.count, arguments[position] == "-a" else { return left }
        position += 1
        let right = try conjunction()
        return left && right
    }

    private mutating func term() throws(TestError) -> Bool {
        let count = arguments.count
        guard position < count else { throw TestError("argument expected") }
        if arguments[position] == "!" {
            var negate = false
            while position < count, arguments[position] == "!" {
                negate.toggle()
                position += 1
            }
            let value = try term()
            return negate ? !value : value
        }
        if arguments[position] == "(" {
            position += 1
            let value = try expression()
            guard position < count else { throw TestError("`)' expected") }
            guard arguments[position] == ")" else {
                throw TestError("`)' expected, found \(arguments[position])")
            }
            position += 1
            return value
        }
        if position + 3 <= count, TestExpression.binaryOperators.contains(arguments[position + 1]) {
            defer { position += 3 }
            return try binary(arguments[position], arguments[position + 1], arguments[position + 2])
        }
        if position + 2 <= count, TestExpression.unaryOperators.contains(arguments[position]) {
            let op = arguments[position]
            let operand = arguments[position + 1]
            // `-t` takes a following word only when it is a number.
            if op == "-t" && TestIntegers.parse(operand) == nil {
                position += 1
                return false
            }
            position += 2
            return try unary(op, operand)
        }
        defer { position += 1 }
        return !arguments[position].isEmpty
    }

    // MARK: Primaries

    private func unary(_ op: String, _ operand: String) throws(TestError) -> Bool {
        switch op {
        case "-n": return !operand.isEmpty
        case "-z": return operand.isEmpty
        case "-t":
            guard let fd = TestIntegers.parse(operand), let descriptor = Int32(exactly: fd) else {
                return false
            }
            return isatty(descriptor) == 1
        case "-v": return shell.isVariableSet(operand)
        case "-o": return shell.isOptionEnabled(operand) ?? false
        case "-R": return false
        case "-r": return FileProbe.accessible(operand, mode: R_OK)
        case "-w": return FileProbe.accessible(operand, mode: W_OK)
        case "-x": return FileProbe.accessible(operand, mode: X_OK)
        case "-h", "-L":
            guard let info = FileProbe.linkStatus(operand) else { return false }
            return FileProbe.type(info) == S_IFLNK
        default:
            guard let info = FileProbe.status(operand) else { return false }
            return FileProbe.test(op, info)
        }
    }

    private func binary(_ left: String, _ op: String, _ right: String) throws(TestError) -> Bool {
        switch op {
        case "=", "==": return Array(left.utf8) == Array(right.utf8)
        case "!=": return Array(left.utf8) != Array(right.utf8)
        case "<": return Array(left.utf8).lexicographicallyPrecedes(Array(right.utf8))
        case ">": return Array(right.utf8).lexicographicallyPrecedes(Array(left.utf8))
        case "-nt", "-ot":
            let leftInfo = FileProbe.status(left)
            let rightInfo = FileProbe.status(right)
            let (newer, older) = op == "-nt" ? (leftInfo, rightInfo) : (rightInfo, leftInfo)
            // A file that exists is newer than one that does not.
            guard let newer else { return false }
            guard let older else { return true }
            return FileProbe.modificationTime(newer) > FileProbe.modificationTime(older)
        case "-ef":
            guard let leftInfo = FileProbe.status(left), let rightInfo = FileProbe.status(right)
            else { return false }
            return leftInfo.st_dev == rightInfo.st_dev && leftInfo.st_ino == rightInfo.st_ino
        default:
            guard let a = TestIntegers.parse(left) else {
                throw TestError("\(left): integer expression expected")
            }
            guard let b = TestIntegers.parse(right) else {
                throw TestError("\(right): integer expression expected")
            }
            return TestIntegers.compare(a, op, b)
        }
    }
}

/// Integers as `test` reads them: decimal, optional blanks around, optional sign.
enum TestIntegers {
    /// `a OP b` for the integer operators `-eq -ne -lt -le -gt -ge` (of `test` and `[[`).
    static func compare<Number: Comparable>(_ a: Number, _ op: String, _ b: Number) -> Bool {
        switch op {
        case "-eq": return a == b
        case "-ne": return a != b
        case "-lt": return a < b
        case "-le": return a <= b
        case "-gt": return a > b
        default: return a >= b
        }
    }

    static func parse(_ text: String) -> Int64? {
        var bytes = Array(text.utf8)[...]
        let blanks: Set<UInt8> = [0x20, 0x09, 0x0A, 0x0B, 0x0C, 0x0D]
        while let first = bytes.first, blanks.contains(first) { bytes.removeFirst() }
        while let last = bytes.last, blanks.contains(last) { bytes.removeLast() }
        var negative = false
        if let sign = bytes.first, sign == UInt8(ascii: "-") || sign == UInt8(ascii: "+") {
            negative = sign == UInt8(ascii: "-")
            bytes.removeFirst()
        }
        guard !bytes.isEmpty else { return nil }
        var value: Int64 = 0
        for byte in bytes {
            guard (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) else { return nil }
            let digit = Int64(byte - UInt8(ascii: "0"))
            let (times10, overflow1) = value.multipliedReportingOverflow(by: 10)
            // Accumulate negatively so that Int64.min is representable.
            let (next, overflow2) = negative
                ? times10.subtractingReportingOverflow(digit)
                : times10.addingReportingOverflow(digit)
            if overflow1 || overflow2 { return nil }
            value = next
        }
        return value
    }
}

/// File attribute queries for the file primaries.
enum FileProbe {
    static func status(_ path: String) -> stat? {
        var info = stat()
        return stat(path, &info) == 0 ? info : nil
    }

    static func linkStatus(_ path: String) -> stat? {
        var info = stat()
        return lstat(path, &info) == 0 ? info : nil
    }

    static func accessible(_ path: String, mode: Int32) -> Bool {
        faccessat(AT_FDCWD, path, mode, AT_EACCESS) == 0
    }

    static func type(_ info: stat) -> mode_t {
        info.st_mode & S_IFMT
    }

    static func modificationTime(_ info: stat) -> (Int, Int) {
        (Int(info.st_mtim.tv_sec), Int(info.st_mtim.tv_nsec))
    }

    /// The primaries answered from `stat` alone.
    static func test(_ op: String, _ info: stat) -> Bool {
        let mode = info.st_mode
        switch op {
        case "-a", "-e": return true
        case "-f": return type(info) == S_IFREG
        case "-d": return type(info) == S_IFDIR
        case "-b": return type(info) == S_IFBLK
        case "-c": return type(info) == S_IFCHR
        case "-p": return type(info) == S_IFIFO
        case "-S": return type(info) == S_IFSOCK
        case "-s": return info.st_size > 0
        case "-g": return mode & S_ISGID != 0
        case "-u": return mode & S_ISUID != 0
        case "-k": return mode & S_ISVTX != 0
        case "-O": return info.st_uid == geteuid()
        case "-G": return info.st_gid == getegid()
        case "-N":
            let accessed = (Int(info.st_atim.tv_sec), Int(info.st_atim.tv_nsec))
            return modificationTime(info) > accessed
        default: return false
        }
    }
}
