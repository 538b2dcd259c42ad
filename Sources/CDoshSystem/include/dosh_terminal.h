// Pseudo-terminals and terminal ioctls that Swift cannot call.
#ifndef DOSH_TERMINAL_H
#define DOSH_TERMINAL_H

#include <stddef.h>

/// Opens a new pty master (posix_openpt with O_RDWR | O_NOCTTY | O_CLOEXEC), grants and unlocks
/// its slave, and writes the slave's path into `name` (NUL-terminated). Returns the master fd,
/// or -1 with errno.
///
/// Why C: posix_openpt, grantpt, unlockpt and ptsname_r are declared only under _XOPEN_SOURCE or
/// _GNU_SOURCE, which Swift's Glibc module does not define.
int dosh_open_pty_master(char *name, size_t capacity);

/// Writes the path of a pty master's slave into `name` (NUL-terminated). Returns 0, or -1
/// with errno. Why C: ptsname_r is declared only under _GNU_SOURCE.
int dosh_pty_slave_name(int master, char *name, size_t capacity);

/// The window size of a terminal (TIOCGWINSZ). Returns 0, or -1 with errno.
///
/// Why C: ioctl(2) is variadic.
int dosh_get_window_size(int fd, unsigned short *rows, unsigned short *columns);

/// Sets the window size of a terminal (TIOCSWINSZ); the kernel sends SIGWINCH to the
/// terminal's foreground process group when the size changes. Returns 0, or -1 with errno.
///
/// Why C: ioctl(2) is variadic.
int dosh_set_window_size(int fd, unsigned short rows, unsigned short columns);

/// Makes the terminal `fd` the controlling terminal of the calling session leader (TIOCSCTTY,
/// without stealing it from another session). Returns 0, or -1 with errno.
///
/// Why C: ioctl(2) is variadic.
int dosh_set_controlling_terminal(int fd);

#endif
