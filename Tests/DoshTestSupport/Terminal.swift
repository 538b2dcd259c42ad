import Foundation

/// Why a pty test cannot run here, or nil.
public func missingTerminalPrerequisite() -> String? {
    if !FileManager.default.isReadableFile(atPath: "/dev/ptmx") { return "no /dev/ptmx" }
    guard let check = try? runPython(["-c", "import pexpect"]) else { return "python3 is not installed" }
    return check.status == 0 ? nil : "python3 has no pexpect module"
}

/// Runs python3 with `arguments`, returning its combined output and status.
public func runPython(_ arguments: [String]) throws -> (output: String, status: Int32) {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    process.arguments = ["python3"] + arguments
    let output = Pipe()
    process.standardOutput = output
    process.standardError = output
    try process.run()
    let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
    process.waitUntilExit()
    return (text, process.terminationStatus)
}
