import DoshTestSupport
import Foundation
import Testing

/// A real virtual machine as the guest: QEMU boots Debian's cloud kernel with an initramfs made in
/// the test (busybox-static, the virtio modules, the dosh under test), and the guest's dosh, on
/// the VM's serial console, uses this machine as its host through a virtio-serial port
/// (`--host serial:/dev/virtio-ports/dosh`, `doshd --stdio` on the port's chardev).
/// `VirtualMachine/drive_vm.py` types every check at the guest's prompt.
@Suite struct VirtualMachineTests {
    static let driver = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("VirtualMachine/drive_vm.py")

    /// Why the VM cannot be booted here, or nil. Where KVM cannot boot Debian's kernel the
    /// driver runs QEMU under TCG and says so: slower, never skipped.
    static func missingPrerequisite() -> String? {
        let files = FileManager.default
        if !files.isExecutableFile(atPath: "/usr/bin/qemu-system-x86_64") { return "no qemu-system-x86_64 (qemu-system-x86)" }
        if !files.isExecutableFile(atPath: "/bin/busybox") { return "no /bin/busybox (busybox-static)" }
        let kernels = (try? files.contentsOfDirectory(atPath: "/boot")) ?? []
        if !kernels.contains(where: { $0.hasPrefix("vmlinuz-") && $0.hasSuffix("-cloud-amd64") }) {
            return "no /boot/vmlinuz-*-cloud-amd64 (linux-image-cloud-amd64)"
        }
        return missingTerminalPrerequisite()
    }

    @Test func theRulesHoldInsideARealVirtualMachine() throws {
        if let missing = Self.missingPrerequisite() {
            if getuid() == 0 { Issue.record("the virtual-machine test cannot run: \(missing)") } else { print("skipping the virtual-machine test: \(missing)") }
            return
        }
        let work = try makeScratchDirectory()
        defer { try? FileManager.default.removeItem(at: work) }
        let doshd = DoshBinary.productsDirectory.appendingPathComponent("doshd").path
        let report = try runPython([Self.driver.path, DoshBinary.path, doshd, work.path])
        print(report.output)
        #expect(report.status == 0, "\(report.output)")
    }
}
