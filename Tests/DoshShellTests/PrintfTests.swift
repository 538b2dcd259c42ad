import Testing
@testable import DoshShell

/// A printf run with the output bash 5.2 gives for it (recorded on Linux, C.UTF-8 locale).
struct BashPrintfCase: Sendable, CustomTestStringConvertible {
    var format: String
    var arguments: [String]
    var output: [UInt8]
    var errors: [String]
    var status: Int32

    init(_ format: String, _ arguments: [String], output: [UInt8], errors: [String], status: Int32) {
        self.format = format
        self.arguments = arguments
        self.output = output
        self.errors = errors
        self.status = status
    }

    var testDescription: String { "printf \(format.debugDescription) \(arguments)" }
}

private let bashCases: [BashPrintfCase] = [
    BashPrintfCase("%d|%i|%o|%u|%x|%X\n", ["10", "-3", "8", "-1", "255", "0x1f"],
        output: Array("10|-3|10|18446744073709551615|ff|1F\n".utf8),
        errors: [], status: 0),
    BashPrintfCase("%.0f %.0f %.0f %.0f\n", ["0.5", "1.5", "2.5", "-0.5"],
        output: Array("0 2 2 -0\n".utf8),
        errors: [], status: 0),
    BashPrintfCase("[%05s][%05c][%-05d][%+s][% x][%#.3g][%.3d][%+u][%.0s][%.s][%5.d]\n", ["ab", "c", "3", "s", "255", "1", "7", "5", "zz", "yy", "0"],
        output: Array("[   ab][    c][3    ][s][ff][1.00][007][5][][][     ]\n".utf8),
        errors: [], status: 0),
    BashPrintfCase("[%#o][%#x][%#X][%x]\n", ["0", "0", "0", "-1"],
        output: Array("[0][0][0][ffffffffffffffff]\n".utf8),
        errors: [], status: 0),
    BashPrintfCase("%s\n", [],
        output: Array("\n".utf8),
        errors: [], status: 0),
    BashPrintfCase("a%sb%sc\n", ["1", "2", "3"],
        output: Array("a1b2c\na3bc\n".utf8),
        errors: [], status: 0),
    BashPrintfCase("x\n", ["1", "2"],
        output: Array("x\n".utf8),
        errors: [], status: 0),
    BashPrintfCase("%-%\n", [],
        output: Array("".utf8),
        errors: ["printf: `%': invalid format character"], status: 1),
    BashPrintfCase("%hhd %ld %qd\n", ["300", "1", "2"],
        output: Array("300 1 2d\n".utf8),
        errors: [], status: 0),
    BashPrintfCase("[%*s][%-*s][%.*s]\n", ["-3", "a", "3", "b", "-1", "cd"],
        output: Array("[a  ][b  ][cd]\n".utf8),
        errors: [], status: 0),
    BashPrintfCase("%d|", ["", "'", " 5", "+5", "0x", "08", "0xg", "12abc", "abc", "'A", "\"é", "99999999999999999999", "-99999999999999999999", " ", "1 "],
        output: Array("0|0|5|5|0|0|0|12|0|65|233|9223372036854775807|-9223372036854775808|0|1|".utf8),
        errors: ["printf: 0x: invalid hex number", "printf: 08: invalid octal number", "printf: 0xg: invalid hex number", "printf: 12abc: invalid number", "printf: abc: invalid number", "printf: warning: 99999999999999999999: Numerical result out of range", "printf: warning: -99999999999999999999: Numerical result out of range", "printf:  : invalid number", "printf: 1 : invalid number"], status: 1),
    BashPrintfCase("%u|%x|", ["-1", "99999999999999999999", "'é"],
        output: Array("18446744073709551615|ffffffffffffffff|233|0|".utf8),
        errors: ["printf: warning: 99999999999999999999: Numerical result out of range"], status: 0),
    BashPrintfCase("%f|", ["abc", "1e5000", "0x1p3", "'A", "nan", "-inf", "1.5x", ""],
        output: Array("0.000000|inf|8.000000|65.000000|nan|-inf|1.500000|0.000000|".utf8),
        errors: ["printf: abc: invalid number", "printf: warning: 1e5000: Numerical result out of range", "printf: 1.5x: invalid number"], status: 1),
    BashPrintfCase("%c|%c|%c", ["é", "", "abc"],
        output: [195, 124, 0, 124, 97],
        errors: [], status: 0),
    BashPrintfCase("%5c|%-3c|", ["x", "y"],
        output: Array("    x|y  |".utf8),
        errors: [], status: 0),
    BashPrintfCase("%b|", ["\\0101", "\\101", "\\01010", "\\x41", "\\e", "\\u00e9", "\\q", "\\\\", "\\'", "\\\"", "\\?", "\\x", "\\u", "\\"],
        output: Array("A|A|A0|A|\u{1b}|é|\\q|\\|\\'|\\\"|\\?|\\x|\\u|\\|".utf8),
        errors: ["printf: missing hex digit for \\x", "printf: missing unicode digit for \\u"], status: 0),
    BashPrintfCase("%b|%s", ["x\\cy", "z"],
        output: Array("x".utf8),
        errors: [], status: 0),
    BashPrintfCase("%5b|", ["x\\cy"],
        output: Array("    x".utf8),
        errors: [], status: 0),
    BashPrintfCase("%.1b|%3b|\n", ["\\x41\\x42", "\\n"],
        output: Array("A|  \n|\n".utf8),
        errors: [], status: 0),
    BashPrintfCase("\\e|\\E|\\?|\\z|\\u00e9|\\101|\\0101|\\x41g|\\x|\\777|\\xfff|\\U0001F600|\\uD800|\\c|\\", [],
        output: [27, 124, 27, 124, 63, 124, 92, 122, 124, 195, 169, 124, 65, 124, 8, 49, 124, 65, 103, 124, 92, 120, 124, 255, 124, 255, 102, 124, 240, 159, 152, 128, 124, 237, 160, 128, 124, 92, 99, 124, 92],
        errors: ["printf: missing hex digit for \\x"], status: 0),
    BashPrintfCase("ab%kcd\n", [],
        output: Array("ab".utf8),
        errors: ["printf: `k': invalid format character"], status: 1),
    BashPrintfCase("x%5", [],
        output: Array("x".utf8),
        errors: ["printf: `%5': missing format character"], status: 1),
    BashPrintfCase("%s %y", ["é"],
        output: Array("é ".utf8),
        errors: ["printf: `y': invalid format character"], status: 1),
    BashPrintfCase("%i|%5%|", [],
        output: Array("0|".utf8),
        errors: ["printf: `%': invalid format character"], status: 1),
    BashPrintfCase("%", [],
        output: Array("".utf8),
        errors: ["printf: `%': missing format character"], status: 1),
    BashPrintfCase("%.", ["x"],
        output: Array("".utf8),
        errors: ["printf: `%.': missing format character"], status: 1),
    BashPrintfCase("%-", [],
        output: Array("".utf8),
        errors: ["printf: `%-': missing format character"], status: 1),
    BashPrintfCase("[%q]\n", ["", "a b", "a\nb", "é", "~x", "a~", "x=~", "#a", "a#", "a,b", "a=b", "\u{1}\u{7f}", "it's", "a*?[]{}", "-", "%", "\t", "\\", "a:~", "$x", "!x", "x y\tz"],
        output: Array("['']\n[a\\ b]\n[$'a\\nb']\n[é]\n[\\~x]\n[a~]\n[x=\\~]\n[\\#a]\n[a#]\n[a\\,b]\n[a=b]\n[$'\\001\\177']\n[it\\'s]\n[a\\*\\?\\[\\]\\{\\}]\n[-]\n[%]\n[$'\\t']\n[\\\\]\n[a:\\~]\n[\\$x]\n[\\!x]\n[$'x y\\tz']\n".utf8),
        errors: [], status: 0),
    BashPrintfCase("[%5q|%.2q]\n", ["a b", "abc"],
        output: Array("[ a\\ b|ab]\n".utf8),
        errors: [], status: 0),
    BashPrintfCase("[%Q|%.2Q]\n", ["a b", "a bc"],
        output: Array("[a\\ b|a\\ ]\n".utf8),
        errors: [], status: 0),
    BashPrintfCase("%s %s %s\n", ["a", "b", "c", "d"],
        output: Array("a b c\nd  \n".utf8),
        errors: [], status: 0),
    BashPrintfCase("%d %s\n", ["1"],
        output: Array("1 \n".utf8),
        errors: [], status: 0),
    BashPrintfCase("%*d|", ["5"],
        output: Array("    0|".utf8),
        errors: [], status: 0),
    BashPrintfCase("%.*d|", ["3", "7"],
        output: Array("007|".utf8),
        errors: [], status: 0),
    BashPrintfCase("%'d %'.2f\n", ["1234567", "1234.5"],
        output: Array("1234567 1234.50\n".utf8),
        errors: [], status: 0),
    BashPrintfCase("%+.3e|% d|%#o|%#x|%08.3f|%-08d|\n", ["1", "5", "8", "255", "-3.14159", "-42"],
        output: Array("+1.000e+00| 5|010|0xff|-003.142|-42     |\n".utf8),
        errors: [], status: 0),
    BashPrintfCase("%lld %Lf %jd %zd %td\n", ["1", "2", "3", "4", "5"],
        output: Array("1 2.000000 3 4 5\n".utf8),
        errors: [], status: 0),
    BashPrintfCase("%s\n", ["a\\nb"],
        output: Array("a\\nb\n".utf8),
        errors: [], status: 0),
    BashPrintfCase("no newline", [],
        output: Array("no newline".utf8),
        errors: [], status: 0),
    BashPrintfCase("", [],
        output: Array("".utf8),
        errors: [], status: 0),
    BashPrintfCase("%%\n", [],
        output: Array("%\n".utf8),
        errors: [], status: 0),
    BashPrintfCase("%d%%\n", ["50"],
        output: Array("50%\n".utf8),
        errors: [], status: 0),
    BashPrintfCase("%10.4s|%-10.2s|\n", ["abcdefg", "xyz"],
        output: Array("      abcd|xy        |\n".utf8),
        errors: [], status: 0),
    BashPrintfCase("%x %X %o\n", ["'a", "255", "-8"],
        output: Array("61 FF 1777777777777777777770\n".utf8),
        errors: [], status: 0),
    BashPrintfCase("%i\n", ["0777"],
        output: Array("511\n".utf8),
        errors: [], status: 0),
    BashPrintfCase("%d\n", ["-0x10"],
        output: Array("-16\n".utf8),
        errors: [], status: 0),
    BashPrintfCase("%d\n", ["0b101"],
        output: Array("0\n".utf8),
        errors: ["printf: 0b101: invalid number"], status: 1),
    BashPrintfCase("%.3x|%#.3o|%#5x|%-#5x|\n", ["15", "8", "15", "15"],
        output: Array("00f|010|  0xf|0xf  |\n".utf8),
        errors: [], status: 0),
    BashPrintfCase("%5.3d|%-5.3d|%05.3d|\n", ["7", "7", "7"],
        output: Array("  007|007  |  007|\n".utf8),
        errors: [], status: 0),
    BashPrintfCase("%s-%s\n", ["a"],
        output: Array("a-\n".utf8),
        errors: [], status: 0),
    BashPrintfCase("%b\n", ["\\0"],
        output: Array("\u{0}\n".utf8),
        errors: [], status: 0),
    BashPrintfCase("%b", ["a\\0b"],
        output: Array("a\u{0}b".utf8),
        errors: [], status: 0),
]

