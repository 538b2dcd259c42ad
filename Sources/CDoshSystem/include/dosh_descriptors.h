// Passing file descriptors over unix sockets (SCM_RIGHTS).
#ifndef DOSH_DESCRIPTORS_H
#define DOSH_DESCRIPTORS_H

#include <stddef.h>
#include <sys/types.h>

/// The most descriptors one frame may carry (docs/protocol.md).
#define DOSH_MAX_PASSED_DESCRIPTORS 64

/// sendmsg(2) of `length` bytes with `count` descriptors attached (SCM_RIGHTS), MSG_NOSIGNAL.
/// Returns the bytes sent, or -1 with errno. `count` is at most DOSH_MAX_PASSED_DESCRIPTORS.
///
/// Why C: building the control message needs the CMSG_* macros, invisible to Swift.
ssize_t dosh_send_with_descriptors(int socket, const void *bytes, size_t length, const int *fds,
                                   size_t count);

/// recvmsg(2) of up to `length` bytes; descriptors that came with them are stored in `fds`
/// (close-on-exec, MSG_CMSG_CLOEXEC), their number in `*count`. Descriptors beyond `capacity`
/// are closed, never leaked. Returns the bytes read (0 at EOF), or -1 with errno.
///
/// Why C: reading the control messages needs the CMSG_* macros, and MSG_CMSG_CLOEXEC is
/// declared only under _GNU_SOURCE.
ssize_t dosh_receive_with_descriptors(int socket, void *bytes, size_t length, int *fds,
                                      size_t capacity, size_t *count);

#endif
