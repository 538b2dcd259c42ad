#if canImport(Glibc)
import Glibc
#endif
import CDoshSystem

/// A `struct sockaddr_*` ready for bind(2) and connect(2).
public struct SocketAddress: Sendable {
  var storage: sockaddr_storage
  public private(set) var length: socklen_t

  public var family: Int32 { Int32(storage.ss_family) }

  /// Builds the sockaddr for a unix, tcp or vsock address.
  public init(_ address: Address) throws(TransportError) {
    storage = sockaddr_storage()
    length = 0
    switch address {
    case .unix(let path):
      var unixAddress = sockaddr_un()
      unixAddress.sun_family = sa_family_t(AF_UNIX)
      let bytes = Array(path.utf8)
      let capacity = MemoryLayout.size(ofValue: unixAddress.sun_path)
      guard !bytes.isEmpty, bytes.count < capacity, !bytes.contains(0) else {
        throw .invalidAddress(address.description, reason: "socket path too long or empty")
      }
      withUnsafeMutableBytes(of: &unixAddress.sun_path) { buffer in
        buffer.copyBytes(from: bytes)
      }
      length = socklen_t(MemoryLayout<sa_family_t>.size + bytes.count + 1)
      Self.store(unixAddress, in: &storage)
    case .tcp(let host, let port):
      if host.contains(":") {
        var inet6 = sockaddr_in6()
        inet6.sin6_family = sa_family_t(AF_INET6)
        inet6.sin6_port = port.bigEndian
        guard inet_pton(AF_INET6, host, &inet6.sin6_addr) == 1 else {
          throw .invalidAddress(address.description, reason: "not an IPv6 address")
        }
        length = socklen_t(MemoryLayout<sockaddr_in6>.size)
        Self.store(inet6, in: &storage)
      } else {
        var inet = sockaddr_in()
        inet.sin_family = sa_family_t(AF_INET)
        inet.sin_port = port.bigEndian
        guard inet_pton(AF_INET, host, &inet.sin_addr) == 1 else {
          throw .invalidAddress(address.description, reason: "not an IPv4 address")
        }
        length = socklen_t(MemoryLayout<sockaddr_in>.size)
        Self.store(inet, in: &storage)
      }
    case .vsock(let cid, let port):
      dosh_vsock_address(cid, port, &storage, &length)
    case .local, .none:
      throw .invalidAddress(address.description, reason: "not a socket address")
    }
  }

  init(storage: sockaddr_storage, length: socklen_t) {
    self.storage = storage
    self.length = length
  }

  private static func store<T>(_ value: T, in storage: inout sockaddr_storage) {
    withUnsafeMutableBytes(of: &storage) { target in
      withUnsafeBytes(of: value) { source in target.copyMemory(from: source) }
    }
  }

  /// The address as an `Address` again (tcp, vsock or unix); nil for other families.
  public var address: Address? {
    var copy = storage
    switch family {
    case AF_INET:
      return withUnsafeBytes(of: &copy) { raw -> Address? in
        var inet = raw.loadUnaligned(as: sockaddr_in.self)
        var text = [CChar](repeating: 0, count: Int(INET6_ADDRSTRLEN))
        guard inet_ntop(AF_INET, &inet.sin_addr, &text, socklen_t(text.count)) != nil else { return nil }
        return .tcp(host: SocketAddress.string(text), port: UInt16(bigEndian: inet.sin_port))
      }
    case AF_INET6:
      return withUnsafeBytes(of: &copy) { raw -> Address? in
        var inet6 = raw.loadUnaligned(as: sockaddr_in6.self)
        var text = [CChar](repeating: 0, count: Int(INET6_ADDRSTRLEN))
        guard inet_ntop(AF_INET6, &inet6.sin6_addr, &text, socklen_t(text.count)) != nil else { return nil }
        return .tcp(host: SocketAddress.string(text), port: UInt16(bigEndian: inet6.sin6_port))
      }
    case AF_UNIX:
      return withUnsafeBytes(of: &copy) { raw -> Address? in
        let offset = MemoryLayout<sa_family_t>.size
        let end = min(Int(length), raw.count)
        guard end > offset else { return nil }
        let pathBytes = raw[offset..<end].prefix { $0 != 0 }
        return .unix(path: String(decoding: pathBytes, as: UTF8.self))
      }
    case dosh_vsock_family():
      var cid: UInt32 = 0
      var port: UInt32 = 0
      guard dosh_vsock_address_parts(&copy, &cid, &port) == 0 else { return nil }
      return .vsock(cid: cid, port: port)
    default:
      return nil
    }
  }

  private static func string(_ characters: [CChar]) -> String {
    String(decoding: characters.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
  }

  func withSockaddr<R>(_ body: (UnsafePointer<sockaddr>, socklen_t) -> R) -> R {
    var copy = storage
    return withUnsafePointer(to: &copy) { pointer in
      pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { body($0, length) }
    }
  }
}
