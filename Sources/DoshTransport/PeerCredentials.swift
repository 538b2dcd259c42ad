#if canImport(Glibc)
import Glibc
#endif
import CDoshSystem

/// Who is at the other end of a unix socket, as the kernel saw it at connect time (SO_PEERCRED).
public struct PeerCredentials: Equatable, Sendable {
  public var processID: pid_t
  public var userID: uid_t
  public var groupID: gid_t

  public init(processID: pid_t, userID: uid_t, groupID: gid_t) {
    self.processID = processID
    self.userID = userID
    self.groupID = groupID
  }

  /// Reads the credentials of a connected unix socket.
  public init(of fileDescriptor: Int32) throws(TransportError) {
    var pid: pid_t = 0
    var uid: uid_t = 0
    var gid: gid_t = 0
    let error = dosh_peer_credentials(fileDescriptor, &pid, &uid, &gid)
    guard error == 0 else { throw .system(operation: "SO_PEERCRED", errno: error) }
    self.init(processID: pid, userID: uid, groupID: gid)
  }
}
