/// Where arithmetic reads and writes shell variables.
public protocol ArithmeticVariables {
    /// The value of a variable, or nil if unset.
    func arithmeticValue(of name: String) -> String?
    /// Assigns a variable (for `=`, `+=`, `++`…). Throws if the variable is read-only.
    mutating func arithmeticAssign(_ name: String, _ value: Int) throws(ArithmeticError)
}

/// Why an arithmetic expression could not be evaluated.
///
/// The message reads like bash's, without the expression itself, e.g.
/// `division by 0 (error token is "0")`; the caller prefixes it with the expression.
public struct ArithmeticError: Error, Equatable, Sendable {
    public var message: String

    public init(_ message: String) {
        self.message = message
    }

    public init(message: String) {
        self.message = message
    }
}

/// Shell arithmetic: POSIX `$((…))` with the bash extensions (`++`, `--`, `**`, `base#digits`).
///
/// Integers are 64-bit and wrap around instead of trapping. A variable named in the expression
/// stands for its value, which is itself evaluated as an expression (as bash does); unset and
/// empty variables are 0.
public enum Arithmetic {
    /// How deeply expressions may nest (parentheses, unary operators, right-associative
    /// operators and variables whose values are expressions, all together) before evaluation
    /// stops with an error instead of exhausting the stack.
    public static let maximumNesting = 256

    /// How many variables whose values are expressions may refer to one another in a chain
    /// (`a=b`, `b=c`, …) before evaluation stops with an error.
    public static let maximumVariableRecursion = 64

    /// Evaluates an expression whose parameter and command substitutions are already expanded.
    public static func evaluate(
        _ expression: String, variables: inout some ArithmeticVariables
    ) throws(ArithmeticError) -> Int {
        var parser = ArithmeticParser(expression, nesting: 0, variableRecursion: 0)
        return try parser.evaluateWholeExpression(&variables)
    }
}
