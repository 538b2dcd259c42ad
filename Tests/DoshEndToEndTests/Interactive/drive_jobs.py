"""Job control across both sides, through a real pseudo-terminal.

Usage: drive_jobs.py DOSH WORKDIR. Prints `ok NAME` per check; exits non-zero on a failure.
"""
import io
import os
import re
import subprocess
import sys
import time
import pexpect
from pty_support import states, wait_for

dosh, work = sys.argv[1], sys.argv[2]
env = {"PATH": "/usr/local/bin:/usr/bin:/bin", "HOME": work, "TERM": "xterm", "LC_ALL": "C.UTF-8",
       "XDG_STATE_HOME": os.path.join(work, "state"), "XDG_CONFIG_HOME": os.path.join(work, "config")}
PROMPT = r"[$#] "


def check(name, condition, shell=None):
    if not condition:
        print("FAILED " + name)
        if shell is not None:
            print("screen before: %r" % shell.before)
        sys.exit(1)
    print("ok " + name)


def in_foreground(pattern):
    """Whether a process running `pattern` is in its terminal's foreground group (ps's `+`)."""
    out = subprocess.run(["ps", "-eo", "stat=,args="], capture_output=True, text=True).stdout
    return any("+" in line.split()[0] for line in out.splitlines() if line.split(None, 1)[1:] == [pattern])


transcript = io.StringIO()


def notice(shell, pattern, tries=20, since=None):
    """Whether the shell reports `pattern`: in a notice before some prompt, or in `jobs`."""
    start = transcript.tell() if since is None else since
    for _ in range(tries):
        shell.sendline("jobs")
        shell.expect(PROMPT)
        if re.search(pattern, transcript.getvalue()[start:]):
            return True
        time.sleep(0.25)
    return False


shell = pexpect.spawn(dosh, ["--host", "local"], cwd=work, env=env, encoding="utf-8", timeout=30, dimensions=(30, 120))
shell.logfile_read = transcript
shell.expect(PROMPT)

# A job with a guest and a host process: Ctrl-Z stops both sides.
shell.sendline("sleep 300 | !sleep 301")
check("both sides start", wait_for(lambda: states("sleep 300") == ["S"] and states("sleep 301") == ["S"]))
shell.sendcontrol("z")
shell.expect(r"\[1\]\+  Stopped +sleep 300 \| !sleep 301")
shell.expect(PROMPT)
check("ctrl-z stops the guest side", wait_for(lambda: states("sleep 300") == ["T"]))
check("ctrl-z stops the host side", wait_for(lambda: states("sleep 301") == ["T"]))
shell.sendline("echo status=$?")
shell.expect(r"status=148")
shell.expect(PROMPT)
check("$? is 148 after ctrl-z", True)
shell.sendline("jobs")
shell.expect(r"\[1\]\+  Stopped +sleep 300 \| !sleep 301")
shell.expect(PROMPT)
check("jobs lists the stopped job", True)

# bg continues both sides; fg and Ctrl-C end both.
shell.sendline("bg")
shell.expect(r"\[1\]\+ sleep 300 \| !sleep 301 &")
shell.expect(PROMPT)
check("bg continues both sides", wait_for(lambda: states("sleep 300") == ["S"] and states("sleep 301") == ["S"]))
shell.sendline("fg")
shell.expect(r"sleep 300 \| !sleep 301")
# The host stage writes to the terminal, so the job runs on the host pty: the shell relays the
# guest terminal to it, and typed keys reach the job through the relay.
check("fg continues the job", wait_for(lambda: states("sleep 300") == ["S"] and states("sleep 301") == ["S"]))
shell.sendcontrol("c")
try:
    shell.expect(PROMPT)
except pexpect.TIMEOUT:
    print(subprocess.run("ps -eo pid,pgid,tpgid,stat,wchan:20,args | grep -E 'sleep 30|dosh' | grep -v grep", shell=True, capture_output=True, text=True).stdout)
    raise
check("fg and ctrl-c end both sides", wait_for(lambda: states("sleep 300") == [] and states("sleep 301") == []))

# The reverse: a host stage first.
shell.sendline("!sleep 303 | sleep 304")
check("reverse job starts", wait_for(lambda: states("sleep 303") == ["S"] and states("sleep 304") == ["S"]))
shell.sendcontrol("z")
shell.expect(r"Stopped +!sleep 303 \| sleep 304")
shell.expect(PROMPT)
check("reverse job stops on both sides", wait_for(lambda: states("sleep 303") == ["T"] and states("sleep 304") == ["T"]))
shell.sendline("kill %1")
shell.expect(PROMPT)
check("kill %1 ends both sides", wait_for(lambda: states("sleep 303") == [] and states("sleep 304") == []))
shell.sendline("jobs")
shell.expect(PROMPT)

