"""Boots a real virtual machine whose shell is dosh, on the VM's serial console, and uses the
machine that runs QEMU as dosh's host through a virtio-serial port:

    guest: dosh --host serial:/dev/virtio-ports/dosh   (on ttyS0, its controlling terminal)
    host:  doshd --stdio --listen unix:PORT            (QEMU's chardev connects to it, and
                                                        connects again when a channel ends)

Everything is typed at the guest's prompt, so the checks go through the guest's own tty line
discipline (echo, ^Z) as a user's would.

usage: drive_vm.py DOSH DOSHD WORK               the checks (VirtualMachineTests)
       drive_vm.py --measure MB DOSH DOSHD WORK  throughput, raw through a second port of the
                                                 same kind and with dosh (dosh-bench vm)
"""
import hashlib
import os
import socket
import subprocess
import sys
import time

import pexpect

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "Interactive"))
from pty_support import check, failures, finish, screen_text, wait_for, processes  # noqa: E402
import guest_image  # noqa: E402

PROMPT = "[dosh]# "  # the guest runs as root
BIG = 20_000_000


def accelerator():
    """KVM where it can boot Debian's kernel, else TCG with the reason printed."""
    if not os.access("/dev/kvm", os.R_OK | os.W_OK):
        return "tcg", "/dev/kvm is missing or not usable"
    if not any(os.path.exists("/sys/module/" + m) for m in ["kvm_intel", "kvm_amd"]):
        modules = [m for m in os.listdir("/sys/module") if m.startswith("kvm")]
        return "tcg", "/dev/kvm is served by %s, which cannot boot Debian's kernel" % "/".join(modules)
    return "kvm", None


class Machine:
    """QEMU with the guest's console on a pty (pexpect), the port dosh uses as a chardev that
    connects to `host_socket`, and a second port, `raw_socket`, for raw figures."""

    def __init__(self, kernel, initramfs, work, accel):
        self.host_socket = os.path.join(work, "doshd-channel.sock")
        self.raw_socket = os.path.join(work, "raw.sock")
        accel_options = ["-accel", "kvm", "-cpu", "host"] if accel == "kvm" else ["-accel", "tcg", "-cpu", "max"]
        arguments = accel_options + [
            "-m", "1024", "-smp", "2", "-nodefaults", "-no-reboot", "-display", "none",
            "-kernel", kernel, "-initrd", initramfs, "-append", "console=ttyS0 quiet panic=-1",
            # signal=off: ^C and ^Z are the guest's, not QEMU's.
            "-chardev", "stdio,id=console,signal=off", "-serial", "chardev:console",
            "-device", "virtio-serial-pci",
            "-chardev", "socket,id=dosh,path=%s,reconnect=1" % self.host_socket,
            "-device", "virtserialport,chardev=dosh,name=" + guest_image.PORT_NAME,
            "-chardev", "socket,id=raw,path=%s,server=on,wait=off" % self.raw_socket,
            "-device", "virtserialport,chardev=raw,name=raw",
        ]
        self.child = pexpect.spawn("qemu-system-x86_64", arguments, encoding="utf-8", timeout=60,
                                   dimensions=(30, 1000))
        self.console = open(os.path.join(work, "console.log"), "w")
        self.child.logfile_read = self.console

    def run(self, line, timeout=60):
        self.child.sendline(line)
        self.child.expect_exact(PROMPT, timeout=timeout)
        return screen_text(self.child.before, line)

    def expect(self, name, line, expected, timeout=60):
        try:
            got = self.run(line, timeout)
        except (pexpect.TIMEOUT, pexpect.EOF):
            check(name, False, "no prompt after %r; screen: %r" % (line, self.child.before[-400:]))
            return None
        check(name, got == expected, "typed %r\n expected %r\n got      %r" % (line, expected, got))
        return got


class Host:
    """`doshd --stdio --listen unix:…` on the machine's chardev socket: one `doshd --stdio`
    per connection QEMU makes."""

    def __init__(self, doshd, machine):
        self.listener = subprocess.Popen([doshd, "--stdio", "--listen", "unix:" + machine.host_socket])

    def channels(self):
        """The pids of the `doshd --stdio` serving a channel now."""
        out = subprocess.run(["ps", "-o", "pid=,stat=", "--ppid", str(self.listener.pid)],
                             capture_output=True, text=True).stdout
        return [int(pid) for pid, stat in (line.split() for line in out.splitlines()) if not stat.startswith("Z")]

    def wait_for_channel(self, other_than=()):
        """The pid of a channel's doshd once QEMU has connected (it retries every second)."""
        found = []
        wait_for(lambda: found.extend(p for p in self.channels() if p not in other_than) or found, 30)
        return found[0] if found else None

    def stop(self):
        self.listener.terminate()
        try:
            self.listener.wait(timeout=10)
        except subprocess.TimeoutExpired:
            check("doshd --stdio --listen ends on SIGTERM", False)
            self.listener.kill()
            self.listener.wait()
        for pid in self.channels():
            os.kill(pid, 9)


