// The C shim of dosh. Only what Swift cannot express lives here; every function says why.
#ifndef DOSH_SYSTEM_H
#define DOSH_SYSTEM_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

/// One fd to set up in a spawned child: `dup2(source, target)`, or `close(target)` when
/// `source` is -1. Applied in order, like the shell's redirections.
typedef struct dosh_fd_action {
  int source;
  int target;
} dosh_fd_action;

/// What a spawned child gets besides its argv and environment.
typedef struct dosh_spawn_options {
  /// -1: stay in the parent's process group; 0: lead a new group; >0: join that group.
  pid_t process_group;
  /// When >= 0, the child's process group becomes this terminal's foreground group before exec.
  int foreground_tty;
  const dosh_fd_action *fd_actions;
  size_t fd_action_count;
  /// Signals set back to SIG_DFL in the child (the shell ignores some; children must not).
  const int *default_signals;
  size_t default_signal_count;
  /// When true, signals that the shell ignored on entry keep being ignored (POSIX: `cmd &` in a
  /// non-interactive shell ignores SIGINT and SIGQUIT).
  bool ignore_interrupts;
} dosh_spawn_options;

/// Starts `path` with posix_spawn. Returns 0 and the pid, or an errno value.
///
/// Why C: the GNU extension `posix_spawn_file_actions_addtcsetpgrp_np` (hand the terminal to the
/// child's group before exec, with no race against a child that reads at once) is declared only
/// under _GNU_SOURCE, which Swift's Glibc module does not define.
int dosh_spawn(const char *path, char *const argv[], char *const envp[],
               const dosh_spawn_options *options, pid_t *pid);

/// Asks the kernel to send `signal` to this process when its parent ends; false if the parent
/// is already gone (the caller was orphaned before asking).
///
/// Why C: prctl(2) is variadic, and Swift cannot call variadic C functions.
bool dosh_end_with_parent(int signal, pid_t parent);

/// The <sys/wait.h> status macros. Why C: they are macros, invisible to Swift.
bool dosh_wifexited(int status);
int dosh_wexitstatus(int status);
bool dosh_wifsignaled(int status);
int dosh_wtermsig(int status);
bool dosh_wifstopped(int status);
int dosh_wstopsig(int status);
bool dosh_wifcontinued(int status);
bool dosh_wcoredump(int status);

/// Installs dosh's handler for `signo`: it marks the signal pending and writes one byte to the
/// wake-up pipe. Why C: a signal handler may only touch `volatile sig_atomic_t` and call
/// async-signal-safe functions; a Swift closure can promise neither.
int dosh_signal_catch(int signo);
/// Returns whether `signo` arrived since the last call, and clears it.
bool dosh_signal_take(int signo);
/// Returns whether `signo` is pending, without clearing it.
bool dosh_signal_is_pending(int signo);
/// Returns the lowest pending signal without clearing it, or 0.
int dosh_signal_first_pending(void);
/// The read end of the wake-up pipe (non-blocking, close-on-exec), for poll(2); -1 before the
/// first dosh_signal_catch.
int dosh_signal_wakeup_fd(void);
/// Drains the wake-up pipe.
void dosh_signal_drain_wakeup(void);
/// In a forked child (signals blocked): forgets the parent's pending signals and gives the
/// child a wake-up pipe of its own, so that neither process drains the other's wake-ups.
/// Returns 0 or an errno value. Why C: the pending set and the pipe are the handler's state.
int dosh_signal_reset_in_child(void);

/// The number of the highest signal (NSIG - 1). Why C: NSIG is a macro expression.
int dosh_signal_max(void);

#endif
