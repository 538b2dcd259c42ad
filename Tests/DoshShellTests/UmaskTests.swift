import Testing
@testable import DoshShell

/// Results recorded from bash 5.2 with the mask 0027 in force.
@Test(arguments: [
    ("022", 0o022), ("0", 0), ("777", 0o777), ("1777", 0o777), ("7777", 0o777),
    ("u=rwx,g=rx,o=", 0o027), ("g-w", 0o027), ("a+r", 0o023), ("=r", 0o333), ("+w", 0o005),
    ("ug=r", 0o337), ("u=", 0o727), ("go=", 0o077), ("a=rwx", 0), ("u+rw,g-x", 0o037),
    ("o+x,o-x", 0o027), ("uu=r", 0o327), ("ugoa-rwx", 0o777), ("+r,+w", 0o001),
    ("u=rwx,g=rx,o=rx", 0o022),
] as [(String, UInt32)])
func umaskParsesLikeBash(_ text: String, _ expected: UInt32) {
    #expect(UmaskMode.parse(text, current: 0o027) == expected)
}

@Test(arguments: [
    ("17777", "17777: octal number out of range"), ("8", "8: octal number out of range"),
    ("0o22", "0o22: octal number out of range"), ("022 ", "022 : octal number out of range"),
    ("u+r-w", "`-': invalid symbolic mode character"),
    ("u=rwxX", "`X': invalid symbolic mode character"),
    ("g=u", "`u': invalid symbolic mode character"),
    ("", "` ': invalid symbolic mode operator"), (",", "`,': invalid symbolic mode operator"),
    ("u=r,", "` ': invalid symbolic mode operator"), ("z=r", "`z': invalid symbolic mode operator"),
    ("u", "` ': invalid symbolic mode operator"), (" 022", "` ': invalid symbolic mode operator"),
])
func umaskRejectsLikeBash(_ text: String, _ message: String) {
    #expect(UmaskMode.parse(text, current: 0o027) == nil)
    #expect(throws: UmaskError(message)) { try UmaskMode.mask(from: text, current: 0o027) }
}

@Test func umaskPrintsOctal() {
    #expect(UmaskMode.octal(0o022) == "0022")
    #expect(UmaskMode.octal(0) == "0000")
    #expect(UmaskMode.octal(0o777) == "0777")
}

@Test func umaskPrintsSymbolic() {
    #expect(UmaskMode.symbolic(0o022) == "u=rwx,g=rx,o=rx")
    #expect(UmaskMode.symbolic(0o027) == "u=rwx,g=rx,o=")
    #expect(UmaskMode.symbolic(0o777) == "u=,g=,o=")
    #expect(UmaskMode.symbolic(0o005) == "u=rwx,g=rwx,o=w")
}

@Test func umaskSymbolicRoundTrips() {
    for mask in UInt32(0)...0o777 {
        #expect(UmaskMode.parse(UmaskMode.symbolic(mask), current: 0o022) == mask)
        #expect(UmaskMode.parse(UmaskMode.octal(mask), current: 0o022) == mask)
    }
}