# A host-only job in the foreground: Ctrl-Z, fg, Ctrl-C.
shell.sendline("!sleep 305")
check("host job starts", wait_for(lambda: states("sleep 305") == ["S"]))
shell.sendcontrol("z")
shell.expect(r"Stopped +!sleep 305")
shell.expect(PROMPT)
check("ctrl-z stops a host-only job", wait_for(lambda: states("sleep 305") == ["T"]))
shell.sendline("fg")
shell.expect(r"!sleep 305")
check("fg continues it", wait_for(lambda: states("sleep 305") == ["S"]))
shell.sendcontrol("c")
shell.expect(PROMPT)
check("ctrl-c ends a host-only job", wait_for(lambda: states("sleep 305") == []))

# A background host job is reported Done.
mark = transcript.tell()
shell.sendline("!sleep 1 &")
shell.expect(r"\[\d+\] \d+\r\n")  # the host pid, which $! names
shell.expect(PROMPT)
check("a background host job is reported done", notice(shell, r"Done +!sleep 1", since=mark), shell)

# A full-screen host program's terminal: the host pty has the guest's size, follows a resize,
# delivers single keys in -icanon mode, and the guest terminal's modes come back afterwards.
shell.sendline("stty -g > modes.before")
shell.expect(PROMPT)
shell.sendline("!stty size")
shell.expect(r"30 120")
shell.expect(PROMPT)
check("a host program sees the guest size", True)
shell.setwinsize(25, 90)
shell.sendline("!stty size")
shell.expect(r"25 90")
shell.expect(PROMPT)
check("and the new size after a resize", True)
shell.sendline("!sh -c 'stty -icanon -echo; head -c 1 >/dev/null; echo one-key'")
time.sleep(0.5)
shell.send("k")
shell.expect(r"one-key")
shell.expect(PROMPT)
check("a host program in -icanon mode gets one key without Enter", True)
shell.sendline("stty -g > modes.after; cmp -s modes.before modes.after && echo modes-restored")
shell.expect(r"modes-restored")
shell.expect(PROMPT)
check("the guest terminal modes are restored", True)

# A full-screen host editor: Ctrl-Z suspends it, fg brings it back, and it goes on editing.
if os.path.exists("/usr/bin/vim") or os.path.exists("/usr/bin/vi"):
    editor = "/usr/bin/vim" if os.path.exists("/usr/bin/vim") else "/usr/bin/vi"
    target = os.path.join(work, "edited.txt")
    shell.sendline("!%s -n -u NONE %s" % (editor, target))
    time.sleep(1.5)
    shell.sendcontrol("z")
    shell.expect(r"Stopped +!")
    shell.expect(PROMPT)
    shell.sendline("fg")
    time.sleep(1)
    shell.send("ihello from the host editor\x1b")
    shell.send(":wq\r")
    shell.expect(PROMPT)
    check("ctrl-z and fg in a full-screen host editor", open(target).read() == "hello from the host editor\n", shell)
    shell.sendline("stty -g > modes.after; cmp -s modes.before modes.after && echo modes-restored")
    shell.expect(r"modes-restored\r\n")
    shell.expect(PROMPT)
    check("the guest terminal modes are restored after the editor", True)
    shell.sendline("printf 'a\\nb\\n'")
    shell.expect(PROMPT)
    check("and lines end as before (no staircase)", "a\r\nb\r\n" in shell.before, shell)
else:
    print("no vi here: the full-screen editor check did not run")

# A background host job that reads the terminal stops, as a local one would.
mark = transcript.tell()
shell.sendline("!cat &")
shell.expect(PROMPT)
check("!cat & is reported stopped on tty input", notice(shell, r"Stopped \(tty input\) +!cat", since=mark), shell)
shell.sendline("kill %1")
shell.expect(PROMPT)

# A background host job's output reaches the guest terminal.
mark = transcript.tell()
shell.sendline("!sh -c 'sleep 0.5; echo background-says-hi' &")
shell.expect(PROMPT)
check("a background host job's output appears", notice(shell, r"background-says-hi", since=mark), shell)

