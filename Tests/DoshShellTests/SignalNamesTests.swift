#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Testing
@testable import DoshShell

@Test func signalNumbersFromNames() {
    #expect(SignalNames.number(for: "INT") == SIGINT)
    #expect(SignalNames.number(for: "SIGINT") == SIGINT)
    #expect(SignalNames.number(for: "int") == SIGINT)
    #expect(SignalNames.number(for: "sigterm") == SIGTERM)
    #expect(SignalNames.number(for: "2") == 2)
    #expect(SignalNames.number(for: "EXIT") == 0)
    #expect(SignalNames.number(for: "0") == 0)
    #expect(SignalNames.number(for: "IOT") == SIGABRT)
    #expect(SignalNames.number(for: "CLD") == SIGCHLD)
}

@Test func signalNumbersRejectUnknown() {
    for name in ["", "FOO", "SIG", "-2", "2x", "999", "99999999999999999999", "32", "RTMIN-1",
                 "RTMAX+1", "RTMIN+", "RTMIN+x", "ERR", "DEBUG"] {
        #expect(SignalNames.number(for: name) == nil, "\(name)")
    }
}

@Test func signalNamesFromNumbers() {
    #expect(SignalNames.name(of: SIGINT) == "INT")
    #expect(SignalNames.name(of: SIGKILL) == "KILL")
    #expect(SignalNames.name(of: 0) == "EXIT")
    #expect(SignalNames.name(of: -1) == nil)
    #expect(SignalNames.name(of: 200) == nil)
}

#if os(Linux)
@Test func signalNamesUseLinuxNumbering() {
    #expect(SignalNames.number(for: "STKFLT") == 16)
    #expect(SignalNames.number(for: "PWR") == 30)
    #expect(SignalNames.number(for: "POLL") == 29)
    #expect(SignalNames.name(of: 29) == "IO")
    #expect(SignalNames.name(of: 32) == nil)
    // As `kill -l` prints them with glibc's real-time range 34…64.
    #expect(SignalNames.name(of: 34) == "RTMIN")
    #expect(SignalNames.name(of: 37) == "RTMIN+3")
    #expect(SignalNames.name(of: 49) == "RTMIN+15")
    #expect(SignalNames.name(of: 50) == "RTMAX-14")
    #expect(SignalNames.name(of: 64) == "RTMAX")
    #expect(SignalNames.number(for: "SIGRTMIN+3") == 37)
    #expect(SignalNames.number(for: "rtmax-1") == 63)
    let all = SignalNames.all
    #expect(all.map(\.number) == Array(1...31) + Array(34...64))
    #expect(all.prefix(3).map(\.name) == ["HUP", "INT", "QUIT"])
}
#endif

@Test func signalNamesRoundTrip() {
    for (number, name) in SignalNames.all {
        #expect(SignalNames.number(for: name) == number)
        #expect(SignalNames.number(for: "SIG" + name) == number)
        #expect(SignalNames.name(of: number) == name)
    }
}