def boot(kernel, initramfs, work, accel):
    """A machine whose init has started; one that KVM cannot bring up is booted again under TCG."""
    machine = Machine(kernel, initramfs, work, accel)
    try:
        machine.child.expect_exact("guest: up", timeout=60 if accel == "kvm" else 180)
        return machine
    except (pexpect.TIMEOUT, pexpect.EOF):
        if accel != "kvm":
            raise
    machine.child.close(force=True)
    print("note: running the VM under TCG (software emulation): the guest did not come up under KVM in 60 s")
    return boot(kernel, initramfs, work, "tcg")


def measure(machine, doshd, megabytes):
    """Prints MB/s through the port each way: raw bytes (cat on the guest, the socket on the
    host), then dosh's pipes (`!head | wc`, `head | !wc`), timed from the line to its answer."""
    count = megabytes * 1_000_000
    chunk = bytes(1 << 20)
    port = "/dev/virtio-ports/raw"

    def timed(line, host_side=None):
        start = time.monotonic()
        machine.child.sendline(line)
        # The host's end stays open until the guest has answered: closing it drops what the
        # port still holds.
        channel = host_side() if host_side else None
        machine.child.expect_exact(PROMPT, timeout=900)
        elapsed = time.monotonic() - start
        if channel:
            channel.close()
        return elapsed, screen_text(machine.child.before, line).strip()

    def send_raw():
        channel = socket.socket(socket.AF_UNIX)
        channel.connect(machine.raw_socket)
        left = count
        while left > 0:
            channel.sendall(chunk[:left])
            left -= min(left, len(chunk))
        return channel

    def receive_raw():
        channel = socket.socket(socket.AF_UNIX)
        channel.connect(machine.raw_socket)
        got = 0
        while got < count:
            data = channel.recv(1 << 20)
            if not data:
                break
            got += len(data)
        return channel

    figures = []
    elapsed, answer = timed("head -c %d < %s | wc -c" % (count, port), send_raw)
    figures.append(("host to guest", "raw port", elapsed, answer))
    elapsed, answer = timed("head -c %d /dev/zero > %s; echo sent" % (count, port), receive_raw)
    figures.append(("guest to host", "raw port", elapsed, answer))
    host = Host(doshd, machine)
    host.wait_for_channel()
    machine.run("!true")
    elapsed, answer = timed("!head -c %d /dev/zero | wc -c" % count)
    figures.append(("host to guest", "dosh", elapsed, answer))
    elapsed, answer = timed("head -c %d /dev/zero | !wc -c" % count)
    figures.append(("guest to host", "dosh", elapsed, answer))
    host.stop()
    print("virtio-serial, %d MB each way (%s)" % (megabytes, "answers: " + ", ".join(a for *_, a in figures)))
    rates = {}
    for direction, how, elapsed, _ in figures:
        rates[(direction, how)] = megabytes / elapsed
        print("  %-14s %-9s %8.1f MB/s" % (direction, how, megabytes / elapsed))
    for direction in ["host to guest", "guest to host"]:
        print("  %-14s dosh/raw  %8.2fx" % (direction, rates[(direction, "dosh")] / rates[(direction, "raw port")]))


def host_processes(args):
    return [pid for pid, _, command in processes() if command == args]


