#!/usr/bin/env python3
"""A unix socket forwarder that carries bytes only, as `ssh -L local.sock:remote.sock` does:
every connection to LISTEN is relayed to TARGET, and no file descriptor crosses.

usage: forward_unix.py LISTEN TARGET   (prints "ready" once listening)"""
import os, signal, socket, stat, sys, threading

def pump(source, sink):
    try:
        while True:
            data = source.recv(65536)
            if not data:
                break
            sink.sendall(data)
    except OSError:
        pass
    try:
        sink.shutdown(socket.SHUT_WR)
    except OSError:
        pass

def serve(client, target):
    upstream = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        upstream.connect(target)
    except OSError:
        client.close()
        return
    threads = [threading.Thread(target=pump, args=(client, upstream), daemon=True),
               threading.Thread(target=pump, args=(upstream, client), daemon=True)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    client.close()
    upstream.close()

def main():
    listen, target = sys.argv[1], sys.argv[2]
    # A test runner's thread may have started us with signals blocked: SIGTERM must end us.
    signal.pthread_sigmask(signal.SIG_SETMASK, set())
    # Pipes leaked by whoever started us (other tests' output pipes) must not live as long as we
    # do, or their readers never see EOF. Sockets stay: the parent may watch one for our exit.
    for fd in range(3, 1024):
        try:
            if stat.S_ISFIFO(os.fstat(fd).st_mode):
                os.close(fd)
        except OSError:
            pass
    if os.path.exists(listen):
        os.unlink(listen)
    server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    server.bind(listen)
    server.listen(64)
    print("ready", flush=True)
    while True:
        client, _ = server.accept()
        threading.Thread(target=serve, args=(client, target), daemon=True).start()

main()
