/// The bash options `shopt` knows; the others of bash are not there.
private let shoptNames = ["globstar"]

extension Shell {
    /// `shopt [-s|-u] [-p] [-q] [name…]` for the bash options dosh has (only `globstar`).
    func shoptBuiltin(_ arguments: [String]) throws(Unwind) -> Int32 {
        var setting: Bool?
        var reusable = false
        var quiet = false
        let parsed = OptionLetters(arguments)
        let operands = parsed.operands
        for (letter, _) in parsed.letters {
            switch letter {
            case "s": setting = true
            case "u": setting = false
            case "p": reusable = true
            case "q": quiet = true
            default: return usageError("shopt", "-\(letter): invalid option")
            }
        }
        for name in operands where !shoptNames.contains(name) {
            report("shopt: \(name): invalid shell option name")
            return 1
        }
        let names = operands.isEmpty ? shoptNames : Array(operands)
        if let setting, !operands.isEmpty {
            options.globStar = setting  // the one option there is
            return 0
        }
        var status: Int32 = 0
        var listing = ""
        for name in names {
            let on = options.globStar
            if let setting, on != setting { continue }
            if !on, !operands.isEmpty { status = 1 }  // a listing of all options succeeds
            if reusable {
                listing += "shopt \(on ? "-s" : "-u") \(name)\n"
            } else {
                listing += name + String(repeating: " ", count: max(0, 15 - name.count)) + "\t\(on ? "on" : "off")\n"
            }
        }
        if !quiet { try writeOutput(listing) }
        return status
    }
}
