import DoshSystem
import SystemPackage

#if canImport(Glibc)
    import Glibc
#endif

/// `history` and `fc`, over the history the line editor keeps. A shell without one (a script,
/// `dosh -c`) has an empty history, as a non-interactive bash has: `history` lists nothing and
/// `fc -s` finds no command.
extension Shell {
    /// `history [n]`, `history -c`, `history -d offset`, `history -d start-end`.
    func historyBuiltin(_ arguments: [String]) throws(Unwind) -> Int32 {
        var clear = false
        var deletion: String? = nil
        var count: Int? = nil
        var operands = arguments[...]
        while let first = operands.first, first.hasPrefix("-"), first.count > 1 {
            operands = operands.dropFirst()
            switch first {
            case "--": break
            case "-c": clear = true; continue
            case "-d":
                guard let offset = operands.first else { return usageError("history", "-d: option requires an argument") }
                deletion = offset
                operands = operands.dropFirst()
                continue
            default: return usageError("history", "\(first): invalid option")
            }
            break
        }
        if let first = operands.first {
            guard operands.count == 1 else {
                report("history: too many arguments")
                return 1
            }
            guard let number = Int(first), number >= 0 else {
                report("history: \(first): numeric argument required")
                return 1
            }
            count = number
        }
        guard let history else {
            if let deletion {
                report("history: \(deletion): history position out of range")
                return 1
            }
            return 0
        }
        if clear {
            history.clear()
            commandIsInHistory = false
            return 0
        }
        if let deletion {
            guard let positions = historyPositions(deletion, count: history.entries.count) else {
                report("history: \(deletion): history position out of range")
                return 1
            }
            if commandIsInHistory, positions.contains(history.entries.count - 1) { commandIsInHistory = false }
            history.remove(positions)
            return 0
        }
        let entries = history.entries
        let shown = count.map { min($0, entries.count) } ?? entries.count
        var output = ""
        for position in (entries.count - shown)..<entries.count {
            let label = String(position + 1)
            output += String(repeating: " ", count: max(0, 5 - label.count)) + label + "  " + entries[position] + "\n"
        }
        try writeOutput(output)
        return 0
    }

    /// The entries `history -d` means, as bash reads it: a number, negative ones counting
    /// back from the newest entry (-1, which is the `history -d` command itself), or a range
    /// `start-end` of such numbers.
    private func historyPositions(_ spec: String, count: Int) -> ClosedRange<Int>? {
        func position(_ text: Substring) -> Int? {
            guard let number = Int(text), number != 0 else { return nil }
            let position = number > 0 ? number - 1 : count + number
            return (0..<count).contains(position) ? position : nil
        }
        // The `-` between two numbers, not the sign of the first.
        if let dash = spec.dropFirst().firstIndex(of: "-") {
            guard let start = position(spec[..<dash]), let end = position(spec[spec.index(after: dash)...]), start <= end
            else { return nil }
            return start...end
        }
        return position(spec[...]).map { $0...$0 }
    }

    /// `fc -l [-nr] [first [last]]`, `fc -s [old=new] [first]`, `fc [-e editor] [-r] [first [last]]`.
    func fcBuiltin(_ arguments: [String]) throws(Unwind) -> Int32 {
        var listing = false
        var numbered = true
        var reversed = false
        var reexecuting = false
        var editor: String? = nil
        var index = 0
        while index < arguments.count {
            let argument = arguments[index]
            // `-1` is an operand (the previous command), not an option.
            guard argument.hasPrefix("-"), argument.count > 1, Int(argument) == nil else { break }
            index += 1
            if argument == "--" { break }
            for letter in argument.dropFirst() {
                switch letter {
                case "l": listing = true
                case "n": numbered = false
                case "r": reversed = true
                case "s": reexecuting = true
                case "e":
                    guard index < arguments.count else { return usageError("fc", "-e: option requires an argument") }
                    editor = arguments[index]
                    index += 1
                default: return usageError("fc", "-\(letter): invalid option")
                }
            }
        }
        var operands = Array(arguments[index...])
        if editor == "-" { reexecuting = true }
        // `fc` never counts itself: it works on the entries before the command running it.
        var entries = history?.entries ?? []
        if commandIsInHistory, !entries.isEmpty { entries.removeLast() }

        if reexecuting {
            var substitution: (old: String, new: String)? = nil
            if let first = operands.first, let equals = first.firstIndex(of: "=") {
                substitution = (String(first[..<equals]), String(first[first.index(after: equals)...]))
                operands.removeFirst()
            }
            guard operands.count <= 1 else { return usageError("fc", "too many arguments") }
            guard let position = historyPosition(operands.first ?? "-1", in: entries) else { return 1 }
            var command = entries[position]
            if let substitution, !substitution.old.isEmpty {
                // Every occurrence, as in bash (POSIX says the first).
                command = command.replacingEvery(substitution.old, with: substitution.new)
            }
            return try runFromHistory(command)
        }

        guard operands.count <= 2 else { return usageError("fc", "too many arguments") }
        guard !entries.isEmpty else {
            if listing { return 0 }
            report("fc: no command found")
            return 1
        }
        let defaultFirst = listing ? "-16" : "-1"
        guard let first = historyPosition(operands.first ?? defaultFirst, in: entries, clamped: true),
            let last = historyPosition(operands.count > 1 ? operands[1] : (listing || operands.isEmpty ? "-1" : operands[0]), in: entries, clamped: true)
        else { return 1 }
        var positions = Array(min(first, last)...max(first, last))
        if (first > last) != reversed { positions.reverse() }

        if listing {
            var output = ""
            for position in positions {
                output += (numbered ? String(position + 1) : "") + "\t " + entries[position] + "\n"
            }
            try writeOutput(output)
            return 0
        }
        let program = editor ?? variables.value("FCEDIT").nonEmpty ?? variables.value("EDITOR").nonEmpty ?? "vi"
        return try editAndRun(positions.map { entries[$0] }, editor: program)
    }

