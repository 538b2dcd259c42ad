/// Evaluates an arithmetic expression while parsing it (recursive descent, C precedence).
///
/// Branches that must not run (the right side of a decided `&&`/`||`, the untaken arm of `?:`)
/// are still parsed, with `skipping` set: they read no variables, assign nothing and raise no
/// arithmetic errors, as in bash.
struct ArithmeticParser {
    private var lexer: ArithmeticLexer
    private var token: ArithmeticToken = .end
    private var previousTokenStart = 0
    /// How deep the recursion currently is; bounded by `Arithmetic.maximumNesting`.
    private var nesting: Int
    /// How many variables whose values are expressions led here.
    private let variableRecursion: Int
    /// Greater than zero while parsing a branch that is not evaluated.
    private var skipping = 0

    init(_ expression: String, nesting: Int, variableRecursion: Int) {
        lexer = ArithmeticLexer(Array(expression.utf8))
        self.nesting = nesting
        self.variableRecursion = variableRecursion
    }

    /// Evaluates the whole text; blank text is 0.
    mutating func evaluateWholeExpression(
        _ variables: inout some ArithmeticVariables
    ) throws(ArithmeticError) -> Int {
        try advance()
        if token == .end { return 0 }
        let value = try comma(&variables)
        guard token == .end else {
            throw error("syntax error in expression")
        }
        return value
    }

    // MARK: Grammar, lowest precedence first

    private mutating func comma(_ variables: inout some ArithmeticVariables) throws(ArithmeticError) -> Int {
        var value = try assignment(&variables)
        while token == .operator(.comma) {
            try advance()
            value = try assignment(&variables)
        }
        return value
    }

    private mutating func assignment(_ variables: inout some ArithmeticVariables) throws(ArithmeticError) -> Int {
        try enter()
        defer { nesting -= 1 }
        if case .name(let name) = token, case .operator(let op) = try peek(), op.isAssignment {
            try advance()  // the name
            try advance()  // the operator
            let rightStart = lexer.tokenStart
            let right = try assignment(&variables)
            var value = right
            if let binary = op.compoundOperator {
                let current = try variableValue(name, &variables)
                value = try apply(binary, current, right, rightStart: rightStart)
            }
            try assign(name, value, &variables)
            return value
        }
        let value = try conditional(&variables)
        if case .operator(let op) = token, op.isAssignment {
            throw error("attempted assignment to non-variable")
        }
        return value
    }

    private mutating func conditional(_ variables: inout some ArithmeticVariables) throws(ArithmeticError) -> Int {
        let condition = try binary(&variables, minimumPrecedence: 1)
        guard token == .operator(.question) else { return condition }
        try advance()
        let taken = condition != 0
        let whenTrue = try skippingIf(!taken) { (parser: inout Self) throws(ArithmeticError) in
            try parser.comma(&variables)
        }
        guard token == .operator(.colon) else {
            throw error("`:' expected for conditional expression")
        }
        try advance()
        let whenFalse = try skippingIf(taken) { (parser: inout Self) throws(ArithmeticError) in
            try parser.enter()
            defer { parser.nesting -= 1 }
            return try parser.conditional(&variables)
        }
        return taken ? whenTrue : whenFalse
    }

    /// Binary operators from `||` up to `**`, by precedence climbing.
    private mutating func binary(
        _ variables: inout some ArithmeticVariables, minimumPrecedence: Int
    ) throws(ArithmeticError) -> Int {
        var left = try unary(&variables)
        while case .operator(let op) = token, let precedence = Self.precedence(of: op),
            precedence >= minimumPrecedence
        {
            try advance()
            let rightStart = lexer.tokenStart
            switch op {
            case .logicalAnd, .logicalOr:
                // Short circuit: the right side is parsed but not evaluated once the result is known.
                let decided = op == .logicalAnd ? left == 0 : left != 0
                let right = try skippingIf(decided) { (parser: inout Self) throws(ArithmeticError) in
                    try parser.binary(&variables, minimumPrecedence: precedence + 1)
                }
                left = decided ? (op == .logicalOr ? 1 : 0) : (right != 0 ? 1 : 0)
            case .power:
                // Right-associative: 2 ** 3 ** 2 is 2 ** 9, so it recurses and must count depth.
                try enter()
                let right = try binary(&variables, minimumPrecedence: precedence)
                nesting -= 1
                left = try apply(op, left, right, rightStart: rightStart)
            default:
                let right = try binary(&variables, minimumPrecedence: precedence + 1)
                left = try apply(op, left, right, rightStart: rightStart)
            }
        }
        return left
    }

    private mutating func unary(_ variables: inout some ArithmeticVariables) throws(ArithmeticError) -> Int {
        try enter()
        defer { nesting -= 1 }
        guard case .operator(let op) = token else { return try primary(&variables) }
        switch op {
        case .plus, .minus, .logicalNot, .bitNot:
            try advance()
            let operand = try unary(&variables)
            switch op {
            case .minus: return 0 &- operand
            case .logicalNot: return operand == 0 ? 1 : 0
            case .bitNot: return ~operand
            default: return operand
            }
        case .preIncrement, .preDecrement:
            try advance()
            guard case .name(let name) = token else { throw error("syntax error: operand expected") }
            try advance()
            let value = try variableValue(name, &variables) &+ (op == .preIncrement ? 1 : -1)
            try assign(name, value, &variables)
            return value
        default:
            return try primary(&variables)
        }
    }

