"""The two-world matrix of the `!` rules typed at a real prompt: each line in the foreground, then
again as `{ LINE; } & wait`, with the screen checked for exactly the expected output.

Usage: drive_matrix.py WORKDIR LINES.json COMMAND ARG... where COMMAND starts dosh in the guest
world (see TwoWorlds.guestCommand) and LINES.json holds the matrix (TwoWorldsMatrix.lines).
Prints `ok NAME` or `FAILED NAME` per check and exits non-zero if any failed.
"""
import json
import re
import sys
import pexpect
from pty_support import Shell, check, expect_output, finish

work, lines_file, command = sys.argv[1], sys.argv[2], sys.argv[3:]
with open(lines_file) as f:
    lines = json.load(f)

def start():
    # Wide enough that no typed line wraps: the echo is then the line itself.
    return Shell(command[0], command[1:], work, columns=1000)


shell = start()
modes_before = shell.run("stty -g")

# The background job's notice comes from the shell while the job may already be writing; it is
# one whole line, so it is taken out wherever it starts a line.
NOTICE = re.compile(r"(?m)^\[1\] \d+\n")

for entry in lines:
    name, line = entry["name"], entry["line"]
    expected = entry.get("atThePrompt") or entry["stdout"]
    if expect_output(shell, name + " (at the prompt)", line, expected, timeout=120) is None:
        shell.close()
        shell = start()
        continue
    background = "{ %s; } & wait" % line
    try:
        screen = shell.run(background, timeout=120)
    except pexpect.TIMEOUT:
        check(name + " (in the background)", False, "no prompt came back; screen: %r" % shell.child.before[-400:])
        shell.close()
        shell = start()
        continue
    told = len(NOTICE.findall(screen))
    output = NOTICE.sub("", screen, count=1)
    check(name + " (in the background)", told == 1 and output == entry["stdout"],
          "typed %r\n expected [1] PID and %r\n got      %r" % (background, entry["stdout"], screen))

expect_output(shell, "no job is left", "jobs", "")
expect_output(shell, "the terminal modes are as before", "stty -g", modes_before)
shell.close()
finish()
