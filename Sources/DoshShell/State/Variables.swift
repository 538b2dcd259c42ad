/// A shell variable: its value and attributes.
public struct Variable: Sendable, Equatable {
    /// nil for a variable that has attributes but no value (`export X` before any assignment).
    public var value: String?
    public var isExported: Bool
    public var isReadOnly: Bool

    public init(value: String?, isExported: Bool = false, isReadOnly: Bool = false) {
        self.value = value
        self.isExported = isExported
        self.isReadOnly = isReadOnly
    }
}

/// Why a variable could not be changed.
public struct VariableError: Error, Equatable, Sendable {
    public var name: String
    public var message: String
}

/// The shell's variables, with dynamically scoped function locals (as in bash): a name is looked
/// up from the innermost function scope outwards, and an assignment changes the innermost
/// variable of that name, or a global one.
public struct VariableStore: Sendable {
    private var scopes: [[String: Variable]] = [[:]]
    /// The exported environment, rebuilt only after an exported variable changed.
    private var cachedEnvironment: [String]? = nil

    public init(environment: [String]) {
        for entry in environment {
            guard let equals = entry.firstIndex(of: "=") else { continue }
            let name = String(entry[..<equals])
            guard isValidName(name) else { continue }
            scopes[0][name] = Variable(value: String(entry[entry.index(after: equals)...]), isExported: true)
        }
    }

    public subscript(name: String) -> Variable? {
        for scope in scopes.reversed() {
            if let variable = scope[name] { return variable }
        }
        return nil
    }

    /// The value of a set variable, or nil.
    public func value(_ name: String) -> String? { self[name]?.value }

    /// Assigns a value, keeping the variable's attributes; `export` adds the export attribute.
    public mutating func set(_ name: String, _ value: String, export: Bool = false) throws(VariableError) {
        try modify(name) { variable in
            variable.value = value
            if export { variable.isExported = true }
        }
    }

    /// Removes a variable (the innermost one of that name).
    public mutating func unset(_ name: String) throws(VariableError) {
        for index in scopes.indices.reversed() {
            guard let variable = scopes[index][name] else { continue }
            if variable.isReadOnly { throw VariableError(name: name, message: "cannot unset: readonly variable") }
            if index > 0 {
                // A local stays declared in its scope, unset, so it keeps hiding the global.
                scopes[index][name] = Variable(value: nil)
            } else {
                scopes[index][name] = nil
            }
            if variable.isExported { cachedEnvironment = nil }
            return
        }
    }

    public mutating func export(_ name: String) {
        modifyAttributes(name) { $0.isExported = true }
    }

    public mutating func unexport(_ name: String) {
        modifyAttributes(name) { $0.isExported = false }
    }

    /// Puts back a variable exactly as it was (after a temporary assignment), read-only or not.
    public mutating func restore(_ name: String, _ variable: Variable) {
        let index = scopes.lastIndex { $0[name] != nil } ?? 0
        scopes[index][name] = variable
        cachedEnvironment = nil
    }

    public mutating func markReadOnly(_ name: String) {
        modifyAttributes(name) { $0.isReadOnly = true }
    }

    /// Makes `name` known without a value (`declare NAME`) when nothing of that name is visible.
    public mutating func declare(_ name: String) {
        guard self[name] == nil else { return }
        scopes[0][name] = Variable(value: nil)
    }

    /// Declares `name` local to the innermost function scope (a no-op outside functions).
    public mutating func declareLocal(_ name: String) {
        guard scopes.count > 1, scopes[scopes.count - 1][name] == nil else { return }
        // bash: a new local starts unset but inherits the export attribute of what it hides.
        scopes[scopes.count - 1][name] = Variable(value: nil, isExported: self[name]?.isExported ?? false)
        cachedEnvironment = nil
    }

    public var isInFunctionScope: Bool { scopes.count > 1 }

    public mutating func pushScope() { scopes.append([:]) }

    public mutating func popScope() {
        guard scopes.count > 1 else { return }
        let scope = scopes.removeLast()
        if scope.values.contains(where: \.isExported) { cachedEnvironment = nil }
    }

    /// `NAME=value` for every exported variable with a value, for a child's environment.
    public mutating func environment() -> [String] {
        if let cachedEnvironment { return cachedEnvironment }
        var entries: [String] = []
        for (name, variable) in visibleVariables() where variable.isExported {
            if let value = variable.value { entries.append("\(name)=\(value)") }
        }
        cachedEnvironment = entries
        return entries
    }

    /// Every variable as seen from the current scope, sorted by name.
    public func visibleVariables() -> [(name: String, variable: Variable)] {
        var merged: [String: Variable] = [:]
        for scope in scopes {
            for (name, variable) in scope { merged[name] = variable }
        }
        return merged.sorted { $0.key.utf8.lexicographicallyPrecedes($1.key.utf8) }.map { ($0.key, $0.value) }
    }

    private mutating func modify(_ name: String, _ change: (inout Variable) -> Void) throws(VariableError) {
        let index = scopes.lastIndex { $0[name] != nil } ?? 0
        var variable = scopes[index][name] ?? Variable(value: nil)
        if variable.isReadOnly { throw VariableError(name: name, message: "readonly variable") }
        change(&variable)
        scopes[index][name] = variable
        if variable.isExported { cachedEnvironment = nil }
    }

    private mutating func modifyAttributes(_ name: String, _ change: (inout Variable) -> Void) {
        let index = scopes.lastIndex { $0[name] != nil } ?? 0
        var variable = scopes[index][name] ?? Variable(value: nil)
        change(&variable)
        scopes[index][name] = variable
        cachedEnvironment = nil
    }
}

/// Whether `name` is a valid variable name: a letter or underscore, then letters, digits, underscores.
public func isValidName(_ name: some StringProtocol) -> Bool {
    guard let first = name.utf8.first, isNameStart(first) else { return false }
    return name.utf8.dropFirst().allSatisfy(isNameByte)
}

@inline(__always) func isNameStart(_ byte: UInt8) -> Bool {
    (byte >= 0x61 && byte <= 0x7A) || (byte >= 0x41 && byte <= 0x5A) || byte == 0x5F
}

@inline(__always) func isNameByte(_ byte: UInt8) -> Bool {
    isNameStart(byte) || (byte >= 0x30 && byte <= 0x39)
}
