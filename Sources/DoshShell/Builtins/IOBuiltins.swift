import DoshSystem

#if canImport(Glibc)
    import Glibc
#endif
import SystemPackage

/// `echo`, `printf`, `read`, `test`/`[`.
extension Shell {
    func echoBuiltin(_ arguments: [String]) throws(Unwind) -> Int32 {
        try writeOutput(bytes: EchoArguments.render(arguments))
        return 0
    }

    func printfBuiltin(_ arguments: [String]) throws(Unwind) -> Int32 {
        var operands = arguments[...]
        if operands.first == "--" { operands = operands.dropFirst() }
        guard let format = operands.first else {
            return usageError("printf", "usage: printf format [arguments]")
        }
        let result = PrintfFormatter.format(format, arguments: Array(operands.dropFirst()))
        try writeOutput(bytes: result.output)
        for error in result.errors { report(error) }
        return result.status
    }

    func testBuiltin(_ arguments: [String], bracket: Bool) throws(Unwind) -> Int32 {
        var operands = arguments
        if bracket {
            guard operands.last == "]" else {
                report("[: missing `]'")
                return 2
            }
            operands.removeLast()
        }
        do {
            return try TestExpression.evaluate(operands)
        } catch {
            report("\(bracket ? "[" : "test"): \(error.message)")
            return 2
        }
    }

    /// `read [-r] [-p prompt] [name…]`: one line from standard input, split by IFS.
    func readBuiltin(_ arguments: [String]) throws(Unwind) -> Int32 {
        var raw = false
        var prompt: String? = nil
        var delimiter = UInt8(ascii: "\n")
        var index = 0
        while index < arguments.count, arguments[index].hasPrefix("-"), arguments[index].count > 1 {
            let option = arguments[index]
            index += 1
            if option == "--" { break }
            switch option {
            case "-r": raw = true
            case "-p":
                guard index < arguments.count else { return usageError("read", "-p: option requires an argument") }
                prompt = arguments[index]
                index += 1
            case "-d":
                guard index < arguments.count else { return usageError("read", "-d: option requires an argument") }
                delimiter = arguments[index].utf8.first ?? 0
                index += 1
            default:
                if option.dropFirst().allSatisfy({ $0 == "r" }) {
                    raw = true
                } else {
                    return usageError("read", "\(option): invalid option")
                }
            }
        }
        var names = Array(arguments[index...])
        if names.isEmpty { names = ["REPLY"] }
        for name in names where !isValidName(name) {
            report("read: `\(name)': not a valid identifier")
            return 2
        }
        if let prompt, isatty(0) != 0 { writeError(prompt) }

        // Read byte by byte: the rest of the input belongs to whoever reads next.
        var line: [UInt8] = []
        var reachedDelimiter = false
        let input = FileDescriptor.standardInput
        while true {
            let byte: [UInt8]
            do {
                byte = try input.readSome(upTo: 1)
            } catch {
                if error == .interrupted {
                    // Ctrl-C at the prompt abandons the line; a trapped signal ends the read
                    // with 128+N (bash), its trap runs next.
                    try checkInterrupt()
                    if let signal = Signals.firstPending, traps.action(for: signal) != nil { return 128 + signal }
                    continue
                }
                report("read: \(error.message)")
                return 1
            }
            guard let value = byte.first else { break }
            if !raw && value == UInt8(ascii: "\\") {
                let next = (try? input.readSome(upTo: 1)) ?? []
                guard let escaped = next.first else { break }
                if escaped == UInt8(ascii: "\n") { continue }
                // A backslash-escaped character is kept literally, marked so IFS does not split it.
                line.append(0)
                line.append(escaped)
                continue
            }
            if value == delimiter {
                reachedDelimiter = true
                break
            }
            line.append(value)
        }
        let fields = splitForRead(line, count: names.count)
        for (position, name) in names.enumerated() {
            let value = position < fields.count ? fields[position] : ""
            do {
                try assignVariable(name, value)
            } catch {
                report("read: \(name): \(error.message)")
                return 2
            }
        }
        return reachedDelimiter ? 0 : 1
    }

    /// Splits a line read by `read` into at most `count` fields by IFS; the last field takes the
    /// rest of the line (minus trailing IFS whitespace). A 0 byte marks the next byte as escaped.
    private func splitForRead(_ line: [UInt8], count: Int) -> [String] {
        let ifs = Array((variables.value("IFS") ?? " \t\n").utf8)
        let isWhitespace = { (byte: UInt8) in
            ifs.contains(byte) && (byte == UInt8(ascii: " ") || byte == UInt8(ascii: "\t") || byte == UInt8(ascii: "\n"))
        }
        var fields: [[UInt8]] = []
        var current: [UInt8] = []
        var currentEscaped: [Bool] = []
        var index = 0
        // Leading IFS whitespace is skipped.
        while index < line.count, isWhitespace(line[index]) { index += 1 }
        var lastWasEscaped = false
        while index < line.count {
            var byte = line[index]
            var escaped = false
            if byte == 0, index + 1 < line.count {
                index += 1
                byte = line[index]
                escaped = true
            }
            index += 1
            if !escaped && ifs.contains(byte) && fields.count < count - 1 {
                fields.append(current)
                current = []
                currentEscaped = []
                // Whitespace around a delimiter belongs to it.
                while index < line.count, isWhitespace(line[index]) { index += 1 }
                if !isWhitespace(byte), index < line.count, !isWhitespace(line[index]) {
                    // a non-whitespace delimiter: already consumed
                }
                if isWhitespace(byte), index < line.count, line[index] != 0, ifs.contains(line[index]), !isWhitespace(line[index]) {
                    index += 1
                    while index < line.count, isWhitespace(line[index]) { index += 1 }
                }
                continue
            }
            current.append(byte)
            currentEscaped.append(escaped)
            lastWasEscaped = escaped
        }
        // Trailing IFS whitespace of the last field is dropped (but not an escaped one).
        if !lastWasEscaped {
            while let last = current.last, isWhitespace(last) {
                current.removeLast()
                currentEscaped.removeLast()
            }
        }
        // The rest of the line that is one field and its delimiter (`b:` of `a:b:`) loses the
        // delimiter, as in dash and bash: it would split into that one field.
        if fields.count == count - 1, let last = current.last, currentEscaped.last == false,
            ifs.contains(last), !isWhitespace(last)
        {
            var candidate = current.count - 1
            while candidate > 0, !currentEscaped[candidate - 1], isWhitespace(current[candidate - 1]) { candidate -= 1 }
            let hasDelimiter = (0..<candidate).contains { !currentEscaped[$0] && ifs.contains(current[$0]) }
            if !hasDelimiter { current.removeLast(current.count - candidate) }
        }
        if !current.isEmpty || fields.count < count { fields.append(current) }
        return fields.map { String(decoding: $0, as: UTF8.self) }
    }
}
