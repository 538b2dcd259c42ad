import DoshTestSupport
import Foundation
import Testing

/// `--host serial:DEVICE`: the single channel over a character device set raw, as a VM's
/// virtio-serial port. Two pseudo-terminals joined like a null-modem cable stand in for the port
/// (`Forwarding/null_modem.py`), with `doshd --stdio` on the far line; same machine, so host and
/// guest files are the same ones.
@Suite struct SerialHostTests {
    @Test func theRulesHoldOverASerialLine() throws {
        let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Forwarding/null_modem.py")
        let modem = Process()
        modem.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        modem.arguments = ["python3", script.path, DoshBinary.productsDirectory.appendingPathComponent("doshd").path]
        modem.environment = ["PATH": "/usr/local/bin:/usr/bin:/bin", "HOME": NSTemporaryDirectory()]
        let said = Pipe()
        modem.standardOutput = said
        modem.standardInput = FileHandle.nullDevice
        try modem.run()
        defer {
            modem.terminate()
            modem.waitUntilExit()
        }
        let line = String(decoding: said.fileHandleForReading.availableData, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(line.hasPrefix("/dev/pts/"), "null_modem.py said \(line)")
        let work = try makeScratchDirectory()
        defer { try? FileManager.default.removeItem(at: work) }
        // Bytes a terminal would change (CR, ^C, ^D, ^Z, DEL, NUL) must cross unchanged.
        let commands = """
            cd '\(work.path)'; !cd '\(work.path)'
            !echo hi; printf 'a\\r\\003\\004\\032\\177\\000b\\n' | !od -An -c | tr -s ' '; echo "[$(!pwd)]"
            head -c 5000000 /dev/urandom > big; cat big | !cat > !big2; !cat big2 | cmp - big && echo same
            !false; echo $?
            """
        let run = try DoshBinary.run(["--host", "serial:" + line, "-c", commands], timeout: 60)
        #expect(run.stdout == "hi\n a \\r 003 004 032 177 \\0 b \\n\n[\(work.path)]\nsame\n1\n", "stderr: \(run.stderr)")
        #expect(run.status == 0, "stderr: \(run.stderr)")
    }
}
