/// One token of an arithmetic expression.
enum ArithmeticToken: Equatable {
    case number(Int)
    case name(String)
    case `operator`(ArithmeticOperator)
    case openParenthesis
    case closeParenthesis
    case end
}

/// The operators of shell arithmetic, spelled as in the expression.
enum ArithmeticOperator: String, Equatable {
    case plus = "+", minus = "-", times = "*", divide = "/", remainder = "%", power = "**"
    case shiftLeft = "<<", shiftRight = ">>"
    case less = "<", lessOrEqual = "<=", greater = ">", greaterOrEqual = ">="
    case equal = "==", notEqual = "!="
    case bitAnd = "&", bitXor = "^", bitOr = "|", logicalAnd = "&&", logicalOr = "||"
    case logicalNot = "!", bitNot = "~"
    case question = "?", colon = ":", comma = ","
    case assign = "=", timesAssign = "*=", divideAssign = "/=", remainderAssign = "%="
    case plusAssign = "+=", minusAssign = "-=", shiftLeftAssign = "<<=", shiftRightAssign = ">>="
    case bitAndAssign = "&=", bitXorAssign = "^=", bitOrAssign = "|="
    // `++` and `--` are told apart by context in the lexer (see `ArithmeticLexer`).
    case preIncrement, preDecrement, postIncrement, postDecrement

    /// The binary operator a compound assignment applies (`+=` → `+`), nil for plain `=`.
    var compoundOperator: ArithmeticOperator? {
        switch self {
        case .timesAssign: .times
        case .divideAssign: .divide
        case .remainderAssign: .remainder
        case .plusAssign: .plus
        case .minusAssign: .minus
        case .shiftLeftAssign: .shiftLeft
        case .shiftRightAssign: .shiftRight
        case .bitAndAssign: .bitAnd
        case .bitXorAssign: .bitXor
        case .bitOrAssign: .bitOr
        default: nil
        }
    }

    var isAssignment: Bool { self == .assign || compoundOperator != nil }
}

/// Splits an arithmetic expression into tokens on demand, reading its UTF-8 bytes.
///
/// Reading lazily (rather than all tokens up front) matches bash: an unevaluated branch with a
/// bad number still reports the error, but only once the parser reaches it.
struct ArithmeticLexer {
    let bytes: [UInt8]
    /// Where the next token starts looking.
    private(set) var position = 0
    /// Where the most recently read token starts (for error messages).
    private(set) var tokenStart = 0
    /// The most recently read token, which decides whether `++` is prefix or postfix.
    private var previous: ArithmeticToken = .end

    init(_ bytes: [UInt8]) {
        self.bytes = bytes
    }

    /// The text from `offset` to the end, trailing blanks removed: bash's "error token".
    func text(from offset: Int) -> String {
        var end = bytes.count
        while end > offset, Self.isBlank(bytes[end - 1]) { end -= 1 }
        guard offset < end else { return "" }
        return String(decoding: bytes[offset..<end], as: UTF8.self)
    }

    mutating func next() throws(ArithmeticError) -> ArithmeticToken {
        while position < bytes.count, Self.isBlank(bytes[position]) { position += 1 }
        tokenStart = position
        let token = try readToken()
        previous = token
        return token
    }

    private mutating func readToken() throws(ArithmeticError) -> ArithmeticToken {
        guard position < bytes.count else { return .end }
        let byte = bytes[position]
        if Self.isDigit(byte) { return .number(try readNumber()) }
        if Self.isNameStart(byte) {
            let start = position
            while position < bytes.count, Self.isNameContinuation(bytes[position]) { position += 1 }
            return .name(String(decoding: bytes[start..<position], as: UTF8.self))
        }
        switch byte {
        case UInt8(ascii: "("):
            position += 1
            return .openParenthesis
        case UInt8(ascii: ")"):
            position += 1
            return .closeParenthesis
        case UInt8(ascii: "+"), UInt8(ascii: "-"):
            if let step = incrementOrDecrement(byte) { return .operator(step) }
        default:
            break
        }
        // Longest match first.
        for length in stride(from: 3, through: 1, by: -1) where position + length <= bytes.count {
            let spelling = String(decoding: bytes[position..<position + length], as: UTF8.self)
            if let op = ArithmeticOperator(rawValue: spelling) {
                position += length
                return .operator(op)
            }
        }
        throw ArithmeticError("syntax error: invalid arithmetic operator (error token is \"\(text(from: position))\")")
    }

