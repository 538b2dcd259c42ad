import Testing
@testable import DoshShell

/// Shell variables for arithmetic tests: a dictionary, with some names read-only.
private struct TestVariables: ArithmeticVariables {
    var values: [String: String] = [:]
    var readOnly: Set<String> = []
    var assignments: [String] = []

    func arithmeticValue(of name: String) -> String? { values[name] }

    mutating func arithmeticAssign(_ name: String, _ value: Int) throws(ArithmeticError) {
        guard !readOnly.contains(name) else { throw ArithmeticError("\(name): readonly variable") }
        values[name] = String(value)
        assignments.append(name)
    }
}

private func eval(_ expression: String, _ values: [String: String] = [:]) throws -> Int {
    var variables = TestVariables(values: values)
    return try Arithmetic.evaluate(expression, variables: &variables)
}

private func errorMessage(_ expression: String, _ values: [String: String] = [:]) -> String? {
    var variables = TestVariables(values: values)
    do {
        _ = try Arithmetic.evaluate(expression, variables: &variables)
        return nil
    } catch {
        return error.message
    }
}

/// Evaluates and returns the variables afterwards, to observe side effects.
private func sideEffects(_ expression: String, _ values: [String: String] = [:]) throws -> (Int, [String: String]) {
    var variables = TestVariables(values: values)
    let result = try Arithmetic.evaluate(expression, variables: &variables)
    return (result, variables.values)
}

@Suite struct ArithmeticLiteralTests {
    @Test(arguments: [
        ("0", 0), ("42", 42), ("  7  ", 7), ("0755", 493), ("010", 8), ("0x1F", 31), ("0X1f", 31),
        ("0x", 0), ("2#101", 5), ("16#ff", 255), ("36#zZ", 1295), ("64#@", 62), ("64#_", 63),
        ("64#A", 36), ("10#08", 8), ("9223372036854775807", Int.max),
        ("99999999999999999999", 7_766_279_631_452_241_919),
        ("", 0), ("   ", 0), ("1 +\n2", 3), ("\t3\t*\t4", 12),
    ])
    func literal(_ expression: String, _ expected: Int) throws {
        #expect(try eval(expression) == expected)
    }

    @Test(arguments: [
        ("08", "value too great for base (error token is \"08\")"),
        ("0x1g", "value too great for base (error token is \"0x1g\")"),
        ("12abc", "value too great for base (error token is \"12abc\")"),
        ("2#102", "value too great for base (error token is \"2#102\")"),
        ("1#1", "invalid arithmetic base (error token is \"1#1\")"),
        ("65#1", "invalid arithmetic base (error token is \"65#1\")"),
        ("0#1", "invalid number (error token is \"0#1\")"),
        ("2#", "invalid integer constant (error token is \"2#\")"),
    ])
    func badLiteral(_ expression: String, _ message: String) {
        #expect(errorMessage(expression) == message)
    }
}

@Suite struct ArithmeticOperatorTests {
    @Test(arguments: [
        // Unary operators.
        ("-5", -5), ("+5", 5), ("!0", 1), ("!7", 0), ("~0", -1), ("~5", -6), ("- -5", 5),
        ("-+-5", 5), ("!!3", 1), ("++5", 5), ("--5", 5), ("1+++2", 3), ("1 - -1", 2),
        // Each binary operator.
        ("7*6", 42), ("7/2", 3), ("-7/2", -3), ("7%3", 1), ("-7%3", -1), ("7%-3", 1),
        ("2+3", 5), ("2-3", -1), ("1<<4", 16), ("256>>4", 16), ("-16>>2", -4),
        ("1<2", 1), ("2<1", 0), ("2<=2", 1), ("3>2", 1), ("2>=3", 0), ("2==2", 1), ("2!=2", 0),
        ("6&3", 2), ("6^3", 5), ("6|3", 7), ("2&&3", 1), ("2&&0", 0), ("0||0", 0), ("0||5", 1),
        ("3**2", 9), ("2**0", 1), ("0**0", 1), ("(-2)**3", -8),
        // Precedence, tightest first.
        ("-2**2", 4), ("2*3**2", 18), ("1+2*3", 7), ("(1+2)*3", 9), ("1+2<<1", 6), ("1<<2+1", 8),
        ("1<2==1", 1), ("2==2<1", 0), ("1|2^3&4", 3), ("6&3==3", 0), ("1^3|4", 6),
        ("0&&1||1", 1), ("1||0&&0", 1), ("0||1&&0", 0), ("!1+1", 1), ("~1*2", -4), ("-3%2", -1),
        ("1 ? 2 : 3", 2), ("0 ? 2 : 3", 3), ("0 ? 2 : 3 ? 4 : 5", 4), ("1 ? 2 : 3 ? 4 : 5", 2),
        ("0 ? 1 : 0 ? 2 : 3", 3), ("1 ? 2, 3 : 4", 3), ("1, 2, 3", 3), ("1 < 2 ? 10 : 20", 10),
        // Associativity: left for binary operators, right for `**`, `?:` and assignment.
        ("1-2-3", -4), ("100/10/5", 2), ("100%7%4", 2), ("1<<2<<3", 32), ("3<4<5", 1),
        ("1!=2==1", 1), ("2**3**2", 512), ("(2**3)**2", 64),
    ])
    func operatorResult(_ expression: String, _ expected: Int) throws {
        #expect(try eval(expression) == expected)
    }