    /// Where `spec` points in `entries`: a number (its history number; negative counts back
    /// from the newest, -1 being the newest) or the newest command starting with the text.
    /// Nil, after the message, when there is none. `clamped` (a range) takes a number outside
    /// the history as its oldest or newest entry, as POSIX says.
    private func historyPosition(_ spec: String, in entries: [String], clamped: Bool = false) -> Int? {
        guard !entries.isEmpty else {
            report("fc: no command found")
            return nil
        }
        if let number = Int(spec) {
            let position = number > 0 ? number - 1 : entries.count + (number == 0 ? -1 : number)
            if entries.indices.contains(position) { return position }
            if clamped { return max(0, min(entries.count - 1, position)) }
            report("fc: \(spec): history specification out of range")
            return nil
        }
        if let position = entries.lastIndex(where: { $0.hasPrefix(spec) }) { return position }
        report("fc: \(spec): no command found")
        return nil
    }

    /// Runs a command taken from the history: it is shown on standard error, and takes the
    /// place of the `fc` that ran it in the history, as in bash.
    private func runFromHistory(_ command: String) throws(Unwind) -> Int32 {
        writeError(command.hasSuffix("\n") ? command : command + "\n")
        if let history {
            if commandIsInHistory {
                history.replaceNewest(with: command)
            } else {
                commandIsInHistory = history.add(command)
            }
        }
        return try evaluate(command, name: "fc")
    }

    /// Writes `commands` to a temporary file, runs `editor` on it (as a command line, so
    /// `FCEDIT='vim -u NONE'` works) and runs what the file holds after it, unless the editor
    /// failed.
    private func editAndRun(_ commands: [String], editor: String) throws(Unwind) -> Int32 {
        let directory = variables.value("TMPDIR").nonEmpty ?? "/tmp"
        var template = Array("\(directory)/dosh-fc.XXXXXX".utf8CString)
        let raw = mkstemp(&template)
        guard raw >= 0 else {
            report("fc: cannot make a temporary file: \(Errno(rawValue: errno).message)")
            return 1
        }
        let path = String(decoding: template.dropLast().map { UInt8(bitPattern: $0) }, as: UTF8.self)
        defer { unlink(path) }
        let file = FileDescriptor(rawValue: raw)
        do {
            try file.writeAll((commands.joined(separator: "\n") + "\n").utf8)
        } catch {
            file.closeQuietly()
            report("fc: \(path): \(error.message)")
            return 1
        }
        file.closeQuietly()
        let status = try evaluate(editor + " " + quoteForDisplay(path), name: "fc")
        guard status == 0 else { return status }
        let edited: [UInt8]
        do {
            let reopened = try FileDescriptor.open(path: path, flags: O_RDONLY | O_CLOEXEC)
            defer { reopened.closeQuietly() }
            edited = try reopened.readToEnd()
        } catch {
            report("fc: \(path): \(error.message)")
            return 1
        }
        let text = String(decoding: edited, as: UTF8.self)
        // An emptied file runs nothing.
        guard text.contains(where: { !$0.isWhitespace }) else { return 0 }
        var command = Substring(text)
        while command.hasSuffix("\n") { command = command.dropLast() }
        return try runFromHistory(String(command))
    }
}

extension Optional where Wrapped == String {
    /// The string unless it is nil or empty (`${FCEDIT:-…}`).
    fileprivate var nonEmpty: String? {
        guard let self, !self.isEmpty else { return nil }
        return self
    }
}

extension String {
    /// Every occurrence of `old` replaced by `new`, left to right, without rescanning.
    fileprivate func replacingEvery(_ old: String, with new: String) -> String {
        var result = ""
        var index = startIndex
        while index < endIndex {
            if self[index...].hasPrefix(old) {
                result += new
                index = self.index(index, offsetBy: old.count)
            } else {
                result.append(self[index])
                index = self.index(after: index)
            }
        }
        return result
    }
}
