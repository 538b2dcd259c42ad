import Foundation

/// The built products (dosh, doshd, the probes): the test bundle sits beside the executables.
public enum Products {
    public static let directory: URL = {
        var url = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        while !FileManager.default.fileExists(atPath: url.appendingPathComponent("doshd").path) && url.path != "/" {
            url = url.deletingLastPathComponent()
        }
        return url
    }()

    /// The path of the product `name` (`dosh`, `doshd`, …).
    public static func path(_ name: String) -> String { directory.appendingPathComponent(name).path }

    public static var dosh: String { path("dosh") }
    public static var doshd: String { path("doshd") }

    /// The repository's root, for fixtures and documents.
    public static let packageRoot = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
}

/// A test's own failure, with what went wrong.
public struct TestFailure: Error, CustomStringConvertible {
    public var description: String
    public init(_ description: String) { self.description = description }
}
