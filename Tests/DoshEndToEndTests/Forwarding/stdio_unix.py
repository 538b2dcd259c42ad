#!/usr/bin/env python3
"""A byte channel between two worlds, as ssh would give one: copies standard input to the unix
socket LISTEN (a `doshd --stdio --listen unix:LISTEN`) and what comes back to standard output.
It is what `--host exec:` runs in the tests of the single channel.

usage: stdio_unix.py LISTEN"""
import os, select, socket, sys

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
        connect(sys.argv[1])
    except (BrokenPipeError, ConnectionResetError):
        pass  # the other end went: so does the channel
