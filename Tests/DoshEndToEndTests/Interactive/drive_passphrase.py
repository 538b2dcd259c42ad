"""ssh asks for a key's passphrase at the terminal while dosh opens its host (--host ssh:):
typed slowly, the answer opens the session; Ctrl-C at that prompt gives up in one line and
leaves no ssh behind.

usage: drive_passphrase.py WORK PASSPHRASE PORT DOSH ARGUMENTS...
"""
import sys
import time

import pexpect

from pty_support import PROMPT, check, environment, expect_output, finish, processes, screen_text, wait_for

work, passphrase, port, dosh = sys.argv[1:5]
arguments = sys.argv[5:]
label = "ssh:root@127.0.0.1:" + port


def start():
    child = pexpect.spawn(dosh, arguments, cwd=work, env=environment(work), encoding="utf-8", timeout=30,
                          dimensions=(30, 200))
    child.expect_exact("Enter passphrase for key")
    return child


def ssh_clients():
    return [pid for pid, _, args in processes() if args.startswith("ssh -T") and port in args]


class Typed:
    """The `expect_output` interface over a child already at its prompt."""

    def __init__(self, child):
        self.child = child

    def run(self, line, timeout=30):
        self.child.sendline(line)
        self.child.expect_exact(PROMPT, timeout=timeout)
        return screen_text(self.child.before, line)


# Longer than the 5 s a host that cannot be opened gets: a person is typing.
child = start()
time.sleep(6)
child.sendline(passphrase)
try:
    child.expect_exact(PROMPT, timeout=30)
    check("no deadline while ssh asks", "timed out" not in child.before and "dosh:" not in child.before, repr(child.before))
except pexpect.TIMEOUT:
    check("the prompt comes after the passphrase", False, repr(child.before))
shell = Typed(child)
expect_output(shell, "the session opened with the passphrase", "!cd %s; !echo hi; !pwd" % work, "hi\n%s\n" % work)
child.sendline("exit")
child.expect(pexpect.EOF)

child = start()
time.sleep(0.5)
child.sendcontrol("c")
try:
    child.expect_exact("dosh: host: %s: interrupted while the channel opened\r\n" % label, timeout=15)
    child.expect_exact(PROMPT, timeout=15)
    gave_up = True
except pexpect.TIMEOUT:
    gave_up = False
check("Ctrl-C at the passphrase gives up in one line", gave_up, repr(child.before))
check("no ssh is left", wait_for(lambda: not ssh_clients(), 10), repr(ssh_clients()))
expect_output(Typed(child), "the guest goes on", "echo guest", "guest\n")
child.sendline("exit")
child.expect(pexpect.EOF)
finish()