/// Cases whose text depends on the C library's `long double` (x86 extended precision).
private let extendedPrecisionCases: [BashPrintfCase] = [
    BashPrintfCase("%5.2f|%e|%g|%a|%E|%G|%F\n", ["3.14159", "1234.5", "0.0001", "1", "2.5e10", "1e-10", "inf"],
        output: Array(" 3.14|1.234500e+03|0.0001|0x8p-3|2.500000E+10|1E-10|INF\n".utf8),
        errors: [], status: 0),
    BashPrintfCase("%.20f|%La\n", ["0.1", "3"],
        output: Array("0.10000000000000000000|0xcp-2\n".utf8),
        errors: [], status: 0),
    BashPrintfCase("%#g|%#.0f|%#a|%+g|% g\n", ["1", "2", "1", "-0", "0"],
        output: Array("1.00000|2.|0x8.p-3|-0| 0\n".utf8),
        errors: [], status: 0),
]

@Test(arguments: bashCases)
func printfMatchesBash(_ example: BashPrintfCase) {
    let result = PrintfFormatter.format(example.format, arguments: example.arguments)
    #expect(result.output == example.output)
    #expect(result.errors == example.errors)
    #expect(result.status == example.status)
}

#if arch(x86_64) || arch(i386)
@Test(arguments: extendedPrecisionCases)
func printfFloatsMatchBashLongDouble(_ example: BashPrintfCase) {
    let result = PrintfFormatter.format(example.format, arguments: example.arguments)
    #expect(result.output == example.output)
    #expect(result.errors == example.errors)
    #expect(result.status == example.status)
}
#endif

