#if canImport(Glibc)
    import Glibc
#endif

/// The value of a parameter: one string, or the list `$@`/`$*` stand for.
enum ParameterValue {
    case unset
    case scalar(String)
    case list([String])

    var isUnset: Bool {
        switch self {
        case .unset: return true
        case .list(let items): return items.isEmpty
        case .scalar: return false
        }
    }

    /// Unset, or set to the empty string (what the `:` forms test).
    var isNull: Bool {
        switch self {
        case .unset: return true
        case .scalar(let value): return value.isEmpty
        case .list(let items): return items.isEmpty || (items.count == 1 && items[0].isEmpty)
        }
    }
}

extension Shell {
    /// Looks up any parameter: a variable, a positional parameter or a special parameter.
    func parameterValue(_ name: String) -> ParameterValue {
        guard let first = name.utf8.first else { return .unset }
        if first >= UInt8(ascii: "0") && first <= UInt8(ascii: "9") {
            guard let index = Int(name) else { return .unset }
            if index == 0 { return .scalar(scriptName) }
            return index <= positionalParameters.count ? .scalar(positionalParameters[index - 1]) : .unset
        }
        switch name {
        case "@", "*": return .list(positionalParameters)
        case "#": return .scalar(String(positionalParameters.count))
        case "?": return .scalar(String(lastStatus))
        case "$": return .scalar(String(shellPID))
        case "!": return lastBackgroundPID.map { .scalar(String($0)) } ?? .unset
        case "-": return .scalar(options.flags)
        case "LINENO": return .scalar(String(currentLine))
        case "RANDOM": return .scalar(String(Int.random(in: 0...32767)))
        default:
            // In a host command's words, host environment variables shadow shell variables.
            if let hostExpansion, let value = hostExpansion.state.environment[name] { return .scalar(value) }
            if let value = variables.value(name) { return .scalar(value) }
            return .unset
        }
    }

    func expandParameter(_ expansion: ParameterExpansion, quoted: Bool, into tokens: inout [ExpansionToken]) throws(Unwind) {
        let name = expansion.name
        let value = parameterValue(name)

        switch expansion.operation {
        case .value:
            try checkSet(name, value)
            appendValue(value, name: name, quoted: quoted, into: &tokens)

        case .length:
            try checkSet(name, value)
            let length: Int
            switch value {
            case .unset: length = 0
            case .scalar(let text): length = text.count
            case .list(let items): length = items.count
            }
            tokens.append(.piece(ExpandedPiece(text: String(length), quoted: quoted, splittable: !quoted)))

        case .useDefault(let word, let colon):
            if colon ? value.isNull : value.isUnset {
                try expandOperand(word, quoted: quoted, into: &tokens)
            } else {
                appendValue(value, name: name, quoted: quoted, into: &tokens)
            }

        case .assignDefault(let word, let colon):
            if colon ? value.isNull : value.isUnset {
                guard isValidName(name) else {
                    report("$\(name): cannot assign in this way")
                    throw .fatal(status: 1)
                }
                let newValue = try expandString(word)
                do {
                    try assignVariable(name, newValue)
                } catch {
                    report("\(name): \(error.message)")
                    throw .fatal(status: 1)
                }
                appendValue(.scalar(newValue), name: name, quoted: quoted, into: &tokens)
            } else {
                appendValue(value, name: name, quoted: quoted, into: &tokens)
            }

        case .errorIfUnset(let word, let colon):
            if colon ? value.isNull : value.isUnset {
                let message = try expandString(word)
                let standard = colon ? "parameter null or not set" : "parameter not set"
                report("\(name): \(message.isEmpty ? standard : message)")
                throw .fatal(status: 1)
            }
            appendValue(value, name: name, quoted: quoted, into: &tokens)

        case .useAlternative(let word, let colon):
            if !(colon ? value.isNull : value.isUnset) {
                try expandOperand(word, quoted: quoted, into: &tokens)
            } else if quoted {
                tokens.append(.piece(ExpandedPiece(text: "", quoted: true, splittable: false)))
            }

        case .removePrefix(let word, let longest), .removeSuffix(let word, let longest):
            try checkSet(name, value)
            let pattern = Pattern(try expandPattern(word))
            let isPrefix: Bool
            if case .removePrefix = expansion.operation { isPrefix = true } else { isPrefix = false }
            func strip(_ text: String) -> String {
                isPrefix
                    ? pattern.removingMatchingPrefix(of: text, longest: longest)
                    : pattern.removingMatchingSuffix(of: text, longest: longest)
            }
            switch value {
            case .unset: appendValue(.unset, name: name, quoted: quoted, into: &tokens)
            case .scalar(let text): appendValue(.scalar(strip(text)), name: name, quoted: quoted, into: &tokens)
            case .list(let items): appendValue(.list(items.map(strip)), name: name, quoted: quoted, into: &tokens)
            }
        }
    }

    /// The word after `:-`, `:+`…: inside double quotes it keeps their rules.
    private func expandOperand(_ word: Word, quoted: Bool, into tokens: inout [ExpansionToken]) throws(Unwind) {
        if quoted {
            tokens.append(.piece(ExpandedPiece(text: "", quoted: true, splittable: false)))
            try expandParts(word.parts, quoted: true, into: &tokens)
            return
        }
        // Unquoted, the operand is the result of an expansion: its unquoted text is split too.
        var operand: [ExpansionToken] = []
        try expandParts(word.parts, quoted: false, into: &operand)
        for token in operand {
            if case .piece(var piece) = token, !piece.quoted {
                piece.splittable = true
                tokens.append(.piece(piece))
            } else {
                tokens.append(token)
            }
        }
    }

    /// `set -u`: referring to an unset parameter (other than `$@`/`$*`) is an error.
    private func checkSet(_ name: String, _ value: ParameterValue) throws(Unwind) {
        guard options.noUnset, case .unset = value, name != "@", name != "*" else { return }
        report("\(name): unbound variable")
        throw .fatal(status: 1)
    }

    private func appendValue(_ value: ParameterValue, name: String, quoted: Bool, into tokens: inout [ExpansionToken]) {
        switch value {
        case .unset:
            break
        case .scalar(let text):
            tokens.append(.piece(ExpandedPiece(text: text, quoted: quoted, splittable: !quoted)))
        case .list(let items):
            if quoted && name == "*" {
                tokens.append(.piece(ExpandedPiece(text: items.joined(separator: starSeparator), quoted: true, splittable: false)))
                return
            }
            for (index, item) in items.enumerated() {
                if index > 0 { tokens.append(.fieldBreak(ofStar: name == "*")) }
                tokens.append(.piece(ExpandedPiece(text: item, quoted: quoted, splittable: !quoted)))
            }
        }
    }
}
