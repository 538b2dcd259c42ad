import DoshProtocol
import DoshTransport

/// The host builtins: `!cd`, `!pwd`, `!export`, `!unset`, `!umask` change or show the shadow
/// process's own state, which lasts for the session.
extension Shell {
    func runHostBuiltin(_ name: String, _ arguments: [String], _ session: HostSession) throws(Unwind) -> Int32 {
        switch name {
        case "cd": return try hostChangeDirectory(arguments, session)
        case "pwd":
            try writeOutput(session.state.workingDirectory + "\n")
            return 0
        case "export": return try hostExport(arguments, session)
        case "unset": return try hostUnset(arguments, session)
        default: return try hostUmask(arguments, session)
        }
    }

    private func hostChangeDirectory(_ arguments: [String], _ session: HostSession) throws(Unwind) -> Int32 {
        let operands = arguments.filter { $0 != "-L" && $0 != "-P" && $0 != "--" }
        var target: String
        var printDirectory = false
        if let operand = operands.first {
            if operand == "-" {
                guard let old = session.state.environment["OLDPWD"] else {
                    report("!cd: OLDPWD not set")
                    return 1
                }
                target = old
                printDirectory = true
            } else {
                target = operand
            }
        } else {
            guard let home = session.state.home else {
                report("!cd: HOME not set")
                return 1
            }
            target = home
        }
        let old = session.state.workingDirectory
        switch try hostRequest(session, .changeDirectory(path: Array(target.utf8))) {
        case .success(let answer):
            guard case .workingDirectory(let path) = answer.message.body else { return 1 }
            session.state.workingDirectory = String(decoding: path, as: UTF8.self)
            // Like a shell's OLDPWD and PWD, kept in the host environment for host programs.
            _ = try hostRequest(session, .setEnvironment(name: Array("OLDPWD".utf8), value: Array(old.utf8)))
            _ = try hostRequest(session, .setEnvironment(name: Array("PWD".utf8), value: path))
            session.state.environment["OLDPWD"] = old
            session.state.environment["PWD"] = session.state.workingDirectory
            if printDirectory { try writeOutput(session.state.workingDirectory + "\n") }
            return 0
        case .failure(let failure):
            report("!" + failure.message)
            return 1
        }
    }

    private func hostExport(_ arguments: [String], _ session: HostSession) throws(Unwind) -> Int32 {
        if arguments.isEmpty || arguments == ["-p"] {
            var output = ""
            for name in session.state.environment.keys.sorted() {
                output += "export \(name)=\(quoteForDisplay(session.state.environment[name]!))\n"
            }
            try writeOutput(output)
            return 0
        }
        var status: Int32 = 0
        for operand in arguments where !operand.hasPrefix("-") {
            let name: String
            let value: String
            if let equals = operand.firstIndex(of: "=") {
                name = String(operand[..<equals])
                value = String(operand[operand.index(after: equals)...])
            } else {
                // `!export NAME` sends the shell's own NAME to the host.
                name = operand
                guard let shellValue = variables.value(operand) else { continue }
                value = shellValue
            }
            guard isValidName(name) else {
                report("!export: `\(operand)': not a valid identifier")
                status = 1
                continue
            }
            switch try hostRequest(session, .setEnvironment(name: Array(name.utf8), value: Array(value.utf8))) {
            case .success:
                session.state.environment[name] = value
            case .failure(let failure):
                report("!" + failure.message)
                status = 1
            }
        }
        return status
    }

    private func hostUnset(_ arguments: [String], _ session: HostSession) throws(Unwind) -> Int32 {
        var status: Int32 = 0
        for name in arguments where !name.hasPrefix("-") {
            switch try hostRequest(session, .unsetEnvironment(name: Array(name.utf8))) {
            case .success:
                session.state.environment[name] = nil
            case .failure(let failure):
                report("!" + failure.message)
                status = 1
            }
        }
        return status
    }

    private func hostUmask(_ arguments: [String], _ session: HostSession) throws(Unwind) -> Int32 {
        let operands = arguments.filter { $0 != "-S" }
        let symbolic = arguments.contains("-S")
        // Ask for the current mask first: a symbolic mode is relative to it.
        guard case .success(let answer) = try hostRequest(session, .setUmask(mask: nil)),
            case .umask(let current) = answer.message.body
        else {
            report("!umask: the host did not answer")
            return 1
        }
        guard let operand = operands.first else {
            try writeOutput((symbolic ? UmaskMode.symbolic(UInt32(current)) : UmaskMode.octal(UInt32(current))) + "\n")
            return 0
        }
        guard let mask = UmaskMode.parse(operand, current: UInt32(current)), mask <= 0o777 else {
            report("!umask: \(operand): invalid mode")
            return 1
        }
        _ = try hostRequest(session, .setUmask(mask: UInt16(mask)))
        return 0
    }
}
