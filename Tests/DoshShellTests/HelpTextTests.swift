import Testing

@testable import DoshShell

@Suite struct HelpTextTests {
    /// A builtin added without a help line would show an empty one.
    @Test func everyBuiltinHasHelp() {
        for name in Builtins.table.keys {
            #expect(HelpText.entries[name] != nil, "no help for \(name)")
        }
        for name in HelpText.entries.keys {
            #expect(Builtins.table[name] != nil, "help for \(name), which is not a builtin")
        }
    }
}
