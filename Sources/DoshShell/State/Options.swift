/// One `set` option.
public enum ShellOption: CaseIterable, Sendable {
    case allExport, errExit, noGlob, interactive, monitor, noExec, noUnset, verbose, xtrace, noClobber
    case pipeFail, ignoreEOF, vi, emacs

    /// The letter of `set -X`, in the order `$-` lists them.
    var letter: Character? {
        switch self {
        case .allExport: return "a"
        case .errExit: return "e"
        case .noGlob: return "f"
        case .interactive: return "i"
        case .monitor: return "m"
        case .noExec: return "n"
        case .noUnset: return "u"
        case .verbose: return "v"
        case .xtrace: return "x"
        case .noClobber: return "C"
        case .pipeFail, .ignoreEOF, .vi, .emacs: return nil
        }
    }

    /// The name of `set -o NAME`; nil for options only the shell sets.
    var name: String? {
        switch self {
        case .allExport: return "allexport"
        case .errExit: return "errexit"
        case .noGlob: return "noglob"
        case .interactive: return nil
        case .monitor: return "monitor"
        case .noExec: return "noexec"
        case .noUnset: return "nounset"
        case .verbose: return "verbose"
        case .xtrace: return "xtrace"
        case .noClobber: return "noclobber"
        case .pipeFail: return "pipefail"
        case .ignoreEOF: return "ignoreeof"
        case .vi: return "vi"
        case .emacs: return "emacs"
        }
    }

    static func withLetter(_ letter: Character) -> ShellOption? {
        allCases.first { $0.letter == letter && $0 != .interactive }
    }

    static func named(_ name: String) -> ShellOption? {
        allCases.first { $0.name == name }
    }

    /// `set -o` lists options in name order.
    static var byName: [ShellOption] {
        allCases.filter { $0.name != nil }.sorted { $0.name! < $1.name! }
    }
}

/// The state of the `set` options.
public struct ShellOptions: Sendable, Equatable {
    public var allExport = false
    public var errExit = false
    public var noGlob = false
    public var noUnset = false
    public var verbose = false
    public var xtrace = false
    public var noClobber = false
    public var noExec = false
    public var monitor = false
    public var pipeFail = false
    public var ignoreEOF = false
    public var vi = false
    public var interactive = false
    /// `shopt -s globstar` (bash): `**` in a pattern matches across directories.
    public var globStar = false

    public init() {}

    public subscript(option: ShellOption) -> Bool {
        get {
            switch option {
            case .allExport: return allExport
            case .errExit: return errExit
            case .noGlob: return noGlob
            case .interactive: return interactive
            case .monitor: return monitor
            case .noExec: return noExec
            case .noUnset: return noUnset
            case .verbose: return verbose
            case .xtrace: return xtrace
            case .noClobber: return noClobber
            case .pipeFail: return pipeFail
            case .ignoreEOF: return ignoreEOF
            case .vi: return vi
            case .emacs: return !vi
            }
        }
        set {
            switch option {
            case .allExport: allExport = newValue
            case .errExit: errExit = newValue
            case .noGlob: noGlob = newValue
            case .interactive: interactive = newValue
            case .monitor: monitor = newValue
            case .noExec: noExec = newValue
            case .noUnset: noUnset = newValue
            case .verbose: verbose = newValue
            case .xtrace: xtrace = newValue
            case .noClobber: noClobber = newValue
            case .pipeFail: pipeFail = newValue
            case .ignoreEOF: ignoreEOF = newValue
            case .vi: vi = newValue
            case .emacs: vi = !newValue
            }
        }
    }

    /// The value of `$-`.
    public var flags: String {
        var flags = ""
        for option in ShellOption.allCases {
            if let letter = option.letter, self[option] { flags.append(letter) }
        }
        return flags
    }
}
