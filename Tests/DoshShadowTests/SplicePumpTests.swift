import DoshSystem
import Foundation
import SystemPackage
import Testing

/// The non-blocking stream mover of the shadow's loop and the guest's relay process.
@Suite struct SplicePumpTests {
    /// A connected pair of unix stream sockets: the pump's end (non-blocking) and the reader's.
    func socketPair() throws -> (pump: FileDescriptor, peer: FileDescriptor) {
        var pair: [Int32] = [-1, -1]
        #expect(socketpair(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0, &pair) == 0)
        let ends = (FileDescriptor(rawValue: pair[0]), FileDescriptor(rawValue: pair[1]))
        try ends.0.setNonBlocking(true)
        try ends.1.setNonBlocking(true)
        return ends
    }

    /// Runs `pump` until it is done, reading what reaches `peer` meanwhile (until its EOF).
    func drive(_ pump: inout SplicePump, reading peer: FileDescriptor?) -> [UInt8] {
        var received: [UInt8] = []
        var peerOpen = peer != nil
        var buffer = [UInt8](repeating: 0, count: 65536)
        for _ in 0..<100_000 {
            var descriptors: [pollfd] = []
            if let (fd, events) = pump.pollEvents { descriptors.append(pollfd(fd: fd, events: events, revents: 0)) }
            if peerOpen, let peer { descriptors.append(pollfd(fd: peer.rawValue, events: Int16(POLLIN), revents: 0)) }
            if descriptors.isEmpty { break }
            _ = poll(&descriptors, nfds_t(descriptors.count), 5000)
            if !pump.isDone, descriptors[0].revents != 0 { pump.pump() }
            if peerOpen, let peer {
                let got = buffer.withUnsafeMutableBytes { read(peer.rawValue, $0.baseAddress, $0.count) }
                if got > 0 { received += buffer[..<got] }
                if got == 0 { peerOpen = false }
            }
        }
        return received
    }

    @Test func bytesCrossFromAPipeAndTheEndHalfClosesTheSocket() throws {
        let pipe = try FileDescriptor.closeOnExecPipe()
        let (sink, peer) = try socketPair()
        defer { peer.closeQuietly() }
        var pump = try SplicePump(from: pipe.readEnd, to: sink)
        let bytes = (0..<300_000).map { UInt8(truncatingIfNeeded: $0 * 7) }
        try pipe.writeEnd.writeAll(bytes)
        pipe.writeEnd.closeQuietly()
        let received = drive(&pump, reading: peer)
        #expect(pump.state == .finished)
        #expect(received == bytes)
        pump.close()
    }

    // A reader that goes away fails the pump with EPIPE, and the kernel raises SIGPIPE in the
    // pump's process, which must ignore it: not done here, where it would be inherited by
    // every program the other tests start. The end-to-end tests cover it (`yes | !head -1`).

    @Test func aFileOpenedForAppendingIsWrittenByCopying() throws {
        let path = NSTemporaryDirectory() + "dosh-pump-\(getpid()).txt"
        defer { unlink(path) }
        try Array("first\n".utf8).write(to: path)
        let file = try FileDescriptor.open(path: path, flags: O_WRONLY | O_APPEND | O_CLOEXEC)
        let (source, peer) = try socketPair()
        var pump = try SplicePump(from: source, to: file)
        try peer.writeAll(Array("second\n".utf8))
        try peer.shutdownWriting()
        _ = drive(&pump, reading: nil)
        #expect(pump.state == .finished)
        pump.close()
        peer.closeQuietly()
        #expect(try String(contentsOfFile: path, encoding: .utf8) == "first\nsecond\n")
    }

    @Test func aSocketToAFileGoesThroughThePumpsOwnPipe() throws {
        let path = NSTemporaryDirectory() + "dosh-pump-bridge-\(getpid()).txt"
        defer { unlink(path) }
        let file = try FileDescriptor.open(path: path, flags: O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode: 0o600)
        let (source, peer) = try socketPair()
        var pump = try SplicePump(from: source, to: file)
        try peer.writeAll(Array("bridged\n".utf8))
        try peer.shutdownWriting()
        _ = drive(&pump, reading: nil)
        #expect(pump.state == .finished)
        pump.close()
        peer.closeQuietly()
        #expect(try String(contentsOfFile: path, encoding: .utf8) == "bridged\n")
    }
}

extension Array where Element == UInt8 {
    fileprivate func write(to path: String) throws {
        let file = try FileDescriptor.open(path: path, flags: O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode: 0o600)
        defer { file.closeQuietly() }
        try file.writeAll(self)
    }
}
