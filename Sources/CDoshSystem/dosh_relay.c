#define _GNU_SOURCE
#include "dosh_relay.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <string.h>
#include <sys/socket.h>
#include <termios.h>
#include <unistd.h>

enum { relay_chunk = 1 << 20, relay_source = 0, relay_sink = 1 };

/// Waits until the source has something (or its end) before each splice: a splice that waits
/// for a socket holds the lock of the pipe it fills, and the pipe's reader would sleep
/// uninterruptibly meanwhile (not even Ctrl-C would end it).
static void relay_wait_for_source(void) {
  struct pollfd source = {.fd = relay_source, .events = POLLIN};
  while (poll(&source, 1, -1) < 0 && errno == EINTR) {}
}

/// 1: done (EOF on the source), 0: splice does not apply to these ends, -1: failed.
static int relay_splice_directly(void) {
  for (;;) {
    relay_wait_for_source();
    ssize_t moved = splice(relay_source, NULL, relay_sink, NULL, relay_chunk, SPLICE_F_MOVE);
    if (moved > 0) continue;
    if (moved == 0) return 1;
    if (errno == EINTR) continue;
    return errno == EINVAL ? 0 : -1;
  }
}

/// Source → pipe → sink, when neither end is a pipe (socket ⇄ file, socket ⇄ socket).
static int relay_splice_through_pipe(void) {
  int ends[2];
  if (pipe2(ends, O_CLOEXEC) != 0) return 0;
  (void)fcntl(ends[1], F_SETPIPE_SZ, relay_chunk);
  for (;;) {
    relay_wait_for_source();
    ssize_t filled = splice(relay_source, NULL, ends[1], NULL, relay_chunk, SPLICE_F_MOVE);
    if (filled == 0) return 1;
    if (filled < 0) {
      if (errno == EINTR) continue;
      return errno == EINVAL ? 0 : -1;
    }
    while (filled > 0) {
      ssize_t drained = splice(ends[0], NULL, relay_sink, NULL, (size_t)filled, SPLICE_F_MOVE);
      if (drained < 0) {
        if (errno == EINTR) continue;
        return -1;
      }
      filled -= drained;
    }
  }
}

static int relay_copy(void) {
  static char buffer[64 * 1024];
  for (;;) {
    ssize_t got = read(relay_source, buffer, sizeof buffer);
    if (got == 0) return 1;
    if (got < 0) {
      if (errno == EINTR) continue;
      // A pty master whose slave has no opener left reads EIO: its end of stream.
      return errno == EIO ? 1 : -1;
    }
    for (ssize_t offset = 0; offset < got;) {
      ssize_t put = write(relay_sink, buffer + offset, (size_t)(got - offset));
      if (put < 0) {
        if (errno == EINTR) continue;
        return -1;
      }
      offset += put;
    }
  }
}

static void relay_child(int source, int sink) {
  struct sigaction action;
  memset(&action, 0, sizeof action);
  for (int signal = 1; signal < NSIG; signal++) {
    if (signal == SIGKILL || signal == SIGSTOP) continue;
    action.sa_handler = SIG_DFL;
    switch (signal) {
    case SIGPIPE: case SIGINT: case SIGQUIT: case SIGTSTP: case SIGTTIN: case SIGTTOU:
      action.sa_handler = SIG_IGN;
    }
    (void)sigaction(signal, &action, NULL);
  }
  sigset_t none;
  sigemptyset(&none);
  (void)sigprocmask(SIG_SETMASK, &none, NULL);
  // Only the two ends stay open: a stray copy of another pipe would hold back someone's EOF.
  int high_source = fcntl(source, F_DUPFD, 3);
  int high_sink = fcntl(sink, F_DUPFD, 3);
  if (high_source < 0 || high_sink < 0) _exit(1);
  if (dup2(high_source, relay_source) < 0 || dup2(high_sink, relay_sink) < 0) _exit(1);
  if (close_range(2, ~0U, 0) != 0) {
    for (int fd = 2; fd < 1024; fd++) (void)close(fd);
  }
  // A pipe on either side grows to one chunk, so that a splice moves up to 1 MiB and the
  // writer into it blocks (and wakes us) 16 times less often than with the default 64 KiB.
  (void)fcntl(relay_source, F_SETPIPE_SZ, relay_chunk);
  (void)fcntl(relay_sink, F_SETPIPE_SZ, relay_chunk);
  // splice(2) refuses a sink opened with O_APPEND (`>> !log`): copy.
  int appends = (fcntl(relay_sink, F_GETFL) & O_APPEND) != 0;
  int result = appends ? 0 : relay_splice_directly();
  if (result == 0 && !appends) result = relay_splice_through_pipe();
  if (result == 0) result = relay_copy();
  if (result == 1 && shutdown(relay_sink, SHUT_WR) == 0) {
    // A socket: wait for the far end to close it too, so that our exit means the bytes were
    // taken (a host file written through a relay is complete before the next command).
    static char discard[4096];
    while (read(relay_sink, discard, sizeof discard) > 0) {}
  }
  _exit(result == 1 ? 0 : 1);
}

ssize_t dosh_splice(int source, int sink, size_t length, int blocking) {
  return splice(source, NULL, sink, NULL, length, SPLICE_F_MOVE | (blocking ? 0 : SPLICE_F_NONBLOCK));
}

int dosh_set_pipe_size(int fd, int size) { return fcntl(fd, F_SETPIPE_SZ, size); }

pid_t dosh_relay_start(int source, int sink, pid_t group, int foreground_tty) {
  pid_t pid = fork();
  if (pid == 0) {
    if (group >= 0) (void)setpgid(0, group);
    // Before the first read: a read from the terminal outside its foreground group fails.
    // (SIGTTOU is ignored here, as in the shell.)
    if (foreground_tty >= 0) (void)tcsetpgrp(foreground_tty, getpgrp());
    relay_child(source, sink);
  }
  // From this side too, so that neither races the other (as a shell does for its jobs).
  if (pid > 0 && group >= 0) (void)setpgid(pid, group == 0 ? pid : group);
  return pid;
}
