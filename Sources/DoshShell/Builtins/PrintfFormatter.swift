#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// What one run of `printf` produced.
public struct PrintfResult: Sendable, Equatable {
    /// The bytes to write to standard output (not necessarily UTF-8: `\377` is one byte).
    public var output: [UInt8]
    /// Diagnostics in the order they arose, each like `printf: abc: invalid number`
    /// (the caller adds the shell's name in front).
    public var errors: [String]
    /// 0, or 1 after an invalid number or an invalid format.
    public var status: Int32

    public init(output: [UInt8], errors: [String], status: Int32) {
        self.output = output
        self.errors = errors
        self.status = status
    }
}

/// The `printf` utility as bash implements it.
///
/// - Backslash escapes in the format: `\\ \a \b \e \E \f \n \r \t \v \" \' \?`, `\NNN`
///   (1–3 octal digits), `\xHH`, `\uHHHH`, `\UHHHHHHHH`.
/// - Conversions `%d %i %o %u %x %X %c %s %b %q %Q %e %E %f %F %g %G %a %A %(fmt)T %%` with flags
///   `- + space # 0 '`, width, precision, and `*` taking either from the arguments. Length
///   modifiers (`h l L j t z`) are accepted and ignored.
/// - The format is reused while arguments remain; missing arguments read as empty or zero.
/// - Numbers may be decimal, octal (`017`), hexadecimal (`0x1f`) or `'c` (the character's code).
///   An invalid number is reported, its parsable prefix is used, and the status becomes 1;
///   an out-of-range number is clamped with a warning. Strings are measured in bytes.
public enum PrintfFormatter {
    /// Runs `printf format arguments…`.
    public static func format(_ format: String, arguments: [String]) -> PrintfResult {
        var run = PrintfRun(format: Array(format.utf8), arguments: arguments)
        run.run()
        return PrintfResult(output: run.output, errors: run.errors, status: run.status)
    }

    /// Widths and precisions are capped here so that a typo cannot make the shell allocate
    /// gigabytes (bash would try).
    static let maximumFieldWidth = 1 << 24
}

// Floating conversions use the C library with the widest float it offers, as bash does
// (`long double`), so `%.20f` and `%a` print exactly what bash prints.
#if arch(x86_64) || arch(i386)
private typealias PrintfFloat = Float80
private let floatLengthModifier = "L"
private func parseFloat(
    _ text: UnsafePointer<CChar>, _ end: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>
) -> PrintfFloat {
    strtold(text, end)
}
#else
private typealias PrintfFloat = Double
private let floatLengthModifier = ""
private func parseFloat(
    _ text: UnsafePointer<CChar>, _ end: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>
) -> PrintfFloat {
    strtod(text, end)
}
#endif

private let percent = UInt8(ascii: "%")
private let backslash = UInt8(ascii: "\\")
private let space = UInt8(ascii: " ")

/// One conversion specification, with `*` values already taken from the arguments.
private struct ConversionSpec {
    var flags: [UInt8] = []
    var width: Int?
    var precision: Int?

    var leftAligned: Bool { flags.contains(UInt8(ascii: "-")) }

    /// The C format for this spec with `modifier` and `conversion` at its end.
    func cFormat(modifier: String, conversion: UInt8) -> String {
        var text = "%" + String(decoding: flags, as: UTF8.self)
        if let width { text += String(width) }
        if let precision { text += "." + String(precision) }
        return text + modifier + String(UnicodeScalar(conversion))
    }

    /// `bytes` cut to the precision and padded with spaces to the width.
    func field(_ bytes: [UInt8]) -> [UInt8] {
        var text = bytes
        if let precision, precision < text.count { text.removeSubrange(precision...) }
        guard let width, text.count < width else { return text }
        let fill = [UInt8](repeating: space, count: width - text.count)
        return leftAligned ? text + fill : fill + text
    }
}

/// The state of one `printf` invocation.
private struct PrintfRun {
    let format: [UInt8]
    let arguments: [String]
    var nextArgument = 0
    var output: [UInt8] = []
    var errors: [String] = []
    var status: Int32 = 0
    /// Set by `\c` in `%b` and by format errors: nothing more is written.
    var finished = false

