import DoshSystem

#if canImport(Glibc)
    import Glibc
#endif

/// `type`, `command`, `alias`, `unalias`, `hash`.
extension Shell {
    /// What a command name means, in lookup order.
    enum CommandKind {
        case alias(String)
        case keyword
        case function(FunctionDefinition)
        case specialBuiltin
        case builtin
        case file(String)
    }

    static let reservedWords: Set<String> = [
        "if", "then", "else", "elif", "fi", "do", "done", "case", "esac", "while", "until", "for", "in", "{", "}", "!", "[[", "]]",
        "time",
    ]

    func classify(_ name: String, includeAliases: Bool = true) -> CommandKind? {
        if includeAliases, let alias = aliases[name] { return .alias(alias) }
        if Self.reservedWords.contains(name) { return .keyword }
        if let builtin = Builtins.table[name], builtin.isSpecial { return .specialBuiltin }
        if let function = functions[name] { return .function(function) }
        if Builtins.table[name] != nil { return .builtin }
        if case .found(let path) = findCommand(name), access(path, X_OK) == 0 { return .file(path) }
        return nil
    }

    /// `NAME is a shell builtin` and the like, as `type` and `command -V` say it.
    private func describe(_ name: String, _ kind: CommandKind) -> String {
        switch kind {
        case .alias(let value): return "\(name) is aliased to `\(value)'"
        case .keyword: return "\(name) is a shell keyword"
        case .function: return "\(name) is a function"
        case .specialBuiltin: return "\(name) is a special shell builtin"
        case .builtin: return "\(name) is a shell builtin"
        case .file(let path): return "\(name) is \(path)"
        }
    }

    /// `type [-tpP] NAME…`: what each name means (`-t`: one word for it; `-p`: a file's path
    /// only; `-P`: the path even of a builtin's name). `!NAME` asks the host.
    func typeBuiltin(_ arguments: [String]) throws(Unwind) -> Int32 {
        var form: Character? = nil
        let parsed = OptionLetters(arguments)
        for (letter, _) in parsed.letters {
            switch letter {
            case "t", "p", "P": form = letter
            case "a", "f": break  // every definition / no functions: the first one serves
            default: return usageError("type", "-\(letter): invalid option")
            }
        }
        var status: Int32 = 0
        var output = ""
        func notFound(_ name: String) throws(Unwind) {
            try writeOutput(output)
            output = ""
            // bash is silent about a name -t or -p does not know; only the status tells.
            if form == nil { report("type: \(name): not found") }
            status = 1
        }
        for name in parsed.operands {
            if name.count > 1, name.hasPrefix("!") {
                switch hostCommandKind(String(name.dropFirst())) {
                case .builtin?:
                    switch form {
                    case "t": output += "builtin\n"
                    case "p": break
                    case "P": try notFound(name)
                    default: output += "\(name) is a shell builtin on the host\n"
                    }
                case .file(let path)?:
                    switch form {
                    case "t": output += "file\n"
                    case "p", "P": output += "!\(path)\n"
                    default: output += "\(name) is \(path) on the host\n"
                    }
                case nil:
                    try notFound(name)
                }
                continue
            }
            let wasHashed = commandPaths[name] != nil
            let kind = form == "P" ? searchPath(name).map { CommandKind.file($0) } : classify(name)
            switch (kind, form) {
            case (nil, _):
                try notFound(name)
            case (let kind?, "t"?):
                output += kindWord(kind) + "\n"
            case (.file(let path)?, "p"?), (.file(let path)?, "P"?):
                output += path + "\n"
            case (_, "p"?):
                break
            case (.function(let function)?, _):
                output += "\(name) is a function\n" + Command.function(function).sourceText + "\n"
            case (.file(let path)?, _) where wasHashed && !name.contains("/"):
                output += "\(name) is hashed (\(path))\n"
            case (let kind?, _):
                output += describe(name, kind) + "\n"
            }
        }
        try writeOutput(output)
        return status
    }

