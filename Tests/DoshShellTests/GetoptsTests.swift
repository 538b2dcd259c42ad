import Testing
@testable import DoshShell

/// Runs getopts to the end like `while getopts …` does and renders each step the way the
/// bash loop `echo "$name ${OPTARG-unset} $OPTIND"` prints it.
private func loop(_ optstring: String, _ arguments: [String]) -> [String] {
    var state = GetoptsState()
    var lines: [String] = []
    for _ in 0..<100 {
        let result = Getopts.next(optstring: optstring, arguments: arguments, state: state)
        state = result.state
        var line = "\(result.name) \(result.optarg ?? "unset") \(state.optind)"
        if let diagnostic = result.diagnostic { line = "[\(diagnostic)] " + line }
        if result.status != 0 { return lines + ["end " + line] }
        lines.append(line)
    }
    return lines
}

@Test func getoptsSeparateWordsAndArguments() {
    #expect(loop("ab:c", ["-a", "-b", "x", "-c", "rest"]) == [
        "a unset 2", "b x 4", "c unset 5", "end ? unset 5",
    ])
}

@Test func getoptsGroupedWords() {
    #expect(loop("ab:c", ["-acb", "val", "y"]) == [
        "a unset 1", "c unset 1", "b val 3", "end ? unset 3",
    ])
    #expect(loop("ab:c", ["-abval"]) == ["a unset 1", "b val 2", "end ? unset 2"])
    #expect(loop("a", ["-aa", "x", "-a"]) == ["a unset 1", "a unset 2", "end ? unset 2"])
}

@Test func getoptsEndMarkers() {
    #expect(loop("ab:c", ["--", "-a"]) == ["end ? unset 2"])
    #expect(loop("ab:c", ["-", "-a"]) == ["end ? unset 1"])
    #expect(loop("a", []) == ["end ? unset 1"])
    #expect(loop("a", ["file", "-a"]) == ["end ? unset 1"])
    // An option argument may look like `--`.
    #expect(loop("a:", ["-a", "--"]) == ["a -- 3", "end ? unset 3"])
}

@Test func getoptsErrorsWithDiagnostics() {
    #expect(loop("ab:c", ["-z", "-b"]) == [
        "[illegal option -- z] ? unset 2",
        "[option requires an argument -- b] ? unset 3",
        "end ? unset 3",
    ])
    #expect(loop("a", ["-a", "-a", "-:"]) == [
        "a unset 2", "a unset 3", "[illegal option -- :] ? unset 4", "end ? unset 4",
    ])
    #expect(loop("", ["-x"]) == ["[illegal option -- x] ? unset 2", "end ? unset 2"])
}

@Test func getoptsSilentMode() {
    #expect(loop(":ab:c", ["-z", "-b"]) == ["? z 2", ": b 3", "end ? unset 3"])
    #expect(loop(":b:", ["-b"]) == [": b 2", "end ? unset 2"])
}

@Test func getoptsSurvivesStaleState() {
    // OPTIND past the end, zero, or a character position that no longer fits.
    let past = Getopts.next(optstring: "a", arguments: ["-a"], state: GetoptsState(optind: 9))
    #expect(past.status == 1 && past.state.optind == 9)
    let zero = Getopts.next(optstring: "a", arguments: ["-a"], state: GetoptsState(optind: 0))
    #expect(zero.name == "a" && zero.state == GetoptsState(optind: 2, charIndex: 0))
    let stale = Getopts.next(
        optstring: "a", arguments: ["-a"], state: GetoptsState(optind: 1, charIndex: 7))
    #expect(stale.name == "a" && stale.status == 0)
}

@Test func getoptsNeverCrashesOnRandomInput() {
    var random = SeededGenerator(state: 0x6E7)
    let words = ["-", "--", "-a", "-ab", "-bx", "-z", "x", "", "-:", "-é", "-abc"]
    let optstrings = ["", ":", "a", "ab:", ":ab:c", "b::", "é:", "a:b:c:"]
    for _ in 0..<2000 {
        var arguments: [String] = []
        for _ in 0..<Int.random(in: 0...5, using: &random) {
            arguments.append(words.randomElement(using: &random) ?? "")
        }
        let optstring = optstrings.randomElement(using: &random) ?? ""
        var state = GetoptsState(
            optind: Int.random(in: -1...7, using: &random),
            charIndex: Int.random(in: -1...4, using: &random))
        var steps = 0
        while steps < 50 {
            let result = Getopts.next(optstring: optstring, arguments: arguments, state: state)
            state = result.state
            steps += 1
            if result.status != 0 { break }
        }
        #expect(steps < 50)
    }
}
