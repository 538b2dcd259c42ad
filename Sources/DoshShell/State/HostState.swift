/// What the shell knows about the host session without asking: kept current by the host
/// session after every `!cd`, `!export` and `!unset`, so prompts and expansion need no round trip.
public struct HostState: Sendable, Equatable {
    public var hostName: String
    public var workingDirectory: String
    public var home: String?
    public var environment: [String: String]

    public init(hostName: String, workingDirectory: String, home: String?, environment: [String: String]) {
        self.hostName = hostName
        self.workingDirectory = workingDirectory
        self.home = home
        self.environment = environment
    }
}
