extension Shell {
    /// Expands a prompt string (PS1, PS2, PS4): parameter, command and arithmetic expansion.
    func expandPromptString(_ text: String) throws(Unwind) -> String {
        guard text.contains("$") || text.contains("`") else { return text }
        guard let list = try? Parser.parse("echo \"" + text.replacingQuotes() + "\""),
            let item = list.items.first,
            case .simple(let command) = item.andOr.first.commands.first,
            command.words.count == 2
        else { return text }
        return try expandString(command.words[1])
    }
}

extension String {
    /// Escapes `"` so the text can be parsed inside double quotes.
    fileprivate func replacingQuotes() -> String {
        var result = ""
        for character in self {
            if character == "\"" { result.append("\\") }
            result.append(character)
        }
        return result
    }
}