    init(format: [UInt8], arguments: [String]) {
        self.format = format
        self.arguments = arguments
    }

    mutating func run() {
        repeat {
            let firstUnused = nextArgument
            formatOnce()
            // A format that consumes nothing would repeat forever.
            if finished || nextArgument == firstUnused { break }
        } while nextArgument < arguments.count
    }

    private mutating func formatOnce() {
        var index = 0
        while index < format.count, !finished {
            switch format[index] {
            case backslash:
                let step = BackslashEscapes.decode(
                    format, at: index, dialect: .printfFormat, into: &output)
                if let error = step.error { errors.append("printf: " + error) }
                index = step.next
            case percent:
                index = convert(at: index)
            default:
                output.append(format[index])
                index += 1
            }
        }
    }

    // MARK: Conversions

    /// Handles the conversion starting with the `%` at `start`; returns the index after it.
    private mutating func convert(at start: Int) -> Int {
        var index = start + 1
        if index < format.count, format[index] == percent {
            output.append(percent)
            return index + 1
        }
        var spec = ConversionSpec()
        while index < format.count, Self.flagBytes.contains(format[index]) {
            if !spec.flags.contains(format[index]) { spec.flags.append(format[index]) }
            index += 1
        }
        if index < format.count, format[index] == UInt8(ascii: "*") {
            index += 1
            let width = fieldArgument()
            if width < 0 {
                if !spec.leftAligned { spec.flags.append(UInt8(ascii: "-")) }
                spec.width = -width
            } else {
                spec.width = width
            }
        } else if let (width, end) = literalNumber(at: index) {
            spec.width = width
            index = end
        }
        if index < format.count, format[index] == UInt8(ascii: ".") {
            index += 1
            if index < format.count, format[index] == UInt8(ascii: "*") {
                index += 1
                let precision = fieldArgument()
                spec.precision = precision >= 0 ? precision : nil
            } else if let (precision, end) = literalNumber(at: index) {
                spec.precision = precision
                index = end
            } else {
                spec.precision = 0
            }
        }
        while index < format.count, Self.lengthModifierBytes.contains(format[index]) {
            index += 1
        }
        guard index < format.count else {
            let text = String(decoding: format[start...], as: UTF8.self)
            fail("printf: `\(text)': missing format character")
            return index
        }

        let conversion = format[index]
        index += 1
        if Self.knownConversions.contains(conversion) {
            spec = capped(spec, precisionPads: Self.numericConversions.contains(conversion))
        }
        switch conversion {
        case UInt8(ascii: "d"), UInt8(ascii: "i"):
            let value = signedArgument()
            output += cFormatted(spec.cFormat(modifier: "ll", conversion: conversion), value)
        case UInt8(ascii: "o"), UInt8(ascii: "u"), UInt8(ascii: "x"), UInt8(ascii: "X"):
            let value = unsignedArgument()
            output += cFormatted(spec.cFormat(modifier: "ll", conversion: conversion), value)
        case UInt8(ascii: "e"), UInt8(ascii: "E"), UInt8(ascii: "f"), UInt8(ascii: "F"),
            UInt8(ascii: "g"), UInt8(ascii: "G"), UInt8(ascii: "a"), UInt8(ascii: "A"):
            let value = floatArgument()
            let cFormat = spec.cFormat(modifier: floatLengthModifier, conversion: conversion)
            output += cFormatted(cFormat, value)
        case UInt8(ascii: "c"):
            // bash prints the first byte, and a NUL byte for a missing or empty argument.
            let first = takeArgument()?.utf8.first ?? 0
            var character = spec
            character.precision = nil
            output += character.field([first])
        case UInt8(ascii: "s"):
            output += spec.field(Array((takeArgument() ?? "").utf8))
        case UInt8(ascii: "b"):
            let (expanded, stops) = expandEscapes(takeArgument() ?? "")
            output += spec.field(expanded)
            if stops { finished = true }
        case UInt8(ascii: "q"):
            output += spec.field(ShellQuoting.quote(Array((takeArgument() ?? "").utf8)))
        case UInt8(ascii: "Q"):
            // The precision limits the argument, not its quoted form.
            var argument = Array((takeArgument() ?? "").utf8)
            if let precision = spec.precision, precision < argument.count {
                argument.removeSubrange(precision...)
            }
            var quoted = spec
            quoted.precision = nil
            output += quoted.field(ShellQuoting.quote(argument))
        case UInt8(ascii: "("):
            guard let close = format[index...].firstIndex(of: UInt8(ascii: ")")) else {
                let text = String(decoding: format[start...], as: UTF8.self)
                fail("printf: `\(text)': missing time format specification")
                return format.count
            }
            guard close + 1 < format.count, format[close + 1] == UInt8(ascii: "T") else {
                let text = String(decoding: format[start...min(close + 1, format.count - 1)], as: UTF8.self)
                fail("printf: `\(text)': invalid time format specification")
                return format.count
            }
            let timeFormat = Array(format[index..<close])
            let seconds = takeArgument().map { parseSigned($0) } ?? -1
            output += spec.field(TimeFormatting.format(timeFormat, seconds: seconds))
            index = close + 2
        default:
            let text = String(decoding: [conversion], as: UTF8.self)
            fail("printf: `\(text)': invalid format character")
        }
        return index
    }

