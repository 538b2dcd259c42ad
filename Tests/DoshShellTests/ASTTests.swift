import Testing
@testable import DoshShell

@Test func redirectionDefaultsToStandardStreams() {
    #expect(Redirection(fd: nil, op: .input, target: .literal("f")).effectiveFD == 0)
    #expect(Redirection(fd: nil, op: .append, target: .literal("f")).effectiveFD == 1)
    #expect(Redirection(fd: 2, op: .output, target: .literal("f")).effectiveFD == 2)
}