    @Test func wrapsInsteadOfTrapping() throws {
        #expect(try eval("9223372036854775807 + 1") == Int.min)
        #expect(try eval("-9223372036854775807 - 2") == Int.max)
        #expect(try eval("9223372036854775807 * 2") == -2)
        #expect(try eval("-9223372036854775808 / -1") == Int.min)
        #expect(try eval("-9223372036854775808 % -1") == 0)
        #expect(try eval("-(-9223372036854775808)") == Int.min)
        #expect(try eval("2**63") == Int.min)
        #expect(try eval("2**64") == 0)
        #expect(try eval("3**1000000000000") == Self.wrappingPower(3, 1_000_000_000_000))
        #expect(try eval("x*=2", ["x": "9223372036854775807"]) == -2)
        #expect(try eval("x++", ["x": "9223372036854775807"]) == Int.max)
        #expect(try sideEffects("x++", ["x": "9223372036854775807"]).1["x"] == String(Int.min))
    }

    @Test func shiftCountsAreMaskedLikeBash() throws {
        #expect(try eval("1<<64") == 1)
        #expect(try eval("1<<65") == 2)
        #expect(try eval("1<<-1") == Int.min)
        #expect(try eval("1<<63") == Int.min)
        #expect(try eval("-1>>63") == -1)
        #expect(try eval("8>>-62") == 2)
    }

    private static func wrappingPower(_ base: Int, _ exponent: Int) -> Int {
        var result = 1, base = base, exponent = exponent
        while exponent > 0 {
            if exponent & 1 == 1 { result = result &* base }
            base = base &* base
            exponent >>= 1
        }
        return result
    }
}

@Suite struct ArithmeticVariableTests {
    @Test func variablesByName() throws {
        #expect(try eval("x + 1", ["x": "3"]) == 4)
        #expect(try eval("x * y", ["x": "3", "y": "-4"]) == -12)
        #expect(try eval("unset + 1") == 1)
        #expect(try eval("empty + 1", ["empty": ""]) == 1)
        #expect(try eval("blank + 1", ["blank": "  "]) == 1)
        #expect(try eval("_under_score9", ["_under_score9": "9"]) == 9)
        #expect(try eval("octal", ["octal": "010"]) == 8)
    }

    @Test func variableValuesAreExpressions() throws {
        #expect(try eval("w", ["w": "x*2", "x": "3"]) == 6)
        #expect(try eval("v", ["v": " 4 "]) == 4)
        #expect(try eval("a", ["a": "b", "b": "c", "c": "7"]) == 7)
        #expect(try eval("a + 1", ["a": "1+1"]) == 3)
        #expect(try eval("a * 2", ["a": "1+1"]) == 4)  // The value is evaluated, not pasted.
    }

    @Test func recursiveVariablesStop() {
        #expect(errorMessage("r", ["r": "r"]) == "expression recursion level exceeded (error token is \"r\")")
        #expect(errorMessage("a", ["a": "b", "b": "a + 1"]) != nil)
    }

