import Foundation

/// A fresh private directory under /tmp for one test (its physical path: /tmp may be a link),
/// removed by the caller.
public func makeScratchDirectory() throws -> URL {
    URL(fileURLWithPath: try makeScratchPath())
}

/// `makeScratchDirectory` as a path.
public func makeScratchPath() throws -> String {
    var template = Array("/tmp/dosh-test-XXXXXX".utf8CString)
    guard let made = mkdtemp(&template) else { throw TestFailure("mkdtemp: \(String(cString: strerror(errno)))") }
    return URL(fileURLWithPath: String(cString: made)).resolvingSymlinksInPath().path
}

public func removeDirectory(_ path: String) { try? FileManager.default.removeItem(atPath: path) }
