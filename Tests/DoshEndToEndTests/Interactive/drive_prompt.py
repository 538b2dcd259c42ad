"""The `!` rules, jobs and Ctrl-C as typed at the prompt (not through -c), through a real pty.

Usage: drive_prompt.py DOSH WORKDIR. Prints `ok NAME` or `FAILED NAME` per check and exits
non-zero if any failed (every check runs).
"""
import os
import re
import signal
import sys
import time
import pexpect
from pty_support import Shell, check, expect_output, finish, states, wait_for, environment, PROMPT

dosh, work = sys.argv[1], sys.argv[2]
with open(os.path.join(work, "x.txt"), "w") as f:
    f.write("hello\nworld\n")
with open(os.path.join(work, "two-host-lines.sh"), "w") as f:
    f.write("!echo one\n!echo two\n")
with open(os.path.join(work, "s2.sh"), "w") as f:
    f.write("true\ncat < !nonexist\n!nosuch\n")

shell = Shell(dosh, ["--host", "local"], work)

# --- The `!` rules at the prompt: host files for guest commands, with job control on.
expect_output(shell, "cat < !file at the prompt", "cat < !x.txt", "hello\nworld\n")
expect_output(shell, "wc -l < !file at the prompt", "wc -l < !x.txt", "2\n")
expect_output(shell, "a guest file too", "cat < x.txt", "hello\nworld\n")

# --- The freeze class: several host commands in one loop, group, function or dot file.
expect_output(shell, "a loop with two host commands", "for i in 1 2; do !echo $i; done; echo after", "1\n2\nafter\n")
expect_output(shell, "a group with two host commands", "{ !true; !true; }; echo after", "after\n")
expect_output(shell, "a function with two host commands", "f() { !echo a; !echo b; }; f; echo after", "a\nb\nafter\n")
expect_output(shell, "a dot file with two host commands", ". ./two-host-lines.sh; echo after", "one\ntwo\nafter\n")
expect_output(shell, "a loop of guest commands", "for i in 1 2; do sleep 0.01; echo $i; done", "1\n2\n")
for count in (1, 2, 10):
    # Host and guest commands taking turns, COUNT host ones, in each kind of compound command.
    body = "; ".join("!echo h%d; echo g%d" % (i, i) for i in range(count))
    said = "".join("h%d\ng%d\n" % (i, i) for i in range(count))
    with open(os.path.join(work, "hosts-%d.sh" % count), "w") as f:
        f.write(body.replace("; ", "\n") + "\n")
    expect_output(shell, "a loop with %d host commands" % count,
                  "for i in $(seq %d); do !printf h; printf g; done; echo after" % count, "hg" * count + "after\n")
    expect_output(shell, "a group with %d host commands" % count, "{ %s; }; echo after" % body, said + "after\n")
    expect_output(shell, "a function with %d host commands" % count,
                  "f() { %s; }; f; unset -f f; echo after" % body, said + "after\n")
    expect_output(shell, "a dot file with %d host commands" % count, ". ./hosts-%d.sh; echo after" % count,
                  said + "after\n")

# --- Mixed foreground jobs: one terminal, no staircase.
expect_output(shell, "a host stage into a guest one writes whole lines", "!seq 3 | tac", "3\n2\n1\n")
expect_output(shell, "a guest stage into a host one too", "seq 3 | !tac", "3\n2\n1\n")
shell.run("stty -g > modes.before")
def typed_into(line, keys, expected):
    """Types `keys` into the job `line` and ends its input with Ctrl-D; whether `expected` came."""
    shell.child.sendline(line)
    shell.child.expect_exact(line)
    shell.type(keys + "\r")
    try:
        shell.child.expect_exact(expected + "\r\n", timeout=10)
        came = True
    except pexpect.TIMEOUT:
        came = False
    shell.control("d")
    shell.wait_prompt()
    return came


check("keys typed into !cat | tr reach the host cat", typed_into("!cat | tr a-z A-Z", "typed line", "TYPED LINE"))
check("keys typed into cat | !tr reach the guest cat", typed_into("cat | !tr a-z A-Z", "other line", "OTHER LINE"))
shell.child.sendline("seq 200 | !less")
shell.child.expect(r"\r\n28\r\n29\r\n:")  # a screenful (30 rows), the host pty's size
shell.type(" ")
shell.child.expect(r"\r\n58\r\n")  # the next page
shell.type("q")
shell.wait_prompt()
check("seq 200 | !less shows a page, scrolls and quits", True)
expect_output(shell, "the terminal modes are back after the mixed jobs",
              "stty -g > modes.after; cmp modes.before modes.after && echo same", "same\n")

