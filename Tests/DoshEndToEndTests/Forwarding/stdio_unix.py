#!/usr/bin/env python3
"""A byte channel between two worlds for `doshd --stdio`, as ssh would give one.

usage: stdio_unix.py serve LISTEN DOSHD   every connection to LISTEN becomes the standard input
                                          and output of a new `DOSHD --stdio` (prints "ready")
       stdio_unix.py connect LISTEN       copies standard input to LISTEN and LISTEN to standard
                                          output (what `--host exec:` runs)"""
import os, select, signal, socket, subprocess, sys

def serve(listen, doshd):
    signal.pthread_sigmask(signal.SIG_SETMASK, [])
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    signal.signal(signal.SIGCHLD, signal.SIG_IGN)  # children are never waited for
    server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    server.bind(listen)
    server.listen(16)
    print("ready", flush=True)
    while True:
        client, _ = server.accept()
        subprocess.Popen([doshd, "--stdio"], stdin=client, stdout=client, close_fds=True)
        client.close()

def connect(listen):
    channel = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    channel.connect(listen)
    inputs = [0, channel.fileno()]
    while inputs:
        ready, _, _ = select.select(inputs, [], [])
        for fd in ready:
            if fd == 0:
                data = os.read(0, 65536)
                if data:
                    channel.sendall(data)
                else:
                    channel.shutdown(socket.SHUT_WR)
                    inputs.remove(0)
            else:
                data = channel.recv(65536)
                if not data:
                    return
                os.write(1, data)  # blocking: back-pressure reaches the channel

if __name__ == "__main__":
    try:
        if sys.argv[1] == "serve":
            serve(sys.argv[2], sys.argv[3])
        else:
            connect(sys.argv[2])
    except (BrokenPipeError, ConnectionResetError):
        pass  # the other end went: so does the channel