    private static let knownConversions: Set<UInt8> = Set("diouxXeEfFgGaAcsbqQ(".utf8)
    private static let numericConversions: Set<UInt8> = Set("diouxXeEfFgGaA".utf8)
    private static let flagBytes: Set<UInt8> = Set("-+ #0'".utf8)
    private static let lengthModifierBytes: Set<UInt8> = Set("hlLjtz".utf8)

    private mutating func fail(_ message: String) {
        errors.append(message)
        status = 1
        finished = true
    }

    /// Reads a decimal width or precision written in the format (clamped like bash's `int`).
    private func literalNumber(at start: Int) -> (Int, Int)? {
        var index = start
        var value = 0
        while index < format.count, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(format[index]) {
            value = min(value &* 10 &+ Int(format[index] - UInt8(ascii: "0")), Int(Int32.max))
            index += 1
        }
        return index > start ? (value, index) : nil
    }

    /// A `*` width or precision from the arguments, clamped to the range of a C `int`.
    private mutating func fieldArgument() -> Int {
        guard let text = takeArgument() else { return 0 }
        return Int(max(min(parseSigned(text), Int64(Int32.max)), -Int64(Int32.max)))
    }

    /// `spec` with a width, and a precision that pads (numbers), cut to a size the shell can
    /// allocate; reports the cut.
    private mutating func capped(_ spec: ConversionSpec, precisionPads: Bool) -> ConversionSpec {
        var spec = spec
        let limit = PrintfFormatter.maximumFieldWidth
        if let width = spec.width, width > limit {
            errors.append("printf: \(width): field width too large")
            status = 1
            spec.width = limit
        }
        if precisionPads, let precision = spec.precision, precision > limit {
            errors.append("printf: \(precision): precision too large")
            status = 1
            spec.precision = limit
        }
        return spec
    }

    // MARK: Arguments

    private mutating func takeArgument() -> String? {
        guard nextArgument < arguments.count else { return nil }
        defer { nextArgument += 1 }
        return arguments[nextArgument]
    }

    private mutating func signedArgument() -> Int64 {
        guard let text = takeArgument() else { return 0 }
        return parseSigned(text)
    }

    private mutating func parseSigned(_ text: String) -> Int64 {
        if let code = characterCode(text) { return code }
        return text.withCString { start in
            var end: UnsafeMutablePointer<CChar>? = nil
            errno = 0
            let value = strtoll(start, &end, 0)
            check(text, complete: end?.pointee == 0, outOfRange: errno == ERANGE)
            return Int64(value)
        }
    }

    private mutating func unsignedArgument() -> UInt64 {
        guard let text = takeArgument() else { return 0 }
        if let code = characterCode(text) { return UInt64(truncatingIfNeeded: code) }
        return text.withCString { start in
            var end: UnsafeMutablePointer<CChar>? = nil
            errno = 0
            let value = strtoull(start, &end, 0)
            check(text, complete: end?.pointee == 0, outOfRange: errno == ERANGE)
            return UInt64(value)
        }
    }