    private mutating func primary(_ variables: inout some ArithmeticVariables) throws(ArithmeticError) -> Int {
        switch token {
        case .number(let value):
            try advance()
            return value
        case .name(let name):
            try advance()
            if case .operator(let op) = token, op == .postIncrement || op == .postDecrement {
                try advance()
                let old = try variableValue(name, &variables)
                try assign(name, old &+ (op == .postIncrement ? 1 : -1), &variables)
                return old
            }
            return try variableValue(name, &variables)
        case .openParenthesis:
            try advance()
            let value = try comma(&variables)
            guard token == .closeParenthesis else { throw error("missing `)'") }
            try advance()
            return value
        default:
            throw error("syntax error: operand expected")
        }
    }

    // MARK: Operators

    /// Binary precedence, higher binds tighter; nil for operators that are not binary.
    private static func precedence(of op: ArithmeticOperator) -> Int? {
        switch op {
        case .logicalOr: 1
        case .logicalAnd: 2
        case .bitOr: 3
        case .bitXor: 4
        case .bitAnd: 5
        case .equal, .notEqual: 6
        case .less, .lessOrEqual, .greater, .greaterOrEqual: 7
        case .shiftLeft, .shiftRight: 8
        case .plus, .minus: 9
        case .times, .divide, .remainder: 10
        case .power: 11
        default: nil
        }
    }

    /// Applies a binary operator with 64-bit wrapping, never trapping.
    private func apply(
        _ op: ArithmeticOperator, _ left: Int, _ right: Int, rightStart: Int
    ) throws(ArithmeticError) -> Int {
        switch op {
        case .plus: return left &+ right
        case .minus: return left &- right
        case .times: return left &* right
        case .divide, .remainder:
            guard right != 0 else {
                if skipping > 0 { return 0 }
                throw error("division by 0", at: rightStart)
            }
            // Int.min / -1 overflows; the partial values are Int.min and 0, as in bash.
            return op == .divide
                ? left.dividedReportingOverflow(by: right).partialValue
                : left.remainderReportingOverflow(dividingBy: right).partialValue
        case .power:
            guard right >= 0 else {
                if skipping > 0 { return 0 }
                throw error("exponent less than 0", at: rightStart)
            }
            return Self.power(left, right)
        case .shiftLeft: return left &<< right
        case .shiftRight: return left &>> right
        case .less: return left < right ? 1 : 0
        case .lessOrEqual: return left <= right ? 1 : 0
        case .greater: return left > right ? 1 : 0
        case .greaterOrEqual: return left >= right ? 1 : 0
        case .equal: return left == right ? 1 : 0
        case .notEqual: return left != right ? 1 : 0
        case .bitAnd: return left & right
        case .bitXor: return left ^ right
        case .bitOr: return left | right
        default: return right
        }
    }

    private static func power(_ base: Int, _ exponent: Int) -> Int {
        var result = 1
        var base = base
        var exponent = exponent
        while exponent > 0 {
            if exponent & 1 == 1 { result = result &* base }
            base = base &* base
            exponent >>= 1
        }
        return result
    }

    // MARK: Variables

    /// A variable's value: unset or blank is 0, otherwise its text evaluated as an expression.
    private func variableValue(
        _ name: String, _ variables: inout some ArithmeticVariables
    ) throws(ArithmeticError) -> Int {
        guard skipping == 0, let text = variables.arithmeticValue(of: name) else { return 0 }
        if let plain = Self.plainDecimal(text) { return plain }
        guard variableRecursion < Arithmetic.maximumVariableRecursion else {
            throw ArithmeticError("expression recursion level exceeded (error token is \"\(name)\")")
        }
        var parser = ArithmeticParser(text, nesting: nesting + 1, variableRecursion: variableRecursion + 1)
        return try parser.evaluateWholeExpression(&variables)
    }

    private func assign(
        _ name: String, _ value: Int, _ variables: inout some ArithmeticVariables
    ) throws(ArithmeticError) {
        guard skipping == 0 else { return }
        try variables.arithmeticAssign(name, value)
    }

    /// The common case, a variable holding a decimal number, without starting a parser.
    private static func plainDecimal(_ text: String) -> Int? {
        let utf8 = text.utf8
        guard let first = utf8.first, utf8.count <= 18, first != UInt8(ascii: "0") || utf8.count == 1 else {
            return nil
        }
        var value = 0
        for byte in utf8 {
            guard ArithmeticLexer.isDigit(byte) else { return nil }
            value = value * 10 + Int(byte - UInt8(ascii: "0"))
        }
        return value
    }

    // MARK: Plumbing

    private mutating func advance() throws(ArithmeticError) {
        previousTokenStart = lexer.tokenStart
        token = try lexer.next()
    }

    private func peek() throws(ArithmeticError) -> ArithmeticToken {
        var copy = lexer
        return try copy.next()
    }

    private mutating func enter() throws(ArithmeticError) {
        nesting += 1
        guard nesting <= Arithmetic.maximumNesting else {
            throw ArithmeticError("expression nested too deeply (error token is \"\(lexer.text(from: lexer.tokenStart))\")")
        }
    }

    private mutating func skippingIf(
        _ skip: Bool, _ body: (inout Self) throws(ArithmeticError) -> Int
    ) throws(ArithmeticError) -> Int {
        if skip { skipping += 1 }
        defer { if skip { skipping -= 1 } }
        return try body(&self)
    }

    /// An error naming the current token (or the last one, at the end), as bash does.
    private func error(_ message: String, at offset: Int? = nil) -> ArithmeticError {
        let start = offset ?? (token == .end ? previousTokenStart : lexer.tokenStart)
        return ArithmeticError("\(message) (error token is \"\(lexer.text(from: start))\")")
    }
}
