/// `declare`, `typeset` and `local`, as bash, for plain and exported variables: dosh has no
/// arrays, integers or other attributes, and says so.
extension Shell {
    private struct Declaration {
        var print = false
        var global = false
        var export: Bool? = nil
        var readOnly: Bool? = nil
    }

    /// `name` is the builtin as called; `local` always declares in the function's scope.
    func declareBuiltin(_ arguments: [String], name: String) throws(Unwind) -> Int32 {
        let isLocal = name == "local"
        if isLocal && functionDepth == 0 {
            report("local: can only be used in a function")
            return 1
        }
        var declaration = Declaration()
        let parsed = OptionLetters(arguments, plus: true)
        let operands = parsed.operands
        for (letter, on) in parsed.letters {
            switch letter {
            case "p": declaration.print = true
            case "g" where !isLocal: declaration.global = true
            case "x": declaration.export = on
            case "r": declaration.readOnly = on
            case "a", "A": return usageError(name, "-\(letter): arrays are not supported")
            case "i": return usageError(name, "-\(letter): integers are not supported")
            case "f", "F", "l", "u", "n", "t", "I":
                return usageError(name, "-\(letter): this attribute is not supported")
            default: return usageError(name, "-\(letter): invalid option")
            }
        }
        // bash's `local` alone lists the function's locals; dosh does not keep them apart.
        if isLocal && operands.isEmpty && !declaration.print { return 0 }
        if declaration.print || operands.isEmpty {
            return try printDeclarations(Array(operands), declaration, name: name)
        }
        let makeLocal = isLocal || (functionDepth > 0 && !declaration.global)
        var status: Int32 = 0
        for operand in operands {
            var variableName = operand
            var value: String? = nil
            if let equals = operand.firstIndex(of: "=") {
                variableName = String(operand[..<equals])
                value = String(operand[operand.index(after: equals)...])
            }
            guard isValidName(variableName) else {
                report("\(name): `\(operand)': not a valid identifier")
                status = 1
                continue
            }
            if declaration.readOnly == false, variables[variableName]?.isReadOnly == true {
                report("\(name): \(variableName): readonly variable")
                status = 1
                continue
            }
            if makeLocal { variables.declareLocal(variableName) } else { variables.declare(variableName) }
            if let value {
                do {
                    try variables.set(variableName, value)
                } catch {
                    report("\(name): \(variableName): \(error.message)")
                    status = 1
                    continue
                }
            }
            switch declaration.export {
            case true?: variables.export(variableName)
            case false?: variables.unexport(variableName)
            case nil: break
            }
            if declaration.readOnly == true { variables.markReadOnly(variableName) }
        }
        return status
    }

    /// `declare -p`: the named variables, or every one with the attributes asked for, as commands
    /// that would recreate them. Plain `declare` lists `name=value` as `set` does.
    private func printDeclarations(_ names: [String], _ declaration: Declaration, name: String) throws(Unwind)
        -> Int32
    {
        var output = ""
        var status: Int32 = 0
        if names.isEmpty {
            let filtered = declaration.export != nil || declaration.readOnly != nil
            for (variableName, variable) in variables.visibleVariables() {
                if declaration.export == true && !variable.isExported { continue }
                if declaration.readOnly == true && !variable.isReadOnly { continue }
                if declaration.print || filtered {
                    output += declarationLine(variableName, variable)
                } else if let value = variable.value {
                    output += "\(variableName)=\(quoteForDisplay(value))\n"
                }
            }
        } else {
            for variableName in names {
                guard let variable = variables[variableName] else {
                    report("\(name): \(variableName): not found")
                    status = 1
                    continue
                }
                output += declarationLine(variableName, variable)
            }
        }
        try writeOutput(output)
        return status
    }

    private func declarationLine(_ name: String, _ variable: Variable) -> String {
        var flags = (variable.isReadOnly ? "r" : "") + (variable.isExported ? "x" : "")
        if flags.isEmpty { flags = "-" }
        var line = "declare -\(flags) \(name)"
        if let value = variable.value { line += "=\"" + escapedForDoubleQuotes(value) + "\"" }
        return line + "\n"
    }

    /// bash's `declare -p` quoting: inside double quotes, `"`, `$`, `` ` `` and `\` get a backslash.
    private func escapedForDoubleQuotes(_ value: String) -> String {
        var escaped = ""
        for character in value {
            if "\"$`\\".contains(character) { escaped.append("\\") }
            escaped.append(character)
        }
        return escaped
    }
}