    private mutating func floatArgument() -> PrintfFloat {
        guard let text = takeArgument() else { return 0 }
        if let code = characterCode(text) { return PrintfFloat(code) }
        return text.withCString { start in
            var end: UnsafeMutablePointer<CChar>? = nil
            errno = 0
            let value = parseFloat(start, &end)
            check(text, complete: end?.pointee == 0, outOfRange: errno == ERANGE)
            return value
        }
    }

    /// `'c` and `"c` stand for the code of the character `c` (0 when nothing follows).
    private func characterCode(_ text: String) -> Int64? {
        let bytes = Array(text.utf8)
        guard let first = bytes.first, first == UInt8(ascii: "'") || first == UInt8(ascii: "\"")
        else { return nil }
        guard let scalar = String(decoding: bytes[1...], as: UTF8.self).unicodeScalars.first else {
            return 0
        }
        return Int64(scalar.value)
    }

    /// Reports a number that did not parse completely (the status becomes 1) or that was
    /// out of range (a warning only, as in bash).
    private mutating func check(_ text: String, complete: Bool, outOfRange: Bool) {
        if !complete {
            let bytes = Array(text.utf8)
            let kind: String
            if bytes.count >= 2, bytes[0] == UInt8(ascii: "0"),
                (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(bytes[1])
            {
                kind = "invalid octal number"
            } else if bytes.count >= 2, bytes[0] == UInt8(ascii: "0"),
                bytes[1] == UInt8(ascii: "x") || bytes[1] == UInt8(ascii: "X")
            {
                kind = "invalid hex number"
            } else {
                kind = "invalid number"
            }
            errors.append("printf: \(text): \(kind)")
            status = 1
        } else if outOfRange {
            errors.append("printf: warning: \(text): Numerical result out of range")
        }
    }

    /// Expands a `%b` argument; the flag says `\c` was met.
    private mutating func expandEscapes(_ argument: String) -> ([UInt8], Bool) {
        let bytes = Array(argument.utf8)
        var expanded: [UInt8] = []
        var index = 0
        while index < bytes.count {
            guard bytes[index] == backslash else {
                expanded.append(bytes[index])
                index += 1
                continue
            }
            let step = BackslashEscapes.decode(
                bytes, at: index, dialect: .printfArgument, into: &expanded)
            if let error = step.error { errors.append("printf: " + error) }
            if step.stopsOutput { return (expanded, true) }
            index = step.next
        }
        return (expanded, false)
    }
}

/// Runs the C library's formatter on one value.
private func cFormatted(_ format: String, _ value: any CVarArg) -> [UInt8] {
    func attempt(capacity: Int) -> (bytes: [UInt8], needed: Int) {
        var needed = 0
        let bytes = [UInt8](unsafeUninitializedCapacity: capacity) { buffer, initialized in
            let count = buffer.withMemoryRebound(to: CChar.self) { characters in
                withVaList([value]) { vsnprintf(characters.baseAddress, capacity, format, $0) }
            }
            needed = Int(count)
            initialized = max(0, min(needed, capacity - 1))
        }
        return (bytes, needed)
    }
    let first = attempt(capacity: 128)
    guard first.needed >= 128 else { return first.bytes }
    return attempt(capacity: first.needed + 1).bytes
}

/// `%q`: a word the shell reads back as the original bytes, quoted like bash quotes it.
enum ShellQuoting {
    static func quote(_ bytes: [UInt8]) -> [UInt8] {
        if bytes.isEmpty { return Array("''".utf8) }
        return needsANSICQuoting(bytes) ? ansiCQuoted(bytes) : backslashQuoted(bytes)
    }

    /// Control characters and invalid UTF-8 can only be written inside `$'…'`.
    private static func needsANSICQuoting(_ bytes: [UInt8]) -> Bool {
        if bytes.contains(where: { $0 < 0x20 || $0 == 0x7F }) { return true }
        return scalarsOrBytes(bytes).contains { piece in
            switch piece {
            case .invalid: return true
            case .scalar(let scalar, _): return (0x80...0x9F).contains(scalar.value)
            }
        }
    }

    private static let specialBytes: Set<UInt8> = Set(" \t\n'\"\\|&;()<>!{}*[?]^$`,".utf8)

