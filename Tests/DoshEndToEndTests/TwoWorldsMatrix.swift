import Foundation
import Testing

/// One line of the two-world matrix: what a user types, in the guest world of `TwoWorlds`
/// (`which.txt` says `guest` on the guest side and `host` on the host side), and exactly what it
/// must print. Each line leaves the shell as it found it, so the lines can run one after another
/// in one interactive shell, and again as `{ LINE; } & wait`.
struct MatrixLine: Codable, Sendable, CustomTestStringConvertible {
    var name: String
    var line: String
    var stdout: String
    /// What an interactive shell prints instead, where it says more than a script (bash tells of
    /// a foreground job killed by a signal).
    var atThePrompt: String?

    var testDescription: String { name }
}

/// The `!` rules, one typed line each: the same lines run under `-c` (`HostSideTests`) and at a
/// pty prompt in the foreground and in the background (`InteractiveTests`), so a rule that holds
/// in a script and breaks at the prompt is caught.
enum TwoWorldsMatrix {
    static let lines: [MatrixLine] = [
        // Redirection targets say their side, on every kind of command.
        MatrixLine(name: "input from a host file and a guest file",
                   line: "cat < !which.txt; cat < which.txt; !cat < which.txt; !cat < !which.txt",
                   stdout: "host\nguest\nguest\nhost\n"),
        MatrixLine(name: "output to a host file and a guest file",
                   line: "echo to-host > !m1; echo to-guest > m1; !cat m1; cat m1; !echo from-host > m1; cat m1; !rm m1; rm m1",
                   stdout: "to-host\nto-guest\nfrom-host\n"),
        MatrixLine(name: "appending and standard error to host files",
                   line: "echo a > !m2; echo b >> !m2; ls /nonexist 2>> !m2; !wc -l m2; !rm m2",
                   stdout: "3 m2\n"),
        MatrixLine(name: "a host command's standard error to a guest file",
                   line: "!ls /nonexist 2> m3; grep -c nonexist m3; rm m3",
                   stdout: "1\n"),
        MatrixLine(name: "redirections on builtins",
                   line: "read x < !which.txt; echo $x; printf '%s\\n' built > !m4; !cat m4; !rm m4",
                   stdout: "host\nbuilt\n"),
        MatrixLine(name: "redirections on compound commands",
                   line: "{ echo c; !echo d; } > !m5; !cat m5; !rm m5; while read l; do echo \"<$l>\"; done < !which.txt",
                   stdout: "c\nd\n<host>\n"),
        MatrixLine(name: "host commands in loops, conditionals and functions",
                   line: "for i in 1 2; do !echo $i; done | cat; if !true; then echo t; fi; f() { !cat which.txt; cat which.txt; }; f; f > !m6; !cat m6; !rm m6; unset -f f",
                   stdout: "1\n2\nt\nhost\nguest\nhost\nguest\n"),
        // Pipes both ways, host-only pipes, long mixes.
        MatrixLine(name: "pipes both ways", line: "echo hi | !tr a-z A-Z; !echo ho | tr a-z A-Z",
                   stdout: "HI\nHO\n"),
        MatrixLine(name: "a host-only pipe", line: "!seq 3 | !tac", stdout: "3\n2\n1\n"),
        MatrixLine(name: "four-stage mixes", line: "!seq 5 | tac | !sort -n | head -2; seq 3 | !cat | cat | !wc -l",
                   stdout: "1\n2\n3\n"),
        // Statuses.
        MatrixLine(name: "host statuses", line: "!false; echo $?; !sh -c 'exit 7'; echo $?; !nosuch-matrix 2>/dev/null; echo $?",
                   stdout: "1\n7\n127\n"),
        MatrixLine(name: "and, or and negation", line: "!false && echo no || echo yes; ! !false && echo negated; !true && ! false && echo both",
                   stdout: "yes\nnegated\nboth\n"),
        MatrixLine(name: "pipefail across sides",
                   line: "set -o pipefail; !false | cat; echo $?; false | !cat; echo $?; set +o pipefail; !false | cat; echo $?",
                   stdout: "1\n1\n0\n"),
        MatrixLine(name: "death by a signal is 128+N on both sides",
                   line: "!sh -c 'kill -PIPE $$'; echo $?; sh -c 'kill -PIPE $$'; echo $?",
                   stdout: "141\n141\n"),
        MatrixLine(name: "a host command killed by SIGTERM",
                   line: "!sh -c 'kill -TERM $$'; echo $?", stdout: "143\n", atThePrompt: "Terminated\n143\n"),
        MatrixLine(name: "SIGPIPE both ways", line: "yes | !head -1; !yes | head -1; echo done", stdout: "y\ny\ndone\n"),
        // Command substitution.
        MatrixLine(name: "host command substitution",
                   line: "echo \"[$(!cat which.txt)] [$(cat which.txt)] [$(!echo a | tr a b)]\"; x=$(!false); echo $?",
                   stdout: "[host] [guest] [b]\n1\n"),
        // Globs, tilde, relative paths resolve on the host for host commands.
        MatrixLine(name: "globs and relative paths on each side",
                   line: "!mkdir g; !touch g/a.c g/b.c; mkdir g; touch g/z.c; !ls -1 g/*.c; ls -1 g/*.c; !cat ./which.txt; !rm -r g; rm -r g",
                   stdout: "g/a.c\ng/b.c\ng/z.c\nhost\n"),
        MatrixLine(name: "shopt -s globstar: ** spans directories on each side",
                   line: "!mkdir -p gs/a/b; !touch gs/a/b/h.c gs/t.c; mkdir -p gs/x; touch gs/x/z.c; shopt -s globstar; !ls -1 gs/**/*.c; ls -1 gs/**/*.c; shopt -u globstar; !rm -r gs; rm -r gs",
                   stdout: "gs/a/b/h.c\ngs/t.c\ngs/x/z.c\n"),
        MatrixLine(name: "tilde is the host home for host commands",
                   line: "!cd /; !cat ~/which.txt; !cd ~; !cat which.txt",
                   stdout: "host\nhost\n"),
        // Host builtins persist.
        MatrixLine(name: "!cd and !export persist",
                   line: "!mkdir -p d1; !cd d1; !pwd | sed 's|.*/||'; !cd ..; !export MX=7; !echo $MX; echo \"[$MX]\"; !unset MX; !echo \"[$MX]\"; !rmdir d1",
                   stdout: "d1\n7\n[]\n[]\n"),
        // Large data, bit-exact each way.
        MatrixLine(name: "20 MB cross bit-exact each way",
                   line: "head -c 20000000 /dev/urandom > big; cat big | !cat > !big; !cat big | cmp - big && echo same; [ \"$(!cksum < !big)\" = \"$(cksum < big)\" ] && echo same; !rm big; rm big",
                   stdout: "same\nsame\n"),
    ]
}