    @Test func badVariableValueIsAnError() {
        #expect(errorMessage("e", ["e": "1+"]) == "syntax error: operand expected (error token is \"+\")")
        #expect(errorMessage("e", ["e": "08"]) == "value too great for base (error token is \"08\")")
    }

    @Test(arguments: [
        ("x = 5", 5, "5"), ("x += 2", 5, "5"), ("x -= 2", 1, "1"), ("x *= 4", 12, "12"),
        ("x /= 2", 1, "1"), ("x %= 2", 1, "1"), ("x <<= 2", 12, "12"), ("x >>= 1", 1, "1"),
        ("x &= 2", 2, "2"), ("x ^= 1", 2, "2"), ("x |= 4", 7, "7"),
        ("x++", 3, "4"), ("x--", 3, "2"), ("++x", 4, "4"), ("--x", 2, "2"), ("++ x", 4, "4"),
        ("x++ + x", 7, "4"), ("x = x + 1, x * 2", 8, "4"), ("x=-1", -1, "-1"),
    ])
    func assignmentOperator(_ expression: String, _ result: Int, _ newX: String) throws {
        let (value, values) = try sideEffects(expression, ["x": "3"])
        #expect(value == result)
        #expect(values["x"] == newX)
    }

    @Test func chainedAssignmentIsRightAssociative() throws {
        let (value, values) = try sideEffects("x = y = 3")
        #expect(value == 3)
        #expect(values["x"] == "3")
        #expect(values["y"] == "3")
        let (sum, after) = try sideEffects("x += y *= 2", ["x": "1", "y": "5"])
        #expect(sum == 11)
        #expect(after["y"] == "10")
    }

    @Test func incrementOfUnsetVariableStartsAtZero() throws {
        let (value, values) = try sideEffects("z++")
        #expect(value == 0)
        #expect(values["z"] == "1")
        #expect(try sideEffects("--n").1["n"] == "-1")
    }

    @Test func compoundAssignmentEvaluatesTheCurrentValue() throws {
        let (value, values) = try sideEffects("x += 1", ["x": "2*3"])
        #expect(value == 7)
        #expect(values["x"] == "7")
    }

    @Test func assignmentToReadOnlyVariableThrows() {
        var variables = TestVariables(values: ["r": "1"], readOnly: ["r"])
        #expect(throws: ArithmeticError("r: readonly variable")) {
            try Arithmetic.evaluate("r = 2", variables: &variables)
        }
        #expect(variables.values["r"] == "1")
    }

    @Test func assignmentsBeforeAnErrorRemain() {
        var variables = TestVariables()
        #expect(throws: ArithmeticError.self) {
            try Arithmetic.evaluate("x = 5, 1/0", variables: &variables)
        }
        #expect(variables.values["x"] == "5")
    }

    @Test(arguments: ["1=2", "(x)=1", "x+1=2", "x ? y=1 : y=2", "5 += 1"])
    func assignmentToNonVariable(_ expression: String) {
        let message = errorMessage(expression, ["x": "1"])
        #expect(message?.hasPrefix("attempted assignment to non-variable (error token is \"") == true)
    }
}

@Suite struct ArithmeticShortCircuitTests {
    @Test func logicalAndSkipsTheRightSide() throws {
        let (value, values) = try sideEffects("0 && (x = 9)", ["x": "1"])
        #expect(value == 0)
        #expect(values["x"] == "1")
        #expect(try eval("0 && 1/0") == 0)
        #expect(try eval("0 && x", ["x": "1+"]) == 0)  // Not even evaluated.
    }

    @Test func logicalOrSkipsTheRightSide() throws {
        let (value, values) = try sideEffects("1 || x++", ["x": "1"])
        #expect(value == 1)
        #expect(values["x"] == "1")
        #expect(try eval("7 || 1/0") == 1)
    }

    @Test func evaluatedRightSidesHaveEffects() throws {
        #expect(try sideEffects("1 && x++", ["x": "1"]).1["x"] == "2")
        #expect(try sideEffects("0 || x++", ["x": "1"]).1["x"] == "2")
    }

