// Copying one byte stream to another in a child process (streams over tcp and vsock).
#ifndef DOSH_RELAY_H
#define DOSH_RELAY_H

#include <sys/types.h>

/// Forks a child that copies everything `source` yields to `sink` with splice(2) (through a
/// pipe when neither end is one; read/write when splice cannot), then, when `sink` is a socket,
/// half-closes it (the reader sees EOF) and waits for the far end to close it, and exits. It stops early, exiting, when `sink` is gone
/// (EPIPE, ECONNRESET): closing `source` then passes the hang-up on to its writer, as a pipe
/// would. The child keeps only the two descriptors, ignores SIGPIPE and the terminal's signals
/// (so a relay in a job outlives a Ctrl-C, and the job's end stops it), and defaults every other
/// signal. `group` -1 leaves it in the caller's process group; 0 makes it the leader of a new one;
/// a pid makes it join that group: a relay reading the terminal belongs to the job that holds the
/// terminal, or reading would stop it. With `foreground_tty` ≥ 0 the child makes its group the
/// foreground group of that terminal before it reads. Returns its pid, or -1 with errno.
///
/// Why C: the child of fork(2) in a Swift process may call only async-signal-safe functions; it
/// runs nothing but system calls until it exits.
pid_t dosh_relay_start(int source, int sink, pid_t group, int foreground_tty);

/// splice(2) of up to `length` bytes from `source` to `sink` (one of them a pipe), with
/// SPLICE_F_MOVE, and SPLICE_F_NONBLOCK unless `blocking`. Returns the bytes moved (0 at the
/// source's end), or -1 with errno.
///
/// Why C: splice(2) and its flags are declared only under _GNU_SOURCE, which Swift's Glibc
/// module does not define.
ssize_t dosh_splice(int source, int sink, size_t length, int blocking);

/// fcntl(F_SETPIPE_SZ): makes the pipe `fd` belongs to hold `size` bytes (rounded up by the
/// kernel, capped by /proc/sys/fs/pipe-max-size). Returns the new size, or -1 with errno.
///
/// Why C: F_SETPIPE_SZ is declared only under _GNU_SOURCE.
int dosh_set_pipe_size(int fd, int size);

#endif
