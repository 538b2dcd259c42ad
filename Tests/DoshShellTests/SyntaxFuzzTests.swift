import Testing
@testable import DoshShell

/// A small deterministic generator, so a failure reproduces.
private struct SplitMix64 {
    var state: UInt64
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
    mutating func below(_ n: Int) -> Int { Int(next() % UInt64(max(n, 1))) }
    mutating func pick<T>(_ a: [T]) -> T { a[below(a.count)] }
}

private let corpus = [
    "echo hello world", "ls -l | grep x > out 2>&1", "!ls -l > !out < in", "X=1 Y=~/a:~b !env",
    "if a; then b; elif c; then d; else e; fi", "while read x; do echo \"$x\"; done < f",
    "until false; do :; done", "for i in 1 2 3; do echo $i; done", "for x; do :; done",
    "case $1 in (a|b) echo ab;; c) ;; *) echo other;; esac", "f() { echo $1; } >&2", "function g { :; }",
    "( cd /tmp && ls ) | wc -l &", "! grep -q x f || echo no", "echo ${x:-default} ${#y} ${z%%.*} ${w#'*'}",
    "echo $(date) `hostname` $((1 + $x * (2)))", "echo \"a $b ${c:+\"d\"} $(e \"f\")\"", "echo $'a\\tb\\n' 'q'\\''s'",
    "cat <<EOF\nhello $USER\n$(date)\nEOF\n", "cat <<-'EOF' | tr a b\n\tliteral $x\n\tEOF\n",
    "a &>log; b >&file; c &>> log2", "echo $((echo a) | (echo b))", "x=$(case y in y) echo y;; esac)",
    "echo a\\\nb 'c\nd' # comment", "{ echo a; echo b; } 2> !errors", "echo ~ ~/x a~ !x hi!",
    "cmd <&- 3<>rw 4>|clob 10>&1", "echo \"${x:-\\}}\" ${y:-{z}}", "echo $@ $* $# $? $$ $! $- $0 ${10}",
]

private let fragments = [
    "if ", "then ", "elif ", "else ", "fi", "do ", "done", "while ", "until ", "for ", " in ", "case ", "esac",
    ";;", ";", "&", "&&", "||", "|", "(", ")", "{ ", " }", "'", "\"", "`", "$(", "$((", "))", "${", "}", "${x:-",
    "${#", "$", "\\", "\\\n", "\n", "<<EOF\n", "EOF\n", "<<-E\n", "\tE\n", "<", ">", ">>", ">&", "<&", "2>", "&>",
    "!", "!x ", "! ", "~", "~/", "=", "X=", "#", "$'\\x41'", " ", "\t", "f() ", "function ", "a", "*", "?",
]

private func mutate(_ text: [UInt8], _ rng: inout SplitMix64) -> [UInt8] {
    var bytes = text
    for _ in 0..<(1 + rng.below(3)) {
        let at = rng.below(bytes.count + 1)
        switch rng.below(6) {
        case 0, 1: bytes.insert(contentsOf: Array(rng.pick(fragments).utf8), at: at)
        case 2:
            let length = rng.below(min(8, bytes.count - at) + 1)
            bytes.removeSubrange(at..<(at + length))
        case 3:
            let length = rng.below(min(12, bytes.count - at) + 1)
            bytes.insert(contentsOf: Array(bytes[at..<(at + length)]), at: at)
        case 4:
            for _ in 0..<(1 + rng.below(4)) { bytes.insert(UInt8(truncatingIfNeeded: rng.next()), at: min(at, bytes.count)) }
        default:
            let open = rng.pick(["(", "$(", "{ ", "\"$(", "`", "${x:-", "if ", "$(("])
            let depth = 1 + rng.below(rng.below(10) == 0 ? 600 : 8)
            bytes.insert(contentsOf: Array(String(repeating: open, count: depth).utf8), at: at)
        }
    }
    return bytes
}

@Suite struct SyntaxFuzzTests {
    @Test func parserNeverCrashesAndRoundTrips() {
        var rng = SplitMix64(state: 0x5EED_D05B)
        var parsedCount = 0
        var failures: [String] = []
        for iteration in 0..<8_000 {
            let bytes: [UInt8]
            if iteration % 10 == 0 {
                bytes = Array((0..<rng.below(12)).map { _ in rng.pick(fragments) }.joined().utf8)
            } else {
                bytes = mutate(Array(rng.pick(corpus).utf8), &rng)
            }
            let text = String(decoding: bytes, as: UTF8.self)
            guard let tree = try? Parser.parse(text) else { continue }
            parsedCount += 1
            let rendered = tree.sourceText
            do {
                let again = try Parser.parse(rendered)
                if LineEraser.erase(again) != LineEraser.erase(tree), failures.count < 5 {
                    failures.append("\(text.debugDescription) → \(rendered.debugDescription)")
                }
            } catch {
                if failures.count < 5 { failures.append("\(text.debugDescription) → \(rendered.debugDescription): \(error)") }
            }
        }
        #expect(failures.isEmpty, "\(failures.joined(separator: "\n"))")
        #expect(parsedCount > 1_500)
    }

    @Test func corpusRoundTrips() throws {
        for text in corpus {
            let tree = try Parser.parse(text)
            let again = try Parser.parse(tree.sourceText)
            #expect(LineEraser.erase(again) == LineEraser.erase(tree), "\(text.debugDescription) → \(tree.sourceText.debugDescription)")
        }
    }
}
