"""Drives an interactive dosh through a real pseudo-terminal, as a user would.

Usage: drive_dosh.py DOSH WORKDIR. Prints `ok NAME` for each check; exits non-zero on the first
failure, with what the screen showed.
"""
import os
import sys
import pexpect

dosh, work = sys.argv[1], sys.argv[2]
home = os.path.join(work, "home")
os.makedirs(os.path.join(home, "projects", "alpha"), exist_ok=True)
os.makedirs(os.path.join(work, "tree", "unique_directory"), exist_ok=True)
open(os.path.join(work, "tree", "file one.txt"), "w").close()
open(os.path.join(work, "tree", "alpha.txt"), "w").close()
os.makedirs(os.path.join(work, "tree", "many"), exist_ok=True)
for number in range(1, 151):
    open(os.path.join(work, "tree", "many", "f%d" % number), "w").close()
env = {
    "PATH": "/usr/local/bin:/usr/bin:/bin",
    "HOME": home,
    "TERM": "xterm",
    "LC_ALL": "C.UTF-8",
    "XDG_STATE_HOME": os.path.join(work, "state"),
    "XDG_CONFIG_HOME": os.path.join(work, "config"),
}
PROMPT_END = r"[$#] "


def start(*arguments):
    shell = pexpect.spawn(dosh, list(arguments), cwd=home, env=env, encoding="utf-8", timeout=30, dimensions=(24, 100))
    shell.expect(PROMPT_END)
    return shell


def check(name, condition, shell=None):
    if not condition:
        print("FAILED " + name)
        if shell is not None:
            print("screen before: %r" % shell.before)
        sys.exit(1)
    print("ok " + name)


def run(shell, line, expect):
    shell.sendline(line)
    shell.expect(expect)


shell = start()
# The default prompt shows the guest working directory, ~-abbreviated, and follows cd.
check("prompt shows ~", shell.before.endswith("~ ") or "~" in shell.before, shell)
run(shell, "cd projects/alpha", r"~/projects/alpha [$#] ")
check("prompt follows cd", True)
run(shell, "cd", r"~ [$#] ")

# Multi-line input is one command, and one history entry.
shell.sendline("for i in 1 2; do")
shell.expect(r"> ")
shell.sendline("echo item$i")
shell.expect(r"> ")
shell.sendline("done")
shell.expect(r"item1\r\nitem2\r\n")
shell.expect(PROMPT_END)
check("multi-line command runs once complete", True)

# Tab completes guest paths (a unique directory gets a trailing slash) and quotes spaces.
run(shell, "cd " + work + "/tree", r"tree [$#] ")
shell.send("ls -d uni\t")
shell.expect(r"que_directory/")  # only the inserted text is redrawn
shell.send("\r")
shell.expect(r"unique_directory/\r\n")
shell.expect(PROMPT_END)
check("tab completes a guest directory", True)
shell.send("printf '<%s>' fil\t")
shell.expect(r"e\\ one\.txt ")
shell.send("\r")
shell.expect(r"<file one\.txt>")
shell.expect(PROMPT_END)
check("tab quotes a file name with a space", True)

# Commands and variables complete too; as in bash, a variable naming a directory gets a `/`,
# another a space.
shell.send("ech\t")
shell.expect(r"o ")
shell.send("$HO\t")
shell.expect(r"ME/")
shell.send("X\r")
shell.expect(home + "/X\r\n")
shell.expect(PROMPT_END)
check("tab completes commands and variables", True)
run(shell, "NAME_ONE=v", PROMPT_END)
shell.send("echo $NAME_O\t")
shell.expect_exact("NE ")
shell.send("X\r")
shell.expect(r"v X\r\n")
shell.expect(PROMPT_END)
check("tab after a variable that is no directory adds a space", True)