# --- One notice per stop, the command as typed.
shell.child.sendline("sleep 319 | cat $HOME")
check("the job starts", wait_for(lambda: states("sleep 319") == ["S"]))
shell.control("z")
stop_screen = shell.wait_prompt()
check("ctrl-z notice shows the command as typed", re.search(r"\[1\]\+  Stopped +sleep 319 \| cat \$HOME\n", stop_screen) is not None,
      repr(stop_screen))
output = shell.run("echo next")
check("the stop is told once", output == "next\n" and "Stopped" not in output, repr(output))
expect_output(shell, "jobs shows it as typed", "jobs", "[1]+  Stopped                 sleep 319 | cat $HOME\n")
shell.run("kill %1")
shell.run("true")

# --- Error lines: where, what, why, each once.
expect_output(shell, "a missing host file", "cat < !/nonexist", "dosh: !/nonexist: No such file or directory\n")
expect_output(shell, "a missing host directory", "!cd /nonexist", "dosh: !cd: /nonexist: No such file or directory\n")
expect_output(shell, "a missing host command", "!nosuch-here; echo $?", "dosh: !nosuch-here: command not found\n127\n")
expect_output(shell, "a script's errors name it and the line", "%s --host local s2.sh" % dosh,
              "s2.sh: line 2: !nonexist: No such file or directory\ns2.sh: line 3: !nosuch: command not found\n")

# --- Ctrl-C abandons the line, whichever side the job runs on.
for name, line in [("a guest command", "sleep 100; echo after"), ("a host command", "!sleep 100; echo after"),
                   ("a loop of host commands", "while true; do !sleep 100; done; echo after"),
                   ("a loop of builtins", "while true; do continue; done; echo after"),
                   ("a mixed pipeline", "!sleep 100 | cat; echo after"),
                   ("read", "read x; echo after"), ("read -d", "read -d : x; echo after"),
                   ("wait", "sleep 100 & wait; echo after"),
                   ("a command substitution", "x=$(sleep 5); echo after"),
                   ("a backquoted substitution", "x=`sleep 5`; echo after"),
                   ("a host command substitution", "echo $(!sleep 5) after")]:
    shell.child.sendline(line)
    shell.child.expect_exact(line)
    # Ctrl-C must come once the line runs, not while the editor still hands it over: on a
    # loaded machine that takes a while.
    time.sleep(1.5)
    shell.control("c")
    try:
        screen = shell.wait_prompt(timeout=10)
    except pexpect.TIMEOUT:
        check("ctrl-c ends " + name, False, "no prompt: %r" % shell.child.before)
        shell.close()
        shell = Shell(dosh, ["--host", "local"], work)
        continue
    check("ctrl-c abandons the line of " + name, "after" not in screen, repr(screen))
    expect_output(shell, "and $? is 130 after " + name, "echo $?", "130\n")
shell.run("kill %1; wait")
expect_output(shell, "the next line is not swallowed by read", "echo still-here", "still-here\n")

# --- Host background jobs have a pid: $!, jobs -p, jobs -l, kill PID, wait PID.
shell.child.sendline('!sleep 30 & echo "[$!]"')
shell.child.expect(r"\[1\] (\d+)\r\n\[(\d+)\]\r\n")
notice_pid, dollar_bang = shell.child.match.group(1), shell.child.match.group(2)
shell.wait_prompt()
check("$! is the host job's pid, as the notice says", notice_pid == dollar_bang and int(dollar_bang) > 0)
expect_output(shell, "jobs -p names it", "jobs -p", dollar_bang + "\n")
expect_output(shell, "jobs -l shows it", "jobs -l", "[1]+ %s  Running                 !sleep 30\n" % dollar_bang)
mark = shell.transcript.tell()
shell.run("kill $!")
check("kill $! ends the host job", wait_for(lambda: states("sleep 30") == []))
time.sleep(0.3)
shell.run("jobs")  # the notice comes before this prompt or from jobs itself, once
told = shell.transcript.getvalue()[mark:].count("[1]+  Terminated              !sleep 30\r\n")
check("which is told as terminated, once", told == 1, shell.transcript.getvalue()[mark:])
shell.child.sendline("!sleep 30 & sleep 0.2; kill %1; wait %1; echo $?")
shell.child.expect(r"\[1\] \d+\r\n\[1\]\+  Terminated              !sleep 30\r\n143\r\n")
shell.wait_prompt()
check("a killed host job is told as terminated when waited for, with status 143", True)
start = time.time()
shell.child.sendline("sleep 30 & kill $!; wait $!; echo $?")
shell.child.expect(r"\[1\] \d+\r\n\[1\]\+  Terminated              sleep 30\r\n143\r\n")
shell.wait_prompt()
check("a signal sent right after & is not lost", time.time() - start < 10)

