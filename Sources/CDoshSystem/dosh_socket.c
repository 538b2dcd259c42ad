#define _GNU_SOURCE
#include "dosh_socket.h"

#include <errno.h>
#include <stddef.h>
#include <string.h>
#include <sys/socket.h>
#include <linux/vm_sockets.h>

int dosh_peer_credentials(int fd, pid_t *pid, uid_t *uid, gid_t *gid) {
  struct ucred credentials;
  socklen_t length = sizeof credentials;
  if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &credentials, &length) != 0) return errno;
  if (length != sizeof credentials) return EINVAL;
  *pid = credentials.pid;
  *uid = credentials.uid;
  *gid = credentials.gid;
  return 0;
}

int dosh_accept_cloexec(int fd) { return accept4(fd, NULL, NULL, SOCK_CLOEXEC); }

int dosh_vsock_family(void) { return AF_VSOCK; }

int dosh_vsock_address(unsigned int cid, unsigned int port, struct sockaddr_storage *storage,
                       socklen_t *length) {
  struct sockaddr_vm address;
  memset(&address, 0, sizeof address);
  address.svm_family = AF_VSOCK;
  address.svm_cid = cid;
  address.svm_port = port;
  memset(storage, 0, sizeof *storage);
  memcpy(storage, &address, sizeof address);
  *length = sizeof address;
  return 0;
}

int dosh_vsock_address_parts(const struct sockaddr_storage *storage, unsigned int *cid,
                             unsigned int *port) {
  struct sockaddr_vm address;
  memcpy(&address, storage, sizeof address);
  if (address.svm_family != AF_VSOCK) return EAFNOSUPPORT;
  *cid = address.svm_cid;
  *port = address.svm_port;
  return 0;
}
