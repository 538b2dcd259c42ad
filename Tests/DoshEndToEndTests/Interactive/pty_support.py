"""What the terminal tests share: starting dosh on a real pty, typing a line and taking exactly
what the screen got, and looking at processes.
"""
import io
import os
import re
import signal
import subprocess
import sys
import time
import pexpect

PROMPT = "[dosh]# " if os.getuid() == 0 else "[dosh]$ "
failures = []


def environment(work):
    """A small environment whose doshrc sets a prompt that cannot be mistaken for output."""
    config = os.path.join(work, "config")
    os.makedirs(os.path.join(config, "dosh"), exist_ok=True)
    with open(os.path.join(config, "dosh", "doshrc"), "w") as rc:
        rc.write("PS1='[dosh]\\$ '\n")
    return {"PATH": "/usr/local/bin:/usr/bin:/bin", "HOME": work, "TERM": "xterm", "LC_ALL": "C.UTF-8",
            "XDG_STATE_HOME": os.path.join(work, "state"), "XDG_CONFIG_HOME": config}


class Shell:
    """An interactive dosh on a pty, with everything it printed kept in `transcript`."""

    def __init__(self, command, arguments, work, env=None, rows=30, columns=120):
        self.transcript = io.StringIO()
        # Python ignores SIGPIPE and pexpect's child would inherit that; a terminal starts its
        # shell with the default, and so must the test (or `yes | head -1` says "Broken pipe").
        self.child = pexpect.spawn(command, arguments, cwd=work, env=env or environment(work), encoding="utf-8",
                                   timeout=30, dimensions=(rows, columns),
                                   preexec_fn=lambda: signal.signal(signal.SIGPIPE, signal.SIG_DFL))
        self.child.logfile_read = self.transcript
        self.child.expect_exact(PROMPT)

    def run(self, line, timeout=30):
        """Types `line`, waits for the next prompt and returns what came between the echoed line
        and the prompt, with the terminal's CR LF as LF. A LF without CR (a staircase on a raw
        terminal) is kept as `<LF>`, so that comparing with the expected text fails."""
        self.child.sendline(line)
        self.child.expect_exact(PROMPT, timeout=timeout)
        return screen_text(self.child.before, line)

    def says(self, line, pattern, during=None, timeout=30):
        """Types `line`, runs `during` (a resize, a signal) a moment later, and tells whether the
        screen then shows `pattern` (a regular expression) before the next prompt."""
        self.child.sendline(line)
        if during is not None:
            time.sleep(0.3)
            during()
        try:
            self.child.expect(pattern, timeout=timeout)
            self.child.expect_exact(PROMPT, timeout=timeout)
            return True
        except pexpect.TIMEOUT:
            return False

    def type(self, text):
        self.child.send(text)

    def control(self, key):
        self.child.sendcontrol(key)

    def wait_prompt(self, timeout=30):
        """Waits for the next prompt; returns what came before it, as `run` does."""
        self.child.expect_exact(PROMPT, timeout=timeout)
        return screen_text(self.child.before, None)

    def close(self):
        self.child.close(force=True)


def screen_text(raw, echoed):
    if echoed is not None:
        # The echo of the typed line comes first; where it reached the last column, the editor
        # wrote " \b" to move to the next row.
        index = raw.find(echoed)
        if index < 0:
            raw = raw.replace(" \b", "")
            index = raw.find(echoed)
        if index >= 0:
            raw = raw[index + len(echoed):]
    raw = raw.replace("\r\n", "\0").replace("\n", "<LF>\n").replace("\0", "\n")
    text = raw.replace("\r", "")
    if text.startswith("\n"):
        text = text[1:]
    return text


def check(name, condition, detail=""):
    """Records a failure (and goes on), so one run shows every broken item."""
    if condition:
        print("ok " + name)
    else:
        print("FAILED " + name + ("\n    " + detail.replace("\n", "\n    ") if detail else ""))
        failures.append(name)


def expect_output(shell, name, line, expected, timeout=30):
    try:
        got = shell.run(line, timeout=timeout)
    except pexpect.TIMEOUT:
        check(name, False, "no prompt came back after %r; screen: %r" % (line, shell.child.before[-400:]))
        return None
    check(name, got == expected, "typed %r\n expected %r\n got      %r" % (line, expected, got))
    return got


def finish():
    if failures:
        print("\n%d failed: %s" % (len(failures), ", ".join(failures)))
        sys.exit(1)


def processes():
    out = subprocess.run(["ps", "-eo", "pid=,stat=,args="], capture_output=True, text=True).stdout
    result = []
    for line in out.splitlines():
        parts = line.split(None, 2)
        if len(parts) == 3:
            result.append((int(parts[0]), parts[1], parts[2]))
    return result


def states(command):
    """The process states (first letter of ps's STAT) of the processes running `command`."""
    return [stat[0] for _, stat, args in processes() if args == command]


def wait_for(condition, seconds=20.0):
    deadline = time.time() + seconds
    while time.time() < deadline:
        if condition():
            return True
        time.sleep(0.05)
    return condition()
