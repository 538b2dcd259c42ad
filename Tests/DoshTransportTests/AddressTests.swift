import DoshTransport
import Testing

@Suite struct AddressTests {
  @Test(arguments: [
    ("unix:/run/user/1000/dosh/doshd.sock", Address.unix(path: "/run/user/1000/dosh/doshd.sock")),
    ("unix:rel.sock", .unix(path: "rel.sock")),
    ("tcp:127.0.0.1:7000", .tcp(host: "127.0.0.1", port: 7000)),
    ("tcp:localhost:0", .tcp(host: "127.0.0.1", port: 0)),
    ("tcp:[::1]:65535", .tcp(host: "::1", port: 65535)),
    ("tcp:0.0.0.0:22", .tcp(host: "0.0.0.0", port: 22)),
    ("vsock:3:5000", .vsock(cid: 3, port: 5000)),
    ("vsock:host:5000", .vsock(cid: 2, port: 5000)),
    ("vsock:any:1", .vsock(cid: 0xFFFF_FFFF, port: 1)),
    ("local", .local),
    ("none", .none),
  ])
  func parses(_ text: String, _ expected: Address) throws {
    #expect(try Address(parsing: text) == expected)
  }

  @Test(arguments: [
    ("x", "invalid address 'x': expected unix:PATH, tcp:HOST:PORT, vsock:CID:PORT, local or none"),
    ("ftp:a", "invalid address 'ftp:a': unknown transport 'ftp' (expected unix, tcp, vsock, local or none)"),
    ("unix:", "invalid address 'unix:': empty socket path"),
    ("tcp:127.0.0.1", "invalid address 'tcp:127.0.0.1': expected tcp:HOST:PORT"),
    ("tcp:127.0.0.1:", "invalid address 'tcp:127.0.0.1:': the port must be a number from 0 to 65535"),
    ("tcp:127.0.0.1:70000", "invalid address 'tcp:127.0.0.1:70000': the port must be a number from 0 to 65535"),
    ("tcp:example.com:80", "invalid address 'tcp:example.com:80': 'example.com' is not an IPv4 address (host names other than localhost are not resolved)"),
    ("tcp:::1:80", "invalid address 'tcp:::1:80': write IPv6 addresses in brackets: tcp:[::1]:PORT"),
    ("tcp:[::1:80", "invalid address 'tcp:[::1:80': unclosed '[' in IPv6 address"),
    ("tcp::80", "invalid address 'tcp::80': missing host"),
    ("vsock:x:1", "invalid address 'vsock:x:1': the cid must be a number, 'host' or 'any'"),
    ("vsock:3", "invalid address 'vsock:3': expected vsock:CID:PORT"),
  ])
  func refuses(_ text: String, _ message: String) {
    #expect(throws: TransportError.self) { try Address(parsing: text) }
    do {
      _ = try Address(parsing: text)
    } catch {
      #expect(error.description == message)
    }
  }

  @Test func unixPathLengthLimit() throws {
    let longest = "/" + String(repeating: "a", count: Address.maximumUnixPathLength - 1)
    #expect(try Address(parsing: "unix:" + longest) == .unix(path: longest))
    #expect(throws: TransportError.self) { try Address(parsing: "unix:" + longest + "a") }
  }

  @Test func descriptionsRoundTrip() throws {
    for text in ["unix:/a/b", "tcp:127.0.0.1:1", "tcp:[::1]:2", "vsock:3:4", "local", "none"] {
      #expect(try Address(parsing: text).description == text)
    }
  }

  @Test func loopback() throws {
    #expect(try Address(parsing: "tcp:127.0.0.1:1").isLoopback)
    #expect(try Address(parsing: "tcp:127.8.9.10:1").isLoopback)
    #expect(try Address(parsing: "tcp:[::1]:1").isLoopback)
    #expect(try !Address(parsing: "tcp:0.0.0.0:1").isLoopback)
    #expect(try !Address(parsing: "tcp:[::]:1").isLoopback)
    #expect(try !Address(parsing: "tcp:10.0.0.1:1").isLoopback)
  }

  @Test func defaultSocketPath() {
    #expect(defaultAgentSocketPath(runtimeDirectory: "/run/user/1000", userID: 1000) == "/run/user/1000/dosh/doshd.sock")
    #expect(defaultAgentSocketPath(runtimeDirectory: nil, userID: 1000) == "/tmp/dosh-1000/doshd.sock")
    #expect(defaultAgentSocketPath(runtimeDirectory: "", userID: 0) == "/tmp/dosh-0/doshd.sock")
  }

  /// This machine has no vsock loopback, so only the sockaddr_vm building is tested.
  @Test func vsockSocketAddress() throws {
    let address = try SocketAddress(.vsock(cid: 3, port: 5000))
    #expect(address.family == 40)  // AF_VSOCK
    #expect(address.length == 16)  // sizeof(struct sockaddr_vm)
    #expect(address.address == .vsock(cid: 3, port: 5000))
  }

  @Test func inetSocketAddresses() throws {
    #expect(try SocketAddress(.tcp(host: "127.0.0.1", port: 80)).address == .tcp(host: "127.0.0.1", port: 80))
    #expect(try SocketAddress(.tcp(host: "::1", port: 80)).address == .tcp(host: "::1", port: 80))
    #expect(try SocketAddress(.unix(path: "/x/y")).address == .unix(path: "/x/y"))
    #expect(throws: TransportError.self) { try SocketAddress(.local) }
  }
}
