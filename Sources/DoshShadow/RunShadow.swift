#if canImport(Glibc)
import Glibc
#endif
import DoshTransport

/// The shadow process's entry point: serves one shell on the connected socket `fd` (inherited,
/// e.g. `doshd --shadow-fd 3` or `dosh --shadow-fd 3`) and returns the process's exit status.
///
/// It leaves the caller's session and process group (so the guest terminal's signals never reach
/// it), marks every other inherited fd close-on-exec (host programs inherit only what a job
/// names), then runs a `ShadowSession`.
///
/// `streamsFD`, from the agent of a tcp or vsock session, is its channel handing over the
/// session's data connections (`StreamHandOff`).
public func runShadow(
  onDescriptor fd: Int32, handshake: ShadowSession.Handshake = .pending(authenticator: nil), streamsFD: Int32? = nil
) -> Int32 {
  _ = setsid()
  // A blocked SIGCHLD or SIGHUP inherited from the starter would leave jobs unreported.
  var none = sigset_t()
  sigemptyset(&none)
  sigprocmask(SIG_SETMASK, &none, nil)
  let limit = min(Int32(clamping: sysconf(Int32(_SC_OPEN_MAX))), 65536)
  if limit > 3 {
    for other in 3..<limit {
      let flags = fcntl(other, F_GETFD)
      if flags >= 0, flags & FD_CLOEXEC == 0 { _ = fcntl(other, F_SETFD, flags | FD_CLOEXEC) }
    }
  }
  guard fcntl(fd, F_GETFD) >= 0 else { return 2 }
  if let streamsFD, fcntl(streamsFD, F_GETFD) < 0 { return 2 }
  let session = ShadowSession(
    connection: Connection(adopting: fd), handshake: handshake, handOff: streamsFD.map(StreamHandOff.init))
  return session.run()
}