# While the shell sits at the prompt, a background host job's output appears at once (before
# Enter), above the half-typed line, which is drawn again and stays intact. The job's Done
# notice waits for the next prompt, as bash's does.
shell.sendline("!sh -c 'sleep 1; echo live-from-the-host' &")
shell.expect(PROMPT)
mark = transcript.tell()
shell.send("echo half-typ")
shell.expect_exact("half-typ")
shell.expect(r"live-from-the-host\r+\n", timeout=15)
shell.expect_exact("echo half-typ")
check("a background host job's output appears while at the prompt", True)
time.sleep(0.3)
check("its Done notice waits for the next prompt", "Done" not in transcript.getvalue()[mark:], shell)
shell.send("ed\r")
shell.expect(r"\nhalf-typed\r+\n")
shell.expect(PROMPT)
check("the half-typed line survives the output", True)
check("the notice comes at the next prompt", notice(shell, r"Done +!sh -c", since=mark), shell)

# Output in several pieces while a line is being typed: each piece appears, the line comes back.
shell.sendline("!sh -c 'for i in 1 2 3; do sleep 0.3; echo piece-$i; done' &")
shell.expect(PROMPT)
shell.send("echo abc")
for piece in ("piece-1", "piece-2", "piece-3"):
    shell.expect(piece + r"\r+\n", timeout=15)
    shell.expect_exact("echo abc")
shell.send("def\r")
shell.expect(r"\nabcdef\r+\n")
shell.expect(PROMPT)
check("pieces of output each redraw the line", True)

# While a guest command runs in the foreground, a background host job's output still appears,
# as a local background job's would: before the foreground command ends.
shell.sendline("!sh -c 'sleep 0.5; echo host-during-guest' &")
shell.expect(PROMPT)
started = time.time()
shell.sendline("sleep 3; echo guest-done")
shell.expect(r"host-during-guest\r+\n", timeout=15)
during = time.time() - started
shell.expect(r"guest-done\r+\n")
shell.expect(PROMPT)
check("a background host job's output appears while a guest command runs", during < 2.5, shell)

# exit warns once about stopped jobs.
shell.sendline("sleep 306")
check("sleep 306 starts", wait_for(lambda: states("sleep 306") == ["S"]))
shell.sendcontrol("z")
shell.expect(PROMPT)
shell.sendline("exit")
shell.expect(r"There are stopped jobs\.")
shell.expect(PROMPT)
check("exit warns about stopped jobs", True)
shell.sendline("exit")
shell.expect(pexpect.EOF)
check("a second exit leaves", True)
check("nothing left behind", wait_for(lambda: states("sleep 306") == []))


def survives(path, seconds):
    return wait_for(lambda: os.path.exists(path) and open(path).read() == "alive\n", seconds)


# exit hangs up the host jobs, like a terminal hang-up: a nohup-ed host process lives on.
alive = os.path.join(work, "alive-after-exit")
shell = pexpect.spawn(dosh, ["--host", "local"], cwd=work, env=env, encoding="utf-8", timeout=30)
shell.expect(PROMPT)
shell.sendline("!nohup sh -c 'sleep 4; echo alive > %s' >/dev/null 2>&1 &" % alive)
shell.expect(PROMPT)
shell.sendline("!sleep 308 &")
shell.expect(PROMPT)
check("a nohup-ed and a plain host job run", wait_for(lambda: states("sleep 4") != [] and states("sleep 308") != []))
shell.sendline("exit")
shell.expect(pexpect.EOF)
check("exit ends a plain host job", wait_for(lambda: states("sleep 308") == []))
check("the nohup-ed host process still runs after exit", states("sleep 4") != [])
check("and finishes its work", survives(alive, 8))

# Killing the shell (SIGKILL) hangs up its host jobs: nothing stays running but what was nohup-ed.
alive = os.path.join(work, "alive-after-kill")
shell = pexpect.spawn(dosh, ["--host", "local"], cwd=work, env=env, encoding="utf-8", timeout=30)
shell.expect(PROMPT)
shell.sendline("!nohup sh -c 'sleep 5; echo alive > %s' >/dev/null 2>&1 &" % alive)
shell.expect(PROMPT)
shell.sendline("!sleep 307 &")
shell.expect(PROMPT)
check("a background host job runs", wait_for(lambda: states("sleep 307") != [] and states("sleep 5") != []))
os.kill(shell.pid, 9)
check("killing dosh leaves no host process running", wait_for(lambda: states("sleep 307") == []))
check("but the nohup-ed one", states("sleep 5") != [])
check("which finishes its work", survives(alive, 10))