private func printed(_ format: String, _ arguments: String...) -> String {
    String(decoding: PrintfFormatter.format(format, arguments: arguments).output, as: UTF8.self)
}

@Test func printfCommonFloatFormats() {
    #expect(printed("%.2f", "3.14159") == "3.14")
    #expect(printed("%5.1f|", "2.25") == "  2.2|")
    #expect(printed("%e", "0") == "0.000000e+00")
    #expect(printed("%g %g", "100000", "1000000") == "100000 1e+06")
    #expect(printed("%08.2f", "-1.5") == "-0001.50")
    #expect(printed("%f", "1e3") == "1000.000000")
}

@Test func printfReusesTheFormatWhileArgumentsRemain() {
    #expect(printed("%s=%s\n", "a", "1", "b", "2", "c") == "a=1\nb=2\nc=\n")
    #expect(printed("[%d]", "1", "2", "3") == "[1][2][3]")
    // No conversion consumes arguments: the format is printed once.
    #expect(printed("plain\n", "x", "y") == "plain\n")
}

@Test func printfMissingArgumentsAreEmptyOrZero() {
    #expect(printed("[%s|%d|%x|%.1f|%b]") == "[|0|0|0.0|]")
    #expect(PrintfFormatter.format("%c", arguments: []).output == [0])
}

