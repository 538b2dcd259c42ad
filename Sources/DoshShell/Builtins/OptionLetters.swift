/// A builtin's leading option words, split into letters: `-ab -c x` gives `a`, `b`, `c` and the
/// operands from `x` on. `--` ends the options and is dropped; `-` alone is an operand. With
/// `plus`, words such as `+x` are options too (`declare +x`), their letters marked off.
struct OptionLetters {
    var letters: [(letter: Character, on: Bool)] = []
    var operands: ArraySlice<String>

    init(_ arguments: [String], plus: Bool = false) {
        operands = arguments[...]
        while let first = operands.first, first.count > 1, first.first == "-" || (plus && first.first == "+") {
            operands = operands.dropFirst()
            if first == "--" { break }
            let on = first.first == "-"
            letters += first.dropFirst().map { (letter: $0, on: on) }
        }
    }
}