# --- wait: a stopped job, wait -n.
shell.child.sendline("sleep 200")
check("a job to stop", wait_for(lambda: "S" in states("sleep 200"), 30), repr(states("sleep 200")))
shell.control("z")
shell.wait_prompt()
start = time.time()
expect_output(shell, "wait returns at once when the only job is stopped", "wait; echo $?", "0\n", timeout=10)
check("at once", time.time() - start < 5)
shell.run("kill %1")
shell.run("true")
check("wait -n returns when the first job ends",
      shell.says("sleep 0.3 & sleep 30 & wait -n; echo n=$?", r"n=0\r\n") and states("sleep 30") != [])
shell.run("kill %2; wait %2")
check("wait -n gives a host job's status", shell.says("!sh -c 'exit 3' & wait -n; echo n=$?", r"n=3\r\n"))
check("a resize does not disturb wait -n",
      shell.says("sleep 1 & wait -n; echo n=$?", r"n=0\r\n", during=lambda: shell.child.setwinsize(28, 100)))
check("a resize does not disturb a pipeline",
      shell.says("sleep 1 | cat; echo p=$?", r"p=0\r\n", during=lambda: shell.child.setwinsize(30, 120)))

# --- A trapped signal arriving at the prompt runs at once, above the half-typed line.
shell.run("trap 'echo usr1-ran' USR1")
shell.type("echo hal")
time.sleep(0.3)
os.kill(shell.child.pid, signal.SIGUSR1)
ran = True
try:
    shell.child.expect_exact("usr1-ran\r\n", timeout=5)
except pexpect.TIMEOUT:
    ran = False
check("a trapped signal at the prompt runs its action at once", ran, repr(shell.child.before))
redrawn = True
try:
    shell.child.expect_exact(PROMPT + "echo hal", timeout=5)
except pexpect.TIMEOUT:
    redrawn = False
check("the prompt and the half-typed line are drawn again", redrawn, repr(shell.child.before))
expect_output(shell, "and the line goes on", "f", "half\n")
shell.run("trap - USR1")

# --- PS1 is a variable of an interactive shell.
child = pexpect.spawn(dosh, ["--host", "local"], cwd=work, encoding="utf-8", timeout=30,
                      env=dict(environment(work), XDG_CONFIG_HOME=os.path.join(work, "none")))
child.expect(r"[$#] ")
child.sendline('echo "[$PS1]"')
child.expect(r"\[guest:\\w │ host:\\x \\\$ \]")
child.sendline('PS1="$PS1(x) "')
child.expect(r"[$#] \(x\) ")
check("PS1 is set and can be built on", True)
child.close(force=True)

# --- A hang-up of the terminal reaches the jobs, on both sides.
hung = pexpect.spawn(dosh, ["--host", "local"], cwd=work, encoding="utf-8", timeout=30, env=environment(work))
hung.expect_exact(PROMPT)
hung.sendline("sleep 1001 &")
hung.expect_exact(PROMPT)
hung.sendline("!sleep 1002 &")
hung.expect_exact(PROMPT)
check("background jobs run", wait_for(lambda: states("sleep 1001") and states("sleep 1002")))
hung.close(force=False)  # closing the master: the kernel sends SIGHUP
check("the terminal's hang-up ends the guest job", wait_for(lambda: states("sleep 1001") == []))
check("and the host job", wait_for(lambda: states("sleep 1002") == []))

shell.close()
finish()
