/// One usage line and one line of description for every builtin, for `help`.
enum HelpText {
    static let entries: [String: (usage: String, summary: String)] = [
        ":": (": [arguments]", "Do nothing, successfully."),
        ".": (". file [arguments]", "Run the commands of a file in this shell."),
        "[": ("[ expression ]", "Evaluate a conditional expression (as test)."),
        "alias": ("alias [name[=value] ...]", "Define or list aliases."),
        "bg": ("bg [job ...]", "Resume jobs in the background."),
        "break": ("break [n]", "Leave the n innermost loops."),
        "cd": ("cd [-L|-P] [dir]", "Change the working directory."),
        "command": ("command [-pVv] name [argument ...]", "Run a command, bypassing functions, or describe it."),
        "continue": ("continue [n]", "Go on with the next pass of the n-th enclosing loop."),
        "declare": ("declare [-gprx] [+rx] [name[=value] ...]", "Set variables and their attributes, or show them."),
        "dirs": ("dirs [-clpv] [+N] [-N]", "Show the directory stack."),
        "disown": ("disown [job ...]", "Remove jobs from the job table."),
        "echo": ("echo [-neE] [argument ...]", "Write the arguments to standard output."),
        "eval": ("eval [argument ...]", "Run the arguments as a command."),
        "exec": ("exec [command [argument ...]]", "Replace the shell with a command, or keep redirections."),
        "exit": ("exit [n]", "Exit the shell with status n."),
        "export": ("export [-n] [name[=value] ...] or export -p", "Mark variables for the environment of commands."),
        "false": ("false", "Fail: return status 1."),
        "fc": ("fc [-e editor] [-lnr] [first [last]] or fc -s [old=new] [first]", "List, edit and run commands from the history."),
        "fg": ("fg [job]", "Bring a job to the foreground."),
        "getopts": ("getopts optstring name [argument ...]", "Parse options of a script or function."),
        "hash": ("hash [-r] [name ...]", "Remember or show where commands are found."),
        "help": ("help [pattern ...]", "Show what the builtins do."),
        "history": ("history [-c] [-d offset] [n]", "Show the last n commands of the history, or forget some or all."),
        "jobs": ("jobs [-lp] [job ...]", "List the jobs."),
        "kill": ("kill [-s signal | -signal] pid | job ... or kill -l [status]", "Send a signal to processes or jobs."),
        "local": ("local [-rx] [name[=value] ...]", "Declare variables local to the function."),
        "popd": ("popd [-n] [+N | -N]", "Remove a directory from the stack and change to the new top."),
        "printf": ("printf format [arguments]", "Write the arguments under control of a format."),
        "pushd": ("pushd [-n] [+N | -N | dir]", "Save the working directory on the stack and change directory."),
        "pwd": ("pwd [-LP]", "Print the working directory."),
        "read": ("read [-r] [name ...]", "Read a line from standard input into variables."),
        "readonly": ("readonly [name[=value] ...] or readonly -p", "Make variables read-only."),
        "return": ("return [n]", "Return from a function or sourced file with status n."),
        "set": ("set [-abefhmnuvxC] [-o option] [argument ...]", "Set shell options or positional parameters."),
        "shift": ("shift [n]", "Shift the positional parameters left by n."),
        "shopt": ("shopt [-pqsu] [optname ...]", "Set or show the bash options dosh knows (globstar)."),
        "source": ("source file [arguments]", "Run the commands of a file in this shell."),
        "test": ("test [expression]", "Evaluate a conditional expression."),
        "times": ("times", "Show the user and system times of the shell and its children."),
        "trap": ("trap [-lp] [[action] signal ...]", "Run an action when the shell gets a signal."),
        "true": ("true", "Succeed: return status 0."),
        "type": ("type name ...", "Tell how each name would be run."),
        "typeset": ("typeset [-gprx] [+rx] [name[=value] ...]", "Set variables and their attributes (as declare)."),
        "ulimit": ("ulimit [-SHa] [-cdefilmnpqrstuvxR] [limit]", "Show or set resource limits."),
        "umask": ("umask [-S] [mode]", "Show or set the file creation mask."),
        "unalias": ("unalias [-a] name ...", "Remove aliases."),
        "unset": ("unset [-fv] name ...", "Remove variables or functions."),
        "wait": ("wait [pid | job ...]", "Wait for background jobs to end."),
    ]
}

#if canImport(Glibc)
    import Glibc
#endif

/// `help`: every builtin on one line, or the usage of those matching the patterns.
extension Shell {
    func helpBuiltin(_ arguments: [String]) throws(Unwind) -> Int32 {
        let names = Builtins.table.keys.sorted()
        guard !arguments.isEmpty else {
            let width = names.map(\.count).max() ?? 0
            var output = "dosh builtins (help NAME tells more):\n"
            for name in names {
                let summary = HelpText.entries[name]?.summary ?? ""
                output += name + String(repeating: " ", count: width + 2 - name.count) + summary + "\n"
            }
            try writeOutput(output)
            return 0
        }
        var output = ""
        var status: Int32 = 0
        for pattern in arguments {
            let matching = names.filter { fnmatch(pattern, $0, 0) == 0 }
            guard !matching.isEmpty else {
                report("help: no help topics match `\(pattern)'")
                status = 1
                continue
            }
            for name in matching {
                let entry = HelpText.entries[name] ?? (name, "")
                output += "\(name): \(entry.usage)\n    \(entry.summary)\n"
            }
        }
        try writeOutput(output)
        return status
    }
}