    /// `++`/`--` after a name is postfix; before a name (blanks allowed) it is prefix; otherwise
    /// it is two unary signs, so `1+++2` is `1 + +(+2)` as in bash.
    private mutating func incrementOrDecrement(_ sign: UInt8) -> ArithmeticOperator? {
        guard position + 1 < bytes.count, bytes[position + 1] == sign else { return nil }
        let isPlus = sign == UInt8(ascii: "+")
        if case .name = previous {
            position += 2
            return isPlus ? .postIncrement : .postDecrement
        }
        var look = position + 2
        while look < bytes.count, Self.isBlank(bytes[look]) { look += 1 }
        guard look < bytes.count, Self.isNameStart(bytes[look]) else { return nil }
        position += 2
        return isPlus ? .preIncrement : .preDecrement
    }

    // MARK: Numbers

    /// Reads `123`, `0755`, `0x1F` or `base#digits` (bash), wrapping on overflow as bash does.
    private mutating func readNumber() throws(ArithmeticError) -> Int {
        let start = position
        while position < bytes.count, Self.isNumberByte(bytes[position]) { position += 1 }
        let literal = bytes[start..<position]
        let spelling = String(decoding: literal, as: UTF8.self)
        if let hash = literal.firstIndex(of: UInt8(ascii: "#")) {
            let baseDigits = literal[start..<hash]
            guard baseDigits.allSatisfy(Self.isDigit) else {
                throw ArithmeticError("invalid number (error token is \"\(spelling)\")")
            }
            // At most two digits are meaningful; longer spellings are out of range anyway.
            let base = baseDigits.count > 2 ? 65 : baseDigits.reduce(0) { $0 * 10 + Int($1 - 48) }
            guard base != 0 else { throw ArithmeticError("invalid number (error token is \"\(spelling)\")") }
            guard (2...64).contains(base) else {
                throw ArithmeticError("invalid arithmetic base (error token is \"\(spelling)\")")
            }
            let digits = literal[(hash + 1)...]
            guard !digits.isEmpty else {
                throw ArithmeticError("invalid integer constant (error token is \"\(spelling)\")")
            }
            return try Self.value(of: digits, base: base, spelling: spelling)
        }
        if literal.count >= 2, literal.first == UInt8(ascii: "0"),
            literal[start + 1] | 0x20 == UInt8(ascii: "x")
        {
            return try Self.value(of: literal[(start + 2)...], base: 16, spelling: spelling)
        }
        if literal.first == UInt8(ascii: "0") {
            return try Self.value(of: literal, base: 8, spelling: spelling)
        }
        return try Self.value(of: literal, base: 10, spelling: spelling)
    }

    private static func value(
        of digits: ArraySlice<UInt8>, base: Int, spelling: String
    ) throws(ArithmeticError) -> Int {
        var result = 0
        for byte in digits {
            guard let digit = digitValue(byte, base: base), digit < base else {
                throw ArithmeticError("value too great for base (error token is \"\(spelling)\")")
            }
            result = result &* base &+ digit
        }
        return result
    }

    /// Bash's digits: 0-9, a-z, A-Z (the same as a-z up to base 36), `@`, `_`.
    private static func digitValue(_ byte: UInt8, base: Int) -> Int? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): Int(byte - UInt8(ascii: "0"))
        case UInt8(ascii: "a")...UInt8(ascii: "z"): Int(byte - UInt8(ascii: "a")) + 10
        case UInt8(ascii: "A")...UInt8(ascii: "Z"):
            Int(byte - UInt8(ascii: "A")) + (base <= 36 ? 10 : 36)
        case UInt8(ascii: "@"): 62
        case UInt8(ascii: "_"): 63
        default: nil
        }
    }

    // MARK: Character classes

    static func isBlank(_ byte: UInt8) -> Bool {
        byte == 0x20 || (0x09...0x0D).contains(byte)
    }

    static func isDigit(_ byte: UInt8) -> Bool {
        (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte)
    }

    static func isNameStart(_ byte: UInt8) -> Bool {
        (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte | 0x20) || byte == UInt8(ascii: "_")
    }

    static func isNameContinuation(_ byte: UInt8) -> Bool {
        isNameStart(byte) || isDigit(byte)
    }

    private static func isNumberByte(_ byte: UInt8) -> Bool {
        isNameContinuation(byte) || byte == UInt8(ascii: "#") || byte == UInt8(ascii: "@")
    }
}
