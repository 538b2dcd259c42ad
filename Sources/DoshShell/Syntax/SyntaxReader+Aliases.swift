// Alias substitution (XCU 2.3.1): the alias text replaces the word in the input and is read again.

/// How many substitutions one command may cause, against pathological alias sets.
private let maximumAliasSubstitutions = 10_000

extension SyntaxReader {
    /// Substitutes the alias named by the word token `t`, if there is one and it is not already
    /// being substituted at this point; the caller then reads the token again.
    func expandAlias(_ t: ScannedToken) -> Bool {
        guard let name = t.plainText, aliasSubstitutions < maximumAliasSubstitutions,
            !aliasRegions.contains(where: { $0.name == name && $0.start <= t.start && t.start < $0.end }),
            let value = aliases(name)
        else { return false }
        aliasSubstitutions += 1
        let replacement = Array(value.utf8)
        let line = lineOfByte[t.start]
        bytes.replaceSubrange(t.start..<t.end, with: replacement)
        lineOfByte.replaceSubrange(t.start..<t.end, with: repeatElement(line, count: replacement.count))
        let delta = replacement.count - (t.end - t.start)
        aliasRegions.removeAll { $0.end <= t.start }
        for i in aliasRegions.indices { aliasRegions[i].end += delta }
        aliasRegions.append(AliasRegion(name: name, start: t.start, end: t.start + replacement.count))
        if let last = replacement.last, Byte.isBlank(last) {
            aliasCheckFrom = t.start + replacement.count
        } else if let from = aliasCheckFrom, from > t.start {
            aliasCheckFrom = from + delta
        }
        pos = t.start
        peeked = nil
        return true
    }
}