# A path starting with a variable completes, and the variable stays as typed (bash, direxpand off).
shell.send("printf '<%s>' $PWD/al\t")
shell.expect_exact("pha.txt ")
shell.send("\r")
shell.expect(r"<" + work + r"/tree/alpha\.txt>")
shell.expect(PROMPT_END)
run(shell, "history 2", r"printf '<%s>' \$PWD/alpha\.txt")
shell.expect(PROMPT_END)
check("tab completes a path after a variable and keeps the variable", True)
shell.send("cd ~/pro\t")
shell.expect_exact("jects/")
shell.send("al\t\r")
shell.expect(r"~/projects/alpha [$#] ")
run(shell, "cd " + work + "/tree", r"tree [$#] ")
check("tab completes a path after ~", True)

# An open quote is kept, and closed after a unique file, as bash does.
shell.send("printf '<%s>' \"fil\t")
shell.expect_exact('e one.txt" ')
shell.send("\r")
shell.expect(r"<file one\.txt>")
shell.expect(PROMPT_END)
shell.send("printf '<%s>' 'fil\t")
shell.expect_exact("e one.txt' ")
shell.send("\r")
shell.expect(r"<file one\.txt>")
shell.expect(PROMPT_END)
check("tab keeps and closes an open quote", True)

# From 100 candidates on, Tab asks first; n redraws the line, y lists.
shell.send("ls many/f\t\t")
shell.expect_exact("\r\nDisplay all 150 possibilities? (y or n)")
shell.send("n")
shell.expect_exact("ls many/f")
check("n at the question lists nothing", "f99" not in shell.before, shell)
shell.send("\t")
shell.expect_exact("Display all 150 possibilities? (y or n)")
shell.send("y")
shell.expect(r"f99\r*\n")
shell.expect_exact("ls many/f")
check("y at the question lists the candidates", True)
# Taller than the terminal, the listing stops at --More--: Enter shows one more line, q stops.
shell.setwinsize(8, 100)
shell.send("\t")
shell.expect_exact("Display all 150 possibilities? (y or n)")
shell.send("y")
shell.expect_exact("--More--")
page = shell.before
shell.send("\r")
shell.expect_exact("--More--")
check("the listing pages like bash", page.count("\n") == 8 and shell.before.count("\n") == 1, shell)
shell.send("q")
shell.expect_exact("ls many/f")
shell.setwinsize(24, 100)
shell.send("\x15")  # Ctrl-U: drop the line
shell.sendline("echo listed")
shell.expect(r"listed\r\n")
shell.expect(PROMPT_END)
check("the line goes on after q", True)

# Ctrl-C drops the line and gives a fresh prompt; the shell survives.
shell.send("echo never printed")
shell.send("\x03")
shell.expect(PROMPT_END)
run(shell, "echo after-interrupt", r"after-interrupt\r\n")
shell.expect(PROMPT_END)
check("ctrl-c clears the line", "never printed\r\n" not in shell.before, shell)

# Ctrl-R finds an earlier line.
shell.send("\x12")
shell.send("item$")
shell.expect(r"echo item\$i")
shell.send("\x07")  # leave the search without running
shell.send("\x03")
shell.expect(PROMPT_END)
check("ctrl-r finds an older line", True)

# Ctrl-R as in bash: its prompt, older matches, a failed search, Backspace, Enter runs the match.
for line in ["echo gamma-one", "echo delta-two", "echo gamma-three"]:
    run(shell, line, PROMPT_END)
