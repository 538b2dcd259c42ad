// Socket helpers of the transport layer that Swift cannot express.
#ifndef DOSH_SOCKET_H
#define DOSH_SOCKET_H

#include <sys/socket.h>
#include <sys/types.h>

/// The pid, uid and gid of the process at the other end of a connected unix socket.
/// Returns 0, or an errno value.
///
/// Why C: `struct ucred` is declared only under _GNU_SOURCE, which Swift's Glibc module does not
/// define.
int dosh_peer_credentials(int fd, pid_t *pid, uid_t *uid, gid_t *gid);

/// accept(2) with the new socket close-on-exec from the start. Returns the fd, or -1 with errno.
///
/// Why C: accept4 is declared only under _GNU_SOURCE (see above).
int dosh_accept_cloexec(int fd);

/// The address family AF_VSOCK. Why C: <linux/vm_sockets.h> is not part of Swift's Glibc module.
int dosh_vsock_family(void);

/// Fills `storage` with a `struct sockaddr_vm` for `cid` and `port` and sets `*length` to its
/// size. Returns 0. Why C: `struct sockaddr_vm` lives in <linux/vm_sockets.h> (see above).
int dosh_vsock_address(unsigned int cid, unsigned int port, struct sockaddr_storage *storage,
                       socklen_t *length);

/// Reads cid and port back from a `struct sockaddr_vm`. Returns 0, or EAFNOSUPPORT.
int dosh_vsock_address_parts(const struct sockaddr_storage *storage, unsigned int *cid,
                             unsigned int *port);

#endif
