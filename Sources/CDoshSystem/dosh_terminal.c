#define _GNU_SOURCE
#include "dosh_terminal.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <sys/ioctl.h>
#include <termios.h>
#include <unistd.h>

int dosh_open_pty_master(char *name, size_t capacity) {
  int master = posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC);
  if (master < 0) return -1;
  int error = 0;
  if (grantpt(master) != 0 || unlockpt(master) != 0) {
    error = errno;
  } else {
    error = ptsname_r(master, name, capacity);
  }
  if (error != 0) {
    close(master);
    errno = error;
    return -1;
  }
  return master;
}

int dosh_pty_slave_name(int master, char *name, size_t capacity) {
  int error = ptsname_r(master, name, capacity);
  if (error != 0) {
    errno = error;
    return -1;
  }
  return 0;
}

int dosh_get_window_size(int fd, unsigned short *rows, unsigned short *columns) {
  struct winsize size;
  if (ioctl(fd, TIOCGWINSZ, &size) != 0) return -1;
  *rows = size.ws_row;
  *columns = size.ws_col;
  return 0;
}

int dosh_set_window_size(int fd, unsigned short rows, unsigned short columns) {
  struct winsize size = {.ws_row = rows, .ws_col = columns, .ws_xpixel = 0, .ws_ypixel = 0};
  return ioctl(fd, TIOCSWINSZ, &size);
}

int dosh_set_controlling_terminal(int fd) { return ioctl(fd, TIOCSCTTY, 0); }
