internal import CDoshLineEditor
internal import CLibEdit

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

extension LineEditor {
    /// libedit's read-character function (`EL_GETCFN`): waits for a key and, meanwhile, shows
    /// what ``backgroundOutput`` delivers. Decodes multibyte characters as libedit's own reader
    /// does: one byte per read(2), so no typed-ahead byte is taken from the commands that follow.
    /// Returns 1 with a character, 0 at end of file, -1 with errno on an error or when a signal
    /// ended editing.
    func readCharacter(_ character: UnsafeMutablePointer<wchar_t>?) -> Int32 {
        guard let character else { return -1 }
        character.pointee = 0
        let input = inputDescriptor
        let editing = isEditing(input)
        while true {
            var descriptors = [pollfd(fd: input, events: Int16(POLLIN), revents: 0)]
            let urgent = delegate?.urgentWorkDescriptor
            descriptors.append(pollfd(fd: urgent ?? -1, events: Int16(POLLIN), revents: 0))
            if let backgroundOutput {
                descriptors.append(pollfd(fd: backgroundOutput, events: Int16(POLLIN), revents: 0))
            }
            if poll(&descriptors, nfds_t(descriptors.count), -1) < 0 {
                let failure = errno
                guard failure == EINTR, !signalEndedEditing(input, wasEditing: editing) else {
                    errno = failure
                    return -1
                }
                // SIGWINCH, SIGCONT (libedit has dealt with them) or one of the shell's own.
                el_resize(editLine)
                continue
            }
            if descriptors[1].revents != 0 { doUrgentWork() }
            if descriptors.count > 2, descriptors[2].revents != 0 {
                showBackgroundOutput()
            }
            guard descriptors[0].revents != 0 else { continue }
            var byte: UInt8 = 0
            let count = read(input, &byte, 1)
            if count < 0 {
                let failure = errno
                if failure == EAGAIN || failure == EWOULDBLOCK { continue }
                if failure == EINTR && !signalEndedEditing(input, wasEditing: editing) { continue }
                errno = failure
                return -1
            }
            if count == 0 { return 0 }
            pendingInput.append(byte)
            switch decodePendingInput(into: character) {
            case .character:
                // A resize libedit's handler did not see (it handles one per read) applies now.
                el_resize(editLine)
                // Only a TAB right after a TAB lists candidates (bash: when the last command
                // was a completion), not one that comes back to the same line after edits.
                if character.pointee != wchar_t(UInt8(ascii: "\t")) { ambiguousCompletion = nil }
                return 1
            case .incomplete: continue
            case .invalid:
                errno = EILSEQ
                return -1
            }
        }
    }

    private enum Decoded { case character, incomplete, invalid }

    /// Decodes ``pendingInput`` like libedit: an invalid sequence is dropped except for its last
    /// byte, which may start the next character; an invalid single byte is dropped.
    private func decodePendingInput(into character: UnsafeMutablePointer<wchar_t>) -> Decoded {
        while !pendingInput.isEmpty {
            var state = mbstate_t()
            let result = pendingInput.withUnsafeBufferPointer { bytes in
                bytes.withMemoryRebound(to: CChar.self) { mbrtowc(character, $0.baseAddress, $0.count, &state) }
            }
            switch result {
            case -1:
                pendingInput = pendingInput.count > 1 ? [pendingInput[pendingInput.count - 1]] : []
                if pendingInput.isEmpty { return .incomplete }
            case -2:
                if pendingInput.count >= Int(MB_LEN_MAX) {
                    pendingInput = []
                    return .invalid
                }
                return .incomplete
            default:
                pendingInput = []
                return .character
            }
        }
        return .incomplete
    }

    /// Whether the terminal is in libedit's edit mode (not canonical), or is no terminal.
    private func isEditing(_ input: Int32) -> Bool {
        var modes = termios()
        guard tcgetattr(input, &modes) == 0 else { return true }
        return modes.c_lflag & tcflag_t(ICANON) == 0
    }

    /// libedit's handlers for SIGINT, SIGQUIT, SIGTSTP, SIGHUP and SIGTERM put the terminal back
    /// in its normal mode before they pass the signal on; its own reader then ends the read.
    /// The same here: the terminal left edit mode while we waited.
    private func signalEndedEditing(_ input: Int32, wasEditing: Bool) -> Bool {
        wasEditing && !isEditing(input)
    }

    /// Lets the delegate do its urgent work; what it prints appears above the line, which is then
    /// drawn again.
    private func doUrgentWork() {
        var cleared = false
        delegate?.doUrgentWork {
            guard !cleared else { return }
            cleared = true
            writeOutput(eraseEditArea())
        }
        guard cleared else { return }
        writeOutput("\r")
        _ = dosh_el_refresh(editLine)
    }

    /// Reads what waits on ``backgroundOutput`` and shows it above the line, which is then drawn
    /// again. A descriptor that hung up is not watched for the rest of the read.
    func showBackgroundOutput() {
        guard let descriptor = backgroundOutput else { return }
        guard var bytes = Self.readAvailable(descriptor) else {
            backgroundOutput = nil
            return
        }
        // A line written in pieces: wait a moment for its end rather than split it.
        var waits = 0
        while bytes.last != UInt8(ascii: "\n"), waits < 5 {
            var descriptors = [pollfd(fd: descriptor, events: Int16(POLLIN), revents: 0)]
            guard poll(&descriptors, 1, 10) > 0, let more = Self.readAvailable(descriptor), !more.isEmpty else { break }
            bytes += more
            waits += 1
        }
        guard !bytes.isEmpty else { return }
        writeOutput(eraseEditArea())
        writeOutput(bytes)
        // libedit draws from the start of a row.
        writeOutput(bytes.last == UInt8(ascii: "\n") ? "\r" : "\r\n")
        _ = dosh_el_refresh(editLine)
    }

    /// What `descriptor` has now, without waiting: nil when it hung up or failed, [] when
    /// nothing waits.
    private static func readAvailable(_ descriptor: Int32) -> [UInt8]? {
        let flags = fcntl(descriptor, F_GETFL)
        guard flags >= 0 else { return nil }
        // The status flags belong to the open file, which others share: restore them.
        if flags & O_NONBLOCK == 0 { _ = fcntl(descriptor, F_SETFL, flags | O_NONBLOCK) }
        defer { if flags & O_NONBLOCK == 0 { _ = fcntl(descriptor, F_SETFL, flags) } }
        var bytes: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 65536)
        while bytes.count < 1 << 20 {
            let count = buffer.withUnsafeMutableBytes { read(descriptor, $0.baseAddress, $0.count) }
            if count > 0 {
                bytes += buffer[..<count]
                continue
            }
            if count < 0 && (errno == EAGAIN || errno == EWOULDBLOCK) { return bytes }
            if count < 0 && errno == EINTR { continue }
            // End of file, or EIO from a pty whose other side is gone.
            return bytes.isEmpty ? nil : bytes
        }
        return bytes
    }
}
