#!/usr/bin/env python3
"""Two pseudo-terminals joined like a null-modem cable, as a VM's virtio-serial port joins the
guest's /dev/vport… to the host's chardev: `DOSHD --stdio` runs on one line, and the other
line's path is printed for `dosh --host serial:PATH`. Runs until killed.

usage: null_modem.py DOSHD"""
import os, select, signal, subprocess, sys, tty

def main():
    signal.pthread_sigmask(signal.SIG_SETMASK, [])
    host_master, host_line = os.openpty()
    guest_master, guest_line = os.openpty()
    # A serial port does not echo; a pty line does until made raw, and each side makes its own
    # line raw only when it starts: the guest's, at its first host command.
    for line in (host_line, guest_line):
        tty.setraw(line)
    agent = subprocess.Popen([sys.argv[1], "--stdio"], stdin=host_line, stdout=host_line, start_new_session=True)
    signal.signal(signal.SIGTERM, lambda *_: (agent.kill(), sys.exit(0)))
    print(os.ttyname(guest_line), flush=True)
    # Both lines stay open here, so a master never reads EIO when the other side closes.
    pairs = {host_master: guest_master, guest_master: host_master}
    while True:
        ready, _, _ = select.select(list(pairs), [], [], 1.0)
        if agent.poll() is not None:
            return
        for fd in ready:
            try:
                data = os.read(fd, 65536)
            except OSError:
                continue
            view = memoryview(data)
            while view:
                written = os.write(pairs[fd], view)
                view = view[written:]

if __name__ == "__main__":
    main()