shell.send("\x12")
shell.expect_exact("(reverse-i-search)`': ")
shell.send("gamma")
shell.expect_exact("(reverse-i-search)`gamma': echo gamma-three")
shell.send("\x12")
shell.expect_exact("(reverse-i-search)`gamma': echo gamma-one")
shell.send("\x12")
shell.expect_exact("(failed reverse-i-search)`gamma': echo gamma-one")
shell.send("\x7f")
shell.expect_exact("(reverse-i-search)`gamm': echo gamma-one")
shell.send("\r")
shell.expect(r"\r\ngamma-one\r\n")
shell.expect(PROMPT_END)
check("ctrl-r searches like bash and enter runs the match", True)
shell.send("\x12delta\x1b")  # Esc: the match is in the line, to be edited
shell.expect(r"[$#] echo delta-two")
shell.send("\x05-more\r")  # Ctrl-E, then type at the end
shell.expect(r"delta-two-more\r\n")
shell.expect(PROMPT_END)
shell.send("\x12three\x1b[DX\r")  # an arrow ends the search and moves the cursor
shell.expect(r"gammaX-three\r\n")
shell.expect(PROMPT_END)
check("esc and arrows accept the match for editing", True)
shell.send("echo kept\x12delta")
shell.expect_exact("(reverse-i-search)`delta': echo delta-two-more")
shell.send("\x07\r")  # Ctrl-G: the line as it was
shell.expect(r"kept\r\n")
shell.expect(PROMPT_END)
shell.send("\x12gamma\x03")  # Ctrl-C: the line is discarded, as at the prompt
shell.expect(r"\^C\r\n")
shell.expect(PROMPT_END)
run(shell, "echo after-search", r"after-search\r\n")
shell.expect(PROMPT_END)
check("ctrl-g restores the line, ctrl-c discards it", True)

# The status of the last command is there for PS1, and PS1 can be set.
run(shell, "PS1='[\\?] \\W% '", r"\[0\] tree% ")
run(shell, "false", r"\[1\] tree% ")
check("PS1 escapes for status and directory", True)

# Ctrl-D on an empty line exits, and `exit` stands on a line of its own (no `^D`), as in bash.
shell.sendeof()
shell.expect_exact("\r\nexit\r\n")
check("ctrl-d shows exit on its own line", "^D" not in shell.before, shell)
shell.expect(pexpect.EOF)
check("ctrl-d exits", True)

# History survives a restart: the multi-line loop is one entry, Up brings it back.
shell = start()
run(shell, "history", r"for i in 1 2; do\r\necho item\$i\r\ndone")
shell.expect(PROMPT_END)
shell.send("\x1b[A")  # Up: the `history` command itself
shell.send("\x1b[A")  # Up again: the one before
shell.send("\x1b[A")
shell.expect(r"false")
check("history survives a restart", True)
shell.send("\x03")
shell.expect(PROMPT_END)
shell.sendline("exit 3")
shell.expect(pexpect.EOF)
shell.close()
check("exit status of an interactive shell", shell.exitstatus == 3)

# With a host, the prompt shows both working directories and follows both cd's.
shell = start("--host", "local")
check("prompt shows both sides", "guest:~ \u2502 host:~ " in shell.before + shell.after, shell)
run(shell, "!cd /tmp", r"guest:~ \u2502 host:/tmp [$#] ")
run(shell, "cd /", r"guest:/ \u2502 host:/tmp [$#] ")
check("prompt follows cd and !cd", True)
shell.send("!ech\t")
shell.expect(r"o ")
shell.send("from-host\r")
shell.expect(r"from-host\r\n")
shell.expect(PROMPT_END)
check("tab completes host commands", True)
shell.send("!ls $HOME/pro\t")  # the host's HOME: with --host local, the same directory
shell.expect_exact("jects/")
shell.send("\x15")
check("tab completes a host path after a host variable", True)

# A host that stops answering never freezes the editor: completion gives up within ~300 ms.
import signal
import subprocess
import time
shadow = subprocess.run(["pgrep", "-P", str(shell.pid), "-f", "shadow-fd"], capture_output=True, text=True).stdout.split()
check("the local shadow process is found", len(shadow) == 1)
os.kill(int(shadow[0]), signal.SIGSTOP)
try:
    started = time.time()
    shell.send("!ls /\t")
    shell.send("\x15")  # Ctrl-U: drop the line
    shell.sendline("echo alive")
    shell.expect(r"alive\r\n", timeout=15)
    check("a frozen host does not freeze the editor", time.time() - started < 3)
finally:
    os.kill(int(shadow[0]), signal.SIGCONT)
shell.expect(PROMPT_END)
shell.sendline("exit")
shell.expect(pexpect.EOF)
