import ArgumentParser
import DoshSystem

#if canImport(Glibc)
    import Glibc
#endif

/// Throughput through a real VM's virtio-serial port: raw bytes beside dosh's pipes over the
/// same port. The VM is the one the end-to-end test boots (QEMU, Debian's cloud kernel, an
/// initramfs with busybox and this dosh); its driver, `drive_vm.py --measure`, does the timing.
struct VirtualMachine: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "vm",
        abstract: "Throughput through a VM's virtio-serial port: raw, and with dosh (--host serial:).",
        discussion: """
            Needs qemu-system-x86, busybox-static, linux-image-cloud-amd64, python3 with pexpect. \
            Where KVM cannot boot Debian's kernel the VM runs under TCG, and says so: compare the \
            two rows of a direction, not the figures with other machines.
            """)

    @Option(help: "The dosh to measure (default: the one beside this program).")
    var dosh: String?

    @Option(help: "The doshd to serve the port (default: the one beside this program).")
    var doshd: String?

    @Option(help: "Megabytes moved each way.")
    var megabytes = 50

    func run() throws {
        // The driver sits with the end-to-end tests; this file is Sources/dosh-bench/VirtualMachine.swift.
        let root = String(#filePath.split(separator: "/", omittingEmptySubsequences: false).dropLast(3).joined(separator: "/"))
        let driver = root + "/Tests/DoshEndToEndTests/VirtualMachine/drive_vm.py"
        guard access(driver, R_OK) == 0 else {
            print("vm: skipped: \(driver) is not here (run dosh-bench from its source tree)")
            return
        }
        let work = try makeTemporaryDirectory("dosh-bench-vm")
        defer { removeTree(work) }
        let run = try captureRun(
            "/usr/bin/env",
            ["python3", driver, "--measure", String(megabytes),
             dosh ?? siblingExecutable("dosh"), doshd ?? siblingExecutable("doshd"), work],
            // The user's python3, the one with pexpect.
            environment: ProcessEnvironment.current())
        print(run.output, terminator: "")
        if run.status != 0 { throw BenchError(description: "the VM driver failed (status \(run.status))") }
    }
}
