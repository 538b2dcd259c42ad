#define _GNU_SOURCE
#include "dosh_system.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

int dosh_spawn(const char *path, char *const argv[], char *const envp[],
               const dosh_spawn_options *options, pid_t *pid) {
  posix_spawn_file_actions_t actions;
  posix_spawnattr_t attributes;
  int error = posix_spawn_file_actions_init(&actions);
  if (error != 0) return error;
  error = posix_spawnattr_init(&attributes);
  if (error != 0) {
    posix_spawn_file_actions_destroy(&actions);
    return error;
  }
  short flags = POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF;
  sigset_t empty;
  sigemptyset(&empty);
  if (error == 0) error = posix_spawnattr_setsigmask(&attributes, &empty);

  sigset_t defaults;
  sigemptyset(&defaults);
  for (size_t i = 0; i < options->default_signal_count; i++) {
    int signo = options->default_signals[i];
    if (options->ignore_interrupts && (signo == SIGINT || signo == SIGQUIT)) continue;
    sigaddset(&defaults, signo);
  }
  if (error == 0) error = posix_spawnattr_setsigdefault(&attributes, &defaults);

  if (options->process_group >= 0) {
    flags |= POSIX_SPAWN_SETPGROUP;
    if (error == 0) error = posix_spawnattr_setpgroup(&attributes, options->process_group);
  }
  if (error == 0) error = posix_spawnattr_setflags(&attributes, flags);
  if (error == 0 && options->foreground_tty >= 0)
    error = posix_spawn_file_actions_addtcsetpgrp_np(&actions, options->foreground_tty);

  for (size_t i = 0; error == 0 && i < options->fd_action_count; i++) {
    const dosh_fd_action *action = &options->fd_actions[i];
    if (action->source < 0) {
      error = posix_spawn_file_actions_addclose(&actions, action->target);
    } else if (action->source == action->target) {
      // dup2(fd, fd) would leave close-on-exec set; clear it the way the shell means it.
      int flags = fcntl(action->source, F_GETFD);
      if (flags >= 0 && (flags & FD_CLOEXEC)) {
        error = posix_spawn_file_actions_adddup2(&actions, action->source, 1023);
        if (error == 0) error = posix_spawn_file_actions_adddup2(&actions, 1023, action->target);
        if (error == 0) error = posix_spawn_file_actions_addclose(&actions, 1023);
      }
    } else {
      error = posix_spawn_file_actions_adddup2(&actions, action->source, action->target);
    }
  }
  if (error == 0) error = posix_spawn(pid, path, &actions, &attributes, argv, envp);
  posix_spawn_file_actions_destroy(&actions);
  posix_spawnattr_destroy(&attributes);
  return error;
}

bool dosh_wifexited(int status) { return WIFEXITED(status); }
int dosh_wexitstatus(int status) { return WEXITSTATUS(status); }
bool dosh_wifsignaled(int status) { return WIFSIGNALED(status); }
int dosh_wtermsig(int status) { return WTERMSIG(status); }
bool dosh_wifstopped(int status) { return WIFSTOPPED(status); }
int dosh_wstopsig(int status) { return WSTOPSIG(status); }
bool dosh_wifcontinued(int status) { return WIFCONTINUED(status); }
bool dosh_wcoredump(int status) { return WCOREDUMP(status); }

static volatile sig_atomic_t pending_signals[NSIG];
static volatile sig_atomic_t any_pending;
static int wakeup_pipe[2] = {-1, -1};

static void dosh_on_signal(int signo) {
  int saved_errno = errno;
  pending_signals[signo] = 1;
  any_pending = 1;
  if (wakeup_pipe[1] >= 0) {
    char byte = (char)signo;
    (void)!write(wakeup_pipe[1], &byte, 1);
  }
  errno = saved_errno;
}

int dosh_signal_catch(int signo) {
  if (signo <= 0 || signo >= NSIG) return EINVAL;
  if (wakeup_pipe[0] < 0 && pipe2(wakeup_pipe, O_CLOEXEC | O_NONBLOCK) != 0) return errno;
  struct sigaction action;
  memset(&action, 0, sizeof action);
  action.sa_handler = dosh_on_signal;
  sigfillset(&action.sa_mask);
  // No SA_RESTART: a blocking read or wait must return EINTR so the shell sees the signal.
  action.sa_flags = 0;
  return sigaction(signo, &action, NULL) == 0 ? 0 : errno;
}

bool dosh_signal_take(int signo) {
  if (signo <= 0 || signo >= NSIG || !pending_signals[signo]) return false;
  pending_signals[signo] = 0;
  return true;
}

bool dosh_signal_is_pending(int signo) {
  return signo > 0 && signo < NSIG && pending_signals[signo];
}

int dosh_signal_first_pending(void) {
  if (!any_pending) return 0;
  for (int signo = 1; signo < NSIG; signo++)
    if (pending_signals[signo]) return signo;
  any_pending = 0;
  return 0;
}

int dosh_signal_wakeup_fd(void) { return wakeup_pipe[0]; }

void dosh_signal_drain_wakeup(void) {
  char buffer[64];
  if (wakeup_pipe[0] < 0) return;
  while (read(wakeup_pipe[0], buffer, sizeof buffer) > 0) {
  }
}

int dosh_signal_reset_in_child(void) {
  for (int signo = 0; signo < NSIG; signo++) pending_signals[signo] = 0;
  any_pending = 0;
  if (wakeup_pipe[0] < 0) return 0;
  close(wakeup_pipe[0]);
  close(wakeup_pipe[1]);
  wakeup_pipe[0] = wakeup_pipe[1] = -1;
  return pipe2(wakeup_pipe, O_CLOEXEC | O_NONBLOCK) == 0 ? 0 : errno;
}

int dosh_signal_max(void) { return NSIG - 1; }

bool dosh_end_with_parent(int signal, pid_t parent) {
  if (prctl(PR_SET_PDEATHSIG, signal) != 0) return false;
  return getppid() == parent;
}
