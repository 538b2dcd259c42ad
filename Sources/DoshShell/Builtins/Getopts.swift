/// Where `getopts` is in the argument list between calls.
public struct GetoptsState: Sendable, Equatable {
    /// OPTIND: the 1-based index of the next argument to look at.
    public var optind: Int
    /// Position of the next option letter inside a grouped word like `-abc`; 0 when the next
    /// option starts a new word.
    public var charIndex: Int

    public init(optind: Int = 1, charIndex: Int = 0) {
        self.optind = optind
        self.charIndex = charIndex
    }
}

/// One step of `getopts`.
public struct GetoptsResult: Sendable, Equatable {
    /// The value for the name variable: the option letter, `?` or `:`.
    public var name: String
    /// The value for OPTARG; nil means OPTARG is unset.
    public var optarg: String?
    /// The state for the next call (its `optind` is the new OPTIND).
    public var state: GetoptsState
    /// 0 while options remain, 1 at the end of the options.
    public var status: Int32
    /// A message to print when not in silent mode, e.g. `illegal option -- z`.
    public var diagnostic: String?

    public init(
        name: String, optarg: String?, state: GetoptsState, status: Int32, diagnostic: String?
    ) {
        self.name = name
        self.optarg = optarg
        self.state = state
        self.status = status
        self.diagnostic = diagnostic
    }
}

/// The POSIX `getopts` step function, with bash's choices.
///
/// Options end at the first word that does not start with `-`, at a lone `-`, and after `--`
/// (which is consumed). A leading `:` in the optstring selects silent mode: an unknown option
/// gives `?` with OPTARG set to the letter, a missing argument gives `:` with OPTARG set to
/// the letter, and there are no diagnostics.
public enum Getopts {
    /// Finds the next option in `arguments` (the positional parameters, `$1` first).
    public static func next(optstring: String, arguments: [String], state: GetoptsState)
        -> GetoptsResult
    {
        var spec = Array(optstring.unicodeScalars)
        let silent = spec.first == ":"
        if silent { spec.removeFirst() }

        var optind = max(state.optind, 1)
        var charIndex = state.charIndex

        func end() -> GetoptsResult {
            GetoptsResult(
                name: "?", optarg: nil, state: GetoptsState(optind: optind, charIndex: 0),
                status: 1, diagnostic: nil)
        }

        guard optind <= arguments.count else { return end() }
        let word = Array(arguments[optind - 1].unicodeScalars)
        // A position left over from other arguments (OPTIND or $@ changed) starts the word anew.
        if charIndex < 1 || charIndex >= word.count || word.first != "-" {
            charIndex = 0
        }
        if charIndex == 0 {
            guard word.count >= 2, word[0] == "-" else { return end() }
            if word.count == 2 && word[1] == "-" {
                optind += 1
                return end()
            }
            charIndex = 1
        }

        let letter = word[charIndex]
        let name = String(letter)
        charIndex += 1
        func advanceIfWordDone() {
            if charIndex >= word.count {
                optind += 1
                charIndex = 0
            }
        }
        func step(_ name: String, _ optarg: String?, _ diagnostic: String? = nil) -> GetoptsResult {
            GetoptsResult(
                name: name, optarg: optarg,
                state: GetoptsState(optind: optind, charIndex: charIndex), status: 0,
                diagnostic: silent ? nil : diagnostic)
        }

        guard letter != ":", let position = spec.firstIndex(of: letter) else {
            advanceIfWordDone()
            return step("?", silent ? name : nil, "illegal option -- \(name)")
        }
        let takesArgument = position + 1 < spec.count && spec[position + 1] == ":"
        guard takesArgument else {
            advanceIfWordDone()
            return step(name, nil)
        }

        if charIndex < word.count {
            let value = String(String.UnicodeScalarView(word[charIndex...]))
            optind += 1
            charIndex = 0
            return step(name, value)
        }
        optind += 1
        charIndex = 0
        guard optind <= arguments.count else {
            return silent
                ? step(":", name)
                : step("?", nil, "option requires an argument -- \(name)")
        }
        let value = arguments[optind - 1]
        optind += 1
        return step(name, value)
    }
}