@Test func printfBackslashCInPercentBStopsEverything() {
    let result = PrintfFormatter.format("%s-%b-%s\n", arguments: ["a", "b\\cIGNORED", "c", "d", "e"])
    #expect(result.output == Array("a-b".utf8))
    #expect(result.status == 0)
}

@Test func printfKeepsArbitraryBytes() {
    #expect(PrintfFormatter.format("\\377\\0\\x80", arguments: []).output == [0xFF, 0, 0x80])
    #expect(PrintfFormatter.format("%b", arguments: ["\\0377\\x00"]).output == [0xFF, 0])
}

@Test func printfInvalidFormatCharacterStopsWithStatusOne() {
    let result = PrintfFormatter.format("ok %k more", arguments: ["x"])
    #expect(result.output == Array("ok ".utf8))
    #expect(result.errors == ["printf: `k': invalid format character"])
    #expect(result.status == 1)
}

@Test func printfInvalidNumberPrintsThePrefixAndFails() {
    let result = PrintfFormatter.format("%d %d\n", arguments: ["12abc", "7"])
    #expect(result.output == Array("12 7\n".utf8))
    #expect(result.errors == ["printf: 12abc: invalid number"])
    #expect(result.status == 1)
}

@Test func printfOverflowClampsWithAWarningOnly() {
    let result = PrintfFormatter.format("%d", arguments: ["123456789012345678901234"])
    #expect(result.output == Array("9223372036854775807".utf8))
    #expect(result.errors == ["printf: warning: 123456789012345678901234: Numerical result out of range"])
    #expect(result.status == 0)
}

