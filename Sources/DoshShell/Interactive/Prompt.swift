#if canImport(Glibc)
    import Glibc
#endif

extension Shell {
    /// The PS1 an interactive shell starts with: both working directories when it has a host
    /// (`host:-` while the host cannot be reached).
    var defaultPS1: String {
        hostLink?.isConfigured == true ? "guest:\\w │ host:\\x \\$ " : "\\w \\$ "
    }

    /// Expands the backslash escapes of a prompt string, then its parameters, like bash:
    ///
    /// | escape | meaning |
    /// |---|---|
    /// | `\w` `\W` | the guest working directory (`~` for home), its last component |
    /// | `\x` `\X` | the host working directory (`~` for the host home), its last component |
    /// | `\h` `\y` | the guest's host name, the host's host name (up to the first `.`) |
    /// | `\u` | the user name |
    /// | `\?` | the status of the last command |
    /// | `\j` | the number of jobs |
    /// | `\$` | `#` for root, `$` otherwise |
    /// | `\n` `\e` `\a` `\\` | newline, escape, bell, backslash |
    /// | `\[` `\]` | start and end of invisible text (colour sequences) |
    func renderPrompt(_ text: String) -> String {
        var output = ""
        var iterator = text.makeIterator()
        while let character = iterator.next() {
            guard character == "\\" else {
                output.append(character)
                continue
            }
            guard let escape = iterator.next() else {
                output.append("\\")
                break
            }
            switch escape {
            case "w": output += abbreviateHome(logicalWorkingDirectory, home: variables.value("HOME"))
            case "W": output += lastComponent(abbreviateHome(logicalWorkingDirectory, home: variables.value("HOME")))
            case "x": output += hostState.map { abbreviateHome($0.workingDirectory, home: $0.home) } ?? "-"
            case "X": output += hostState.map { lastComponent(abbreviateHome($0.workingDirectory, home: $0.home)) } ?? "-"
            case "h": output += shortHostName(localHostName())
            case "H": output += localHostName()
            case "y": output += hostState.map { shortHostName($0.hostName) } ?? "-"
            case "u": output += userName()
            case "?": output += String(lastStatus)
            case "j": output += String(jobs.jobs.count)
            case "$": output += geteuid() == 0 ? "#" : "$"
            case "n": output += "\n"
            case "e": output += "\u{1B}"
            case "a": output += "\u{07}"
            case "\\": output += "\\"
            case "[": output += "\u{01}"
            case "]": output += "\u{02}"
            default:
                output.append("\\")
                output.append(escape)
            }
        }
        // Parameter expansion last, so `$` in a directory name is not expanded.
        if output.contains("$") || output.contains("`") {
            return (try? expandPromptString(output)) ?? output
        }
        return output
    }

    func userName() -> String {
        if let user = variables.value("USER") { return user }
        guard let entry = getpwuid(geteuid()), let name = entry.pointee.pw_name else { return "?" }
        return String(cString: name)
    }
}

/// `/home/me/src` → `~/src` when `home` is `/home/me`.
func abbreviateHome(_ path: String, home: String?) -> String {
    guard let home, !home.isEmpty, home != "/" else { return path }
    if path == home { return "~" }
    if path.hasPrefix(home + "/") { return "~" + path.dropFirst(home.count) }
    return path
}

func lastComponent(_ path: String) -> String {
    if path == "/" { return "/" }
    return path.split(separator: "/").last.map(String.init) ?? path
}

func shortHostName(_ name: String) -> String {
    name.split(separator: ".").first.map(String.init) ?? name
}

/// `gethostname(2)`.
func localHostName() -> String {
    var buffer = [CChar](repeating: 0, count: 256)
    guard gethostname(&buffer, buffer.count - 1) == 0 else { return "localhost" }
    return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
}
