#define _GNU_SOURCE
#include "dosh_descriptors.h"

#include <errno.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>

ssize_t dosh_send_with_descriptors(int socket, const void *bytes, size_t length, const int *fds,
                                   size_t count) {
  if (count > DOSH_MAX_PASSED_DESCRIPTORS || length == 0) {
    errno = EINVAL;
    return -1;
  }
  union {
    struct cmsghdr header;
    char space[CMSG_SPACE(sizeof(int) * DOSH_MAX_PASSED_DESCRIPTORS)];
  } control;
  memset(&control, 0, sizeof control);
  struct iovec vector = {.iov_base = (void *)bytes, .iov_len = length};
  struct msghdr message = {.msg_iov = &vector, .msg_iovlen = 1};
  if (count > 0) {
    message.msg_control = control.space;
    message.msg_controllen = CMSG_SPACE(sizeof(int) * count);
    struct cmsghdr *header = CMSG_FIRSTHDR(&message);
    header->cmsg_level = SOL_SOCKET;
    header->cmsg_type = SCM_RIGHTS;
    header->cmsg_len = CMSG_LEN(sizeof(int) * count);
    memcpy(CMSG_DATA(header), fds, sizeof(int) * count);
  }
  return sendmsg(socket, &message, MSG_NOSIGNAL);
}

ssize_t dosh_receive_with_descriptors(int socket, void *bytes, size_t length, int *fds,
                                      size_t capacity, size_t *count) {
  union {
    struct cmsghdr header;
    char space[CMSG_SPACE(sizeof(int) * DOSH_MAX_PASSED_DESCRIPTORS)];
  } control;
  struct iovec vector = {.iov_base = bytes, .iov_len = length};
  struct msghdr message = {.msg_iov = &vector, .msg_iovlen = 1};
  message.msg_control = control.space;
  message.msg_controllen = sizeof control.space;
  *count = 0;
  ssize_t received = recvmsg(socket, &message, MSG_CMSG_CLOEXEC);
  if (received < 0) return -1;
  // With a truncated control buffer the kernel has already dropped what did not fit.
  for (struct cmsghdr *header = CMSG_FIRSTHDR(&message); header != NULL;
       header = CMSG_NXTHDR(&message, header)) {
    if (header->cmsg_level != SOL_SOCKET || header->cmsg_type != SCM_RIGHTS) continue;
    size_t n = (header->cmsg_len - CMSG_LEN(0)) / sizeof(int);
    const unsigned char *data = CMSG_DATA(header);
    for (size_t i = 0; i < n; i++) {
      int fd;
      memcpy(&fd, data + i * sizeof(int), sizeof fd);
      if (*count < capacity) {
        fds[(*count)++] = fd;
      } else {
        close(fd);
      }
    }
  }
  return received;
}