@Test func printfCharacterCodes() {
    #expect(printed("%d %d %x %.1f", "'a", "\"é", "'€", "'A") == "97 233 20ac 65.0")
}

@Test func printfHugeWidthsAreCapped() {
    let result = PrintfFormatter.format("%*s", arguments: ["99999999999", ""])
    #expect(result.output.count == PrintfFormatter.maximumFieldWidth)
    #expect(result.errors == ["printf: 2147483647: field width too large"])
    #expect(result.status == 1)
    let padded = PrintfFormatter.format("%.999999999d", arguments: ["7"])
    #expect(padded.output.count == PrintfFormatter.maximumFieldWidth)
    #expect(padded.errors == ["printf: 999999999: precision too large"])
    // A precision that only cuts a string is harmless and kept.
    let literal = PrintfFormatter.format("%.999999999s", arguments: ["abc"])
    #expect(literal.output == Array("abc".utf8))
    #expect(literal.status == 0)
}

@Test func printfBackslashBeforeAConversionIsLiteral() {
    #expect(printed("\\%d|\\%s|\\%%", "1", "x") == "\\1|\\x|\\%")
    #expect(printed("%c%.0c|%3.0c|", "ab", "cd", "ef") == "ac|  e|")
}

@Test func printfShellQuotingRoundTripsControlBytes() {
    #expect(printed("%q", "a'b c") == "a\\'b\\ c")
    #expect(printed("%q", "tab\there") == "$'tab\\there'")
    #expect(printed("%q", "\u{1b}[0m") == "$'\\E[0m'")
}

@Test func printfTimeConversion() {
    // 2001-09-09 in every time zone.
    #expect(printed("%(%Y)T", "1000000000") == "2001")
    #expect(printed("[%6(%Y)T]", "1000000000") == "[  2001]")
    #expect(printed("%(%Y)T", "-1").count == 4)
}

/// A small deterministic generator (SplitMix64), so the random tests repeat exactly.
struct SeededGenerator: RandomNumberGenerator {
    var state: UInt64
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

@Test func printfNeverCrashesOnRandomInput() {
    var random = SeededGenerator(state: 0x5EED)
    let pieces = [
        "%", "%%", "d", "i", "s", "b", "c", "q", "Q", "f", "e", "g", "a", "x", "o", "u", "X", "*",
        ".", "-", "+", " ", "#", "0", "'", "1", "9", "l", "h", "z", "(", ")", "T", "\\", "n", "x",
        "u", "U", "c", "0", "7", "é", "\u{1}", "\"", "k", "%(", "%*.*", "%.", "%-0+ #",
    ]
    let words = [
        "", "0", "-1", "42", "0x1F", "077", "08", "'", "'x", "\"é", "1e400", "-inf", "nan",
        "99999999999999999999", "abc", " 5", "5 ", "\\", "\\c", "\\x", "\\0777", "\\u12345",
        "%s", "1000", "-1000", "3.5e2",
    ]
    for _ in 0..<3000 {
        var format = ""
        for _ in 0..<Int.random(in: 0...12, using: &random) {
            format += pieces.randomElement(using: &random) ?? ""
        }
        var arguments: [String] = []
        for _ in 0..<Int.random(in: 0...5, using: &random) {
            arguments.append(words.randomElement(using: &random) ?? "")
        }
        let result = PrintfFormatter.format(format, arguments: arguments)
        #expect(result.status == 0 || result.status == 1)
        #expect(result.status == 0 || !result.errors.isEmpty)
    }
}