    private static func backslashQuoted(_ bytes: [UInt8]) -> [UInt8] {
        var quoted: [UInt8] = []
        for (index, byte) in bytes.enumerated() {
            var escape = specialBytes.contains(byte)
            if byte == UInt8(ascii: "~") {
                escape = index == 0 || bytes[index - 1] == UInt8(ascii: "=")
                    || bytes[index - 1] == UInt8(ascii: ":")
            } else if byte == UInt8(ascii: "#") {
                escape = index == 0
            }
            if escape { quoted.append(backslash) }
            quoted.append(byte)
        }
        return quoted
    }

    private static func ansiCQuoted(_ bytes: [UInt8]) -> [UInt8] {
        var quoted = Array("$'".utf8)
        for piece in scalarsOrBytes(bytes) {
            switch piece {
            case .scalar(let scalar, let encoded) where scalar.value >= 0x80:
                if (0x80...0x9F).contains(scalar.value) {
                    for byte in encoded { quoted += octal(byte) }
                } else {
                    quoted += encoded
                }
            case .scalar(_, let encoded):
                let byte = encoded[0]
                switch byte {
                case 0x07: quoted += Array("\\a".utf8)
                case 0x08: quoted += Array("\\b".utf8)
                case 0x09: quoted += Array("\\t".utf8)
                case 0x0A: quoted += Array("\\n".utf8)
                case 0x0B: quoted += Array("\\v".utf8)
                case 0x0C: quoted += Array("\\f".utf8)
                case 0x0D: quoted += Array("\\r".utf8)
                case 0x1B: quoted += Array("\\E".utf8)
                case backslash, UInt8(ascii: "'"): quoted += [backslash, byte]
                case 0..<0x20, 0x7F: quoted += octal(byte)
                default: quoted.append(byte)
                }
            case .invalid(let byte):
                quoted += octal(byte)
            }
        }
        quoted.append(UInt8(ascii: "'"))
        return quoted
    }

    private static func octal(_ byte: UInt8) -> [UInt8] {
        [backslash, UInt8(ascii: "0") + (byte >> 6), UInt8(ascii: "0") + ((byte >> 3) & 7),
         UInt8(ascii: "0") + (byte & 7)]
    }

    private enum Piece {
        case scalar(Unicode.Scalar, [UInt8])
        case invalid(UInt8)
    }

    /// Splits bytes into UTF-8 scalars, keeping undecodable bytes one by one.
    private static func scalarsOrBytes(_ bytes: [UInt8]) -> [Piece] {
        var pieces: [Piece] = []
        var index = 0
        while index < bytes.count {
            let lead = bytes[index]
            let length: Int
            switch lead {
            case 0..<0x80: length = 1
            case 0xC2...0xDF: length = 2
            case 0xE0...0xEF: length = 3
            case 0xF0...0xF4: length = 4
            default: length = 0
            }
            if length > 0, index + length <= bytes.count {
                let candidate = Array(bytes[index..<index + length])
                var iterator = candidate.makeIterator()
                var decoder = Unicode.UTF8()
                if case .scalarValue(let scalar) = decoder.decode(&iterator),
                    iterator.next() == nil
                {
                    pieces.append(.scalar(scalar, candidate))
                    index += length
                    continue
                }
            }
            pieces.append(.invalid(lead))
            index += 1
        }
        return pieces
    }
}

/// `%(fmt)T`: strftime on a time in seconds since the epoch (-1 and -2 mean now).
private enum TimeFormatting {
    static func format(_ timeFormat: [UInt8], seconds: Int64) -> [UInt8] {
        var clock = time_t(seconds)
        if seconds == -1 || seconds == -2 { clock = time(nil) }
        var parts = tm()
        tzset()
        guard localtime_r(&clock, &parts) != nil else { return [] }
        var cFormat = timeFormat.isEmpty ? Array("%X".utf8) : timeFormat
        cFormat.append(0)
        var capacity = 256
        while capacity <= 1 << 20 {
            var buffer = [CChar](repeating: 0, count: capacity)
            let count = cFormat.withUnsafeBufferPointer { formatBytes in
                formatBytes.withMemoryRebound(to: CChar.self) { cString in
                    strftime(&buffer, capacity, cString.baseAddress!, &parts)
                }
            }
            if count > 0 { return buffer[0..<count].map { UInt8(bitPattern: $0) } }
            capacity *= 16
        }
        return []
    }
}
