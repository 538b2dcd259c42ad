import Testing
@testable import DoshShell

@Suite struct VariableStoreTests {
    @Test func importsValidNamesFromTheEnvironmentAsExported() {
        let store = VariableStore(environment: ["HOME=/root", "A=b=c", "1BAD=x", "NOEQUALS"])
        #expect(store.value("HOME") == "/root")
        #expect(store.value("A") == "b=c")
        #expect(store["HOME"]?.isExported == true)
        #expect(store.value("1BAD") == nil)
        #expect(store.value("NOEQUALS") == nil)
    }

    @Test func readOnlyVariablesRefuseAssignmentAndUnset() throws {
        var store = VariableStore(environment: [])
        try store.set("X", "1")
        store.markReadOnly("X")
        #expect(throws: VariableError.self) { try store.set("X", "2") }
        #expect(throws: VariableError.self) { try store.unset("X") }
        #expect(store.value("X") == "1")
    }

    @Test func localsAreDynamicallyScopedAndHideGlobals() throws {
        var store = VariableStore(environment: [])
        try store.set("X", "global")
        store.pushScope()
        store.declareLocal("X")
        #expect(store.value("X") == nil)
        try store.set("X", "local")
        store.pushScope()
        // A called function sees and changes the caller's local.
        try store.set("X", "changed")
        store.popScope()
        #expect(store.value("X") == "changed")
        store.popScope()
        #expect(store.value("X") == "global")
    }

    @Test func environmentListsExportedVariablesWithValues() throws {
        var store = VariableStore(environment: ["A=1"])
        try store.set("B", "2")
        #expect(store.environment() == ["A=1"])
        store.export("B")
        #expect(store.environment().sorted() == ["A=1", "B=2"])
        try store.unset("A")
        #expect(store.environment() == ["B=2"])
    }

    @Test func namesAreValidated() {
        #expect(isValidName("_a1"))
        #expect(isValidName("PATH"))
        #expect(!isValidName("1a"))
        #expect(!isValidName(""))
        #expect(!isValidName("a-b"))
    }
}

@Suite struct FieldSplittingTests {
    func split(_ pieces: [(String, quoted: Bool, splittable: Bool)], ifs: String? = nil) throws -> [String] {
        let shell = Shell(environment: [])
        if let ifs { try shell.variables.set("IFS", ifs) } else { try shell.variables.unset("IFS") }
        let tokens = pieces.map { ExpansionToken.piece(ExpandedPiece(text: $0.0, quoted: $0.quoted, splittable: $0.splittable)) }
        return shell.splitFields(tokens).map { $0.map(\.text).joined() }
    }

    @Test func whitespaceRunsSeparateAndTrim() throws {
        #expect(try split([("  a  b\tc\n", quoted: false, splittable: true)]) == ["a", "b", "c"])
    }

    @Test func nonWhitespaceDelimitersMakeEmptyFields() throws {
        #expect(try split([("a,,b,", quoted: false, splittable: true)], ifs: ",") == ["a", "", "b"])
        #expect(try split([(",b", quoted: false, splittable: true)], ifs: ",") == ["", "b"])
        #expect(try split([("a , b", quoted: false, splittable: true)], ifs: " ,") == ["a", "b"])
        #expect(try split([("a, ,b", quoted: false, splittable: true)], ifs: " ,") == ["a", "", "b"])
    }

    @Test func literalTextJoinsTheAdjacentField() throws {
        #expect(try split([("x", quoted: false, splittable: false), (" b c ", quoted: false, splittable: true), ("y", quoted: false, splittable: false)]) == ["x", "b", "c", "y"])
        #expect(try split([("x", quoted: false, splittable: false), ("b c", quoted: false, splittable: true), ("y", quoted: false, splittable: false)]) == ["xb", "cy"])
    }

    @Test func emptyUnquotedExpansionVanishesButQuotedEmptyStays() throws {
        #expect(try split([("", quoted: false, splittable: true)]) == [])
        #expect(try split([("", quoted: true, splittable: false)]) == [""])
    }

    @Test func emptyIFSDoesNotSplit() throws {
        #expect(try split([("a b", quoted: false, splittable: true)], ifs: "") == ["a b"])
    }
}
