/// `export`, `readonly`, `unset`, `set`, `shift`, `getopts`.
extension Shell {
    func exportBuiltin(_ arguments: [String], readOnly: Bool) throws(Unwind) -> Int32 {
        let name = readOnly ? "readonly" : "export"
        let parsed = OptionLetters(arguments)
        let operands = parsed.operands
        var unexport = false
        for (letter, _) in parsed.letters {
            switch letter {
            case "p": break
            case "n" where !readOnly: unexport = true
            default:
                report("\(name): -\(letter): invalid option")
                throw .fatal(status: 2)
            }
        }
        if operands.isEmpty {
            var output = ""
            for (variableName, variable) in variables.visibleVariables()
            where readOnly ? variable.isReadOnly : variable.isExported {
                output += "\(name) \(variableName)"
                if let value = variable.value { output += "=\(quoteForDisplay(value))" }
                output += "\n"
            }
            try writeOutput(output)
            return 0
        }
        var status: Int32 = 0
        for operand in operands {
            let variableName: String
            var value: String? = nil
            if let equals = operand.firstIndex(of: "=") {
                variableName = String(operand[..<equals])
                value = String(operand[operand.index(after: equals)...])
            } else {
                variableName = operand
            }
            guard isValidName(variableName) else {
                report("\(name): `\(operand)': not a valid identifier")
                status = 1
                continue
            }
            if let value {
                do {
                    try variables.set(variableName, value)
                } catch {
                    report("\(variableName): \(error.message)")
                    throw .fatal(status: 1)
                }
            }
            if readOnly {
                variables.markReadOnly(variableName)
            } else if unexport {
                variables.unexport(variableName)
            } else {
                variables.export(variableName)
            }
        }
        return status
    }

    func unsetBuiltin(_ arguments: [String]) throws(Unwind) -> Int32 {
        var functionsOnly = false
        var variablesOnly = false
        let parsed = OptionLetters(arguments)
        let operands = parsed.operands
        for (letter, _) in parsed.letters {
            switch letter {
            case "f": functionsOnly = true; variablesOnly = false
            case "v": functionsOnly = false; variablesOnly = true
            default:
                report("unset: -\(letter): invalid option")
                throw .fatal(status: 2)
            }
        }
        var status: Int32 = 0
        for name in operands {
            if functionsOnly {
                functions[name] = nil
                continue
            }
            guard isValidName(name) else {
                report("unset: `\(name)': not a valid identifier")
                status = 1
                continue
            }
            if !variablesOnly, variables[name] == nil, functions[name] != nil {
                // bash: `unset name` falls back to a function when no variable has that name;
                // `unset -v name` never does.
                functions[name] = nil
                continue
            }
            do {
                try variables.unset(name)
            } catch {
                report("unset: \(name): \(error.message)")
                status = 1
            }
        }
        return status
    }

    func setBuiltin(_ arguments: [String]) throws(Unwind) -> Int32 {
        if arguments.isEmpty {
            var output = ""
            for (name, variable) in variables.visibleVariables() {
                guard let value = variable.value else { continue }
                output += "\(name)=\(quoteForDisplay(value))\n"
            }
            try writeOutput(output)
            return 0
        }
        var index = 0
        var newParameters: [String]? = nil
        while index < arguments.count {
            let argument = arguments[index]
            guard let sign = argument.first, sign == "-" || sign == "+" else {
                newParameters = Array(arguments[index...])
                break
            }
            let enable = sign == "-"
            if argument == "--" {
                newParameters = Array(arguments[(index + 1)...])
                break
            }
            if argument == "-" {
                // `set -`: turn off -v and -x, the rest are parameters.
                options.verbose = false
                options.xtrace = false
                newParameters = Array(arguments[(index + 1)...])
                if newParameters!.isEmpty { newParameters = nil }
                break
            }
            for letter in argument.dropFirst() {
                if letter == "o" {
                    index += 1
                    guard index < arguments.count else {
                        try printOptions(reusable: !enable)
                        return 0
                    }
                    guard let option = ShellOption.named(arguments[index]) else {
                        report("set: \(arguments[index]): invalid option name")
                        throw .fatal(status: 2)
                    }
                    options[option] = enable
                    continue
                }
                guard let option = ShellOption.withLetter(letter) else {
                    report("set: \(sign)\(letter): invalid option")
                    throw .fatal(status: 2)
                }
                options[option] = enable
            }
            index += 1
        }
        if let newParameters { positionalParameters = newParameters }
        return 0
    }

    private func printOptions(reusable: Bool) throws(Unwind) {
        var output = ""
        for option in ShellOption.byName {
            let name = option.name!
            let on = options[option]
            if reusable {
                output += "set \(on ? "-" : "+")o \(name)\n"
            } else {
                output += name.padding(to: 15) + (on ? "on" : "off") + "\n"
            }
        }
        try writeOutput(output)
    }

    func shiftBuiltin(_ arguments: [String]) throws(Unwind) -> Int32 {
        var count = 1
        if let first = arguments.first {
            guard let number = Int(first), number >= 0 else {
                report("shift: \(first): numeric argument required")
                throw .fatal(status: 2)
            }
            count = number
        }
        guard count <= positionalParameters.count else {
            report("shift: shift count out of range")
            return 1
        }
        positionalParameters.removeFirst(count)
        return 0
    }

    func getoptsBuiltin(_ arguments: [String]) throws(Unwind) -> Int32 {
        guard arguments.count >= 2 else {
            return usageError("getopts", "usage: getopts optstring name [arg ...]")
        }
        let optstring = arguments[0]
        let name = arguments[1]
        guard isValidName(name) else {
            report("getopts: `\(name)': not a valid identifier")
            return 1
        }
        let operands = arguments.count > 2 ? Array(arguments.dropFirst(2)) : positionalParameters
        let optind = Int(variables.value("OPTIND") ?? "1") ?? 1
        // The position inside a group of letters (`-abc`) is kept while OPTIND is unchanged.
        let charIndex = getoptsPosition.optind == optind ? getoptsPosition.charIndex : 0
        let result = Getopts.next(
            optstring: optstring, arguments: operands, state: GetoptsState(optind: max(optind, 1), charIndex: charIndex))
        getoptsPosition = result.state
        if let diagnostic = result.diagnostic { report(diagnostic) }
        do {
            try assignVariable(name, result.name)
            try assignVariable("OPTIND", String(result.state.optind))
            if let optarg = result.optarg {
                try assignVariable("OPTARG", optarg)
            } else {
                try variables.unset("OPTARG")
            }
        } catch {
            report("getopts: \(error.name): \(error.message)")
            return 2
        }
        return result.status
    }
}

extension String {
    func padding(to width: Int) -> String {
        count >= width ? self + " " : self + String(repeating: " ", count: width - count)
    }
}