    /// `type -t`'s word for a kind, as bash's.
    private func kindWord(_ kind: CommandKind) -> String {
        switch kind {
        case .alias: "alias"
        case .keyword: "keyword"
        case .function: "function"
        case .specialBuiltin, .builtin: "builtin"
        case .file: "file"
        }
    }

    func commandBuiltin(_ arguments: [String]) throws(Unwind) -> Int32 {
        var describe: Character? = nil
        let parsed = OptionLetters(arguments)
        for (letter, _) in parsed.letters {
            switch letter {
            case "v", "V": describe = letter
            case "p": break
            default: return usageError("command", "-\(letter): invalid option")
            }
        }
        let operands = Array(parsed.operands)
        guard let name = operands.first else { return 0 }
        if let describe {
            var status: Int32 = 0
            for name in operands {
                let line: String?
                if name.count > 1, name.hasPrefix("!") {
                    switch hostCommandKind(String(name.dropFirst())) {
                    case .builtin?: line = describe == "v" ? name : "\(name) is a shell builtin on the host"
                    case .file(let path)?: line = describe == "v" ? "!\(path)" : "\(name) is \(path) on the host"
                    case nil: line = nil
                    }
                } else {
                    switch classify(name) {
                    case .alias(let value)? where describe == "v": line = "alias \(name)=\(quoteForDisplay(value))"
                    case .file(let path)? where describe == "v": line = path
                    case _? where describe == "v": line = name
                    case let kind?: line = self.describe(name, kind)
                    case nil: line = nil
                    }
                }
                if let line {
                    try writeOutput(line + "\n")
                } else {
                    if describe == "V" { report("command: \(name): not found") }
                    status = 1
                }
            }
            return status
        }
        // `command name args`: run name skipping functions; special builtins lose their
        // specialness (their errors no longer end the shell).
        if let builtin = Builtins.table[name] {
            do {
                return try runBuiltin(builtin, Array(operands.dropFirst()))
            } catch .fatal(let status) {
                return status
            }
        }
        let simple = SimpleCommand(words: operands.map { Word.init([.quoted($0)]) }, line: currentLine)
        let savedFunctions = functions
        functions = [:]
        defer { functions = savedFunctions }
        return try runSimpleCommand(simple)
    }

    func aliasBuiltin(_ arguments: [String]) throws(Unwind) -> Int32 {
        var operands = arguments[...]
        if operands.first == "-p" || operands.first == "--" { operands = operands.dropFirst() }
        if operands.isEmpty {
            var output = ""
            for name in aliases.keys.sorted() { output += "\(name)=\(quoteForDisplay(aliases[name]!))\n" }
            try writeOutput(output)
            return 0
        }
        var status: Int32 = 0
        for operand in operands {
            if let equals = operand.firstIndex(of: "=") {
                aliases[String(operand[..<equals])] = String(operand[operand.index(after: equals)...])
            } else if let value = aliases[operand] {
                try writeOutput("\(operand)=\(quoteForDisplay(value))\n")
            } else {
                report("alias: \(operand): not found")
                status = 1
            }
        }
        return status
    }

    func unaliasBuiltin(_ arguments: [String]) throws(Unwind) -> Int32 {
        if arguments.first == "-a" {
            aliases = [:]
            return 0
        }
        var status: Int32 = 0
        for name in arguments {
            if aliases.removeValue(forKey: name) == nil {
                report("unalias: \(name): not found")
                status = 1
            }
        }
        return status
    }

    func hashBuiltin(_ arguments: [String]) throws(Unwind) -> Int32 {
        if arguments.first == "-r" {
            commandPaths = [:]
            return 0
        }
        if arguments.isEmpty {
            var output = ""
            for name in commandPaths.keys.sorted() { output += "\(commandPaths[name]!)\n" }
            try writeOutput(output)
            return 0
        }
        var status: Int32 = 0
        for name in arguments {
            if Builtins.table[name] != nil || functions[name] != nil { continue }
            if findCommand(name) == .notFound {
                report("hash: \(name): not found")
                status = 1
            }
        }
        return status
    }
}