def main():
    megabytes = None
    if sys.argv[1] == "--measure":
        megabytes = int(sys.argv[2])
        del sys.argv[1:3]
    dosh, doshd, work = sys.argv[1:4]
    found = guest_image.kernel()
    if found is None:
        print("FAILED: no /boot/vmlinuz-*-cloud-amd64 with its modules (install linux-image-cloud-amd64)")
        sys.exit(1)
    kernel, release = found
    initramfs = os.path.join(work, "initramfs.cpio")
    guest_image.build(dosh, release, initramfs)
    accel, reason = accelerator()
    if reason:
        print("note: running the VM under TCG (software emulation): " + reason)

    with open(os.path.join(work, "note.txt"), "w") as note:
        note.write("a note on the host\n")
    big = os.urandom(BIG)
    with open(os.path.join(work, "big"), "wb") as f:
        f.write(big)
    host_name = socket.gethostname()

    started = time.monotonic()
    machine = boot(kernel, initramfs, work, accel)
    machine.child.expect_exact(PROMPT, timeout=60)
    print("note: the guest's first prompt came %.1f s after QEMU started" % (time.monotonic() - started))
    if megabytes is not None:
        measure(machine, doshd, megabytes)
        machine.child.close(force=True)
        return
    # The guest's shell starts before anything serves the port's host side.
    check("a port with nothing behind it is told in one line",
          screen_text(machine.child.before, None).endswith(
              "dosh: host: serial:/dev/virtio-ports/dosh: the channel closed before doshd answered: "
              "is doshd --stdio serving its far side?\n"), repr(machine.child.before[-300:]))
    host = Host(doshd, machine)
    first = host.wait_for_channel()
    check("QEMU connects to doshd --stdio --listen", first is not None)

    machine.expect("the guest is the VM", "hostname; uname -r", "dosh-guest\n%s\n" % release)
    machine.expect("!cat of a host file", "!cat %s/note.txt" % work, "a note on the host\n")
    machine.expect("cat < !file", "cat < !%s/note.txt" % work, "a note on the host\n")
    machine.expect("!cd and !pwd", "!cd %s; !pwd" % work, work + "\n")
    machine.expect("$(!hostname)", 'echo "[$(!hostname)]"', "[%s]\n" % host_name)
    machine.expect("20 MB host to guest, bit-exact", "!cat %s/big | sha256sum" % work,
                   hashlib.sha256(big).hexdigest() + "  -\n")
    upload = machine.run("head -c %d /dev/urandom > /tmp/up; cat /tmp/up | !cat > !%s/up; sha256sum < /tmp/up" % (BIG, work))
    with open(os.path.join(work, "up"), "rb") as f:
        landed = f.read()
    check("20 MB guest to host, bit-exact", upload == hashlib.sha256(landed).hexdigest() + "  -\n" and len(landed) == BIG,
          "guest said %r, the host file has %d bytes" % (upload, len(landed)))

    # Ctrl-Z typed on the guest's console stops the host job; fg resumes it.
    machine.child.sendline("!sh -c 'sleep 10; echo resumed-ok'")
    check("the host job runs", wait_for(lambda: host_processes("sleep 10"), 30))
    machine.child.sendcontrol("z")
    try:
        machine.child.expect(r"\[1\]\+ +Stopped +!sh -c 'sleep 10; echo resumed-ok'", timeout=30)
        machine.child.expect_exact(PROMPT, timeout=30)
        stopped = True
    except pexpect.TIMEOUT:
        stopped = False
    check("Ctrl-Z stops the host job", stopped, machine.child.before[-300:])
    check("the host job is stopped on the host",
          wait_for(lambda: [s for _, s, a in processes() if a == "sleep 10" and s.startswith("T")], 10))
    machine.expect("fg resumes it", "fg", "!sh -c 'sleep 10; echo resumed-ok'\nresumed-ok\n")

    # The host kills the channel under a running host job: the guest shell says so and lives on.
    machine.child.sendline("!sleep 120")
    check("the long host job runs", wait_for(lambda: host_processes("sleep 120"), 30))
    os.kill(first, 9)
    try:
        machine.child.expect_exact("dosh: host: connection closed by the host", timeout=30)
        machine.child.expect_exact(PROMPT, timeout=30)
        said = True
    except pexpect.TIMEOUT:
        said = False
    check("a killed channel is told in one line", said, machine.child.before[-300:])
    machine.expect("the guest shell lives on", "echo alive $?", "alive 255\n")
    check("the host job was hung up", wait_for(lambda: not host_processes("sleep 120"), 20))
    check("QEMU connects again", host.wait_for_channel(other_than=[first]) is not None)
    machine.expect("a new host agent serves the next !", "!echo back",
                   "dosh: host: new session (the host working directory and environment were reset)\nback\n")

    machine.child.sendline("exit")
    try:
        machine.child.expect_exact("guest: dosh ended with status 0", timeout=30)
        machine.child.expect(pexpect.EOF, timeout=30)
        ended = True
    except pexpect.TIMEOUT:
        ended = False
    check("exit ends the guest's shell and the VM", ended)
    machine.child.close(force=True)
    host.stop()
    print("note: the VM part took %.1f s" % (time.monotonic() - started))
    if failures:
        machine.console.flush()
        with open(os.path.join(work, "console.log")) as console:
            print("the guest's console, at its end:\n" + console.read()[-3000:])
    finish()


if __name__ == "__main__":
    main()
