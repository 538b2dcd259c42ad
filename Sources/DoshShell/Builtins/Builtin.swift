/// A command built into the shell.
struct Builtin: Sendable {
    let name: String
    /// POSIX special builtins: their assignments persist and their errors end a script.
    let isSpecial: Bool
    let run: @Sendable (Shell, [String]) throws(Unwind) -> Int32
}

enum Builtins {
    static let table: [String: Builtin] = {
        var table: [String: Builtin] = [:]
        func add(_ name: String, special: Bool = false, _ run: @escaping @Sendable (Shell, [String]) throws(Unwind) -> Int32) {
            table[name] = Builtin(name: name, isSpecial: special, run: run)
        }
        // Special builtins (POSIX 2.14).
        add(":", special: true) { _, _ in 0 }
        add("break", special: true) { shell, arguments throws(Unwind) in try shell.breakBuiltin(arguments, isBreak: true) }
        add("continue", special: true) { shell, arguments throws(Unwind) in try shell.breakBuiltin(arguments, isBreak: false) }
        add(".", special: true) { shell, arguments throws(Unwind) in try shell.sourceBuiltin(arguments) }
        add("eval", special: true) { shell, arguments throws(Unwind) in try shell.evalBuiltin(arguments) }
        add("exec", special: true) { shell, arguments throws(Unwind) in try shell.execBuiltin(arguments) }
        add("exit", special: true) { shell, arguments throws(Unwind) in try shell.exitBuiltin(arguments) }
        add("export", special: true) { shell, arguments throws(Unwind) in try shell.exportBuiltin(arguments, readOnly: false) }
        add("readonly", special: true) { shell, arguments throws(Unwind) in try shell.exportBuiltin(arguments, readOnly: true) }
        add("return", special: true) { shell, arguments throws(Unwind) in try shell.returnBuiltin(arguments) }
        add("set", special: true) { shell, arguments throws(Unwind) in try shell.setBuiltin(arguments) }
        add("shift", special: true) { shell, arguments throws(Unwind) in try shell.shiftBuiltin(arguments) }
        add("times", special: true) { shell, arguments throws(Unwind) in try shell.timesBuiltin(arguments) }
        add("trap", special: true) { shell, arguments throws(Unwind) in try shell.trapBuiltin(arguments) }
        add("unset", special: true) { shell, arguments throws(Unwind) in try shell.unsetBuiltin(arguments) }
        // Regular builtins.
        add("true") { _, _ in 0 }
        add("false") { _, _ in 1 }
        add("source") { shell, arguments throws(Unwind) in try shell.sourceBuiltin(arguments) }
        add("cd") { shell, arguments throws(Unwind) in try shell.cdBuiltin(arguments) }
        add("pushd") { shell, arguments throws(Unwind) in try shell.pushdBuiltin(arguments) }
        add("popd") { shell, arguments throws(Unwind) in try shell.popdBuiltin(arguments) }
        add("dirs") { shell, arguments throws(Unwind) in try shell.dirsBuiltin(arguments) }
        add("pwd") { shell, arguments throws(Unwind) in try shell.pwdBuiltin(arguments) }
        add("local") { shell, arguments throws(Unwind) in try shell.declareBuiltin(arguments, name: "local") }
        add("declare") { shell, arguments throws(Unwind) in try shell.declareBuiltin(arguments, name: "declare") }
        add("typeset") { shell, arguments throws(Unwind) in try shell.declareBuiltin(arguments, name: "typeset") }
        add("echo") { shell, arguments throws(Unwind) in try shell.echoBuiltin(arguments) }
        add("printf") { shell, arguments throws(Unwind) in try shell.printfBuiltin(arguments) }
        add("read") { shell, arguments throws(Unwind) in try shell.readBuiltin(arguments) }
        add("test") { shell, arguments throws(Unwind) in try shell.testBuiltin(arguments, bracket: false) }
        add("[") { shell, arguments throws(Unwind) in try shell.testBuiltin(arguments, bracket: true) }
        add("type") { shell, arguments throws(Unwind) in try shell.typeBuiltin(arguments) }
        add("command") { shell, arguments throws(Unwind) in try shell.commandBuiltin(arguments) }
        add("alias") { shell, arguments throws(Unwind) in try shell.aliasBuiltin(arguments) }
        add("unalias") { shell, arguments throws(Unwind) in try shell.unaliasBuiltin(arguments) }
        add("hash") { shell, arguments throws(Unwind) in try shell.hashBuiltin(arguments) }
        add("wait") { shell, arguments throws(Unwind) in try shell.waitBuiltin(arguments) }
        add("ulimit") { shell, arguments throws(Unwind) in try shell.ulimitBuiltin(arguments) }
        add("umask") { shell, arguments throws(Unwind) in try shell.umaskBuiltin(arguments) }
        add("getopts") { shell, arguments throws(Unwind) in try shell.getoptsBuiltin(arguments) }
        add("history") { shell, arguments throws(Unwind) in try shell.historyBuiltin(arguments) }
        add("fc") { shell, arguments throws(Unwind) in try shell.fcBuiltin(arguments) }
        add("jobs") { shell, arguments throws(Unwind) in try shell.jobsBuiltin(arguments) }
        add("fg") { shell, arguments throws(Unwind) in try shell.fgBuiltin(arguments) }
        add("bg") { shell, arguments throws(Unwind) in try shell.bgBuiltin(arguments) }
        add("disown") { shell, arguments throws(Unwind) in try shell.disownBuiltin(arguments) }
        add("kill") { shell, arguments throws(Unwind) in try shell.killBuiltin(arguments) }
        add("help") { shell, arguments throws(Unwind) in try shell.helpBuiltin(arguments) }
        add("shopt") { shell, arguments throws(Unwind) in try shell.shoptBuiltin(arguments) }
        return table
    }()
}

extension Shell {
    /// Reports a builtin's usage error: `dosh: NAME: MESSAGE`, status 2.
    func usageError(_ name: String, _ message: String) -> Int32 {
        report("\(name): \(message)")
        return 2
    }
}