    @Test func conditionalEvaluatesOnlyTheChosenBranch() throws {
        let (value, values) = try sideEffects("c ? (a = 1) : (b = 2)", ["c": "1"])
        #expect(value == 1)
        #expect(values["a"] == "1")
        #expect(values["b"] == nil)
        let (other, after) = try sideEffects("c ? a++ : b++", ["c": "0"])
        #expect(other == 0)
        #expect(after["a"] == nil)
        #expect(after["b"] == "1")
        #expect(try eval("0 ? 1/0 : 2") == 2)
        #expect(try eval("1 ? 2 : 1/0") == 2)
    }

    @Test func skippedBranchesMustStillParse() {
        #expect(errorMessage("0 && (1 +)") != nil)
        #expect(errorMessage("1 || 08") == "value too great for base (error token is \"08\")")
    }
}

@Suite struct ArithmeticErrorTests {
    @Test(arguments: [
        ("1/0", "division by 0 (error token is \"0\")"),
        ("5 % 0 + 3", "division by 0 (error token is \"0 + 3\")"),
        ("x /= 0", "division by 0 (error token is \"0\")"),
        ("2**-1", "exponent less than 0 (error token is \"-1\")"),
        ("1 + ", "syntax error: operand expected (error token is \"+\")"),
        ("1 2", "syntax error in expression (error token is \"2\")"),
        ("1 2 3", "syntax error in expression (error token is \"2 3\")"),
        ("(1))", "syntax error in expression (error token is \")\")"),
        ("(1", "missing `)' (error token is \"1\")"),
        ("1 ? 2", "`:' expected for conditional expression (error token is \"2\")"),
        ("1;2", "syntax error: invalid arithmetic operator (error token is \";2\")"),
        ("$", "syntax error: invalid arithmetic operator (error token is \"$\")"),
        ("1,,2", "syntax error: operand expected (error token is \",2\")"),
        ("5++", "syntax error: operand expected (error token is \"+\")"),
        ("-", "syntax error: operand expected (error token is \"-\")"),
        ("1--x", "syntax error in expression (error token is \"--x\")"),
        ("a b", "syntax error in expression (error token is \"b\")"),
        ("1=2", "attempted assignment to non-variable (error token is \"=2\")"),
        ("é", "syntax error: invalid arithmetic operator (error token is \"é\")"),
    ])
    func errorMessages(_ expression: String, _ message: String) {
        #expect(errorMessage(expression, ["x": "3"]) == message)
    }

    @Test func deepNestingIsAnErrorNotACrash() {
        let deep = String(repeating: "(", count: 100_000) + "1" + String(repeating: ")", count: 100_000)
        #expect(errorMessage(deep)?.hasPrefix("expression nested too deeply") == true)
        #expect(errorMessage(String(repeating: "-", count: 100_000) + "1") != nil)
        #expect(errorMessage(String(repeating: "!", count: 100_000) + "1") != nil)
        #expect(errorMessage(String(repeating: "x=", count: 100_000) + "1") != nil)
        #expect(errorMessage(String(repeating: "1?", count: 100_000) + "1") != nil)
        #expect(errorMessage(String(repeating: "2**", count: 100_000) + "1") != nil)
    }

    @Test func moderateNestingWorks() throws {
        let nested = String(repeating: "(", count: 60) + "1" + String(repeating: ")", count: 60)
        #expect(try eval(nested) == 1)
        #expect(try eval(String(repeating: "1+", count: 100_000) + "1") == 100_001)
    }

    @Test func garbageNeverCrashes() {
        var generator = SplitMix(seed: 7)
        let alphabet = Array("0123456789xyz_#@+-*/%<>=!~&^|?:,() \t'\"$é")
        for _ in 0..<3000 {
            let length = Int(generator.next() % 24)
            let text = String((0..<length).map { _ in alphabet[Int(generator.next() % UInt64(alphabet.count))] })
            _ = errorMessage(text, ["x": "x+1", "y": "2", "z": "1/0"])
        }
    }
}

/// A small deterministic pseudo-random generator for reproducible fuzz tests.
struct SplitMix: RandomNumberGenerator {
    var state: UInt64

    init(seed: UInt64) { state = seed }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
