internal import CDoshLineEditor
internal import CLibEdit

/// The commands a user entered, kept in memory for the line editor (Up, Down, Ctrl-R) and
/// appended to a file as they come, so that concurrent shells do not overwrite each other.
///
/// Entries from other shells reach the file at once but this shell's memory only at its next
/// start, as in bash. The file is compacted to the newest `maximumSize` entries when it grows
/// beyond twice that size; each shell counts only the records it saw at start and its own
/// appends, so with several shells writing the file can grow to twice that size per shell.
public final class CommandHistory {
    /// libedit's copy of the entries, which the editor walks.
    let handle: OpaquePointer
    private let file: HistoryFile?
    /// The entries, oldest first.
    public private(set) var entries: [String] = []
    /// The most entries kept (HISTSIZE); nil when unlimited.
    public private(set) var maximumSize: Int?
    /// How many records the file holds, as far as this shell knows.
    private var recordsInFile = 0
    /// The file ends in a partial line (edited by hand): the next append starts a new line.
    private var fileNeedsNewline = false

    /// Loads the history in `path` (if any; nil keeps the history in memory only).
    /// `maximumSize` is HISTSIZE: a negative value means unlimited, 0 keeps nothing.
    public init(path: String?, maximumSize: Int) {
        // Fails only when memory is exhausted, where Swift itself stops the process too.
        guard let handle = history_init() else { fatalError("libedit: cannot allocate a history") }
        self.handle = handle
        self.file = path.map(HistoryFile.init(path:))
        self.maximumSize = maximumSize < 0 ? nil : maximumSize
        _ = dosh_history_set_size(handle, Self.libeditSize(self.maximumSize))
        load()
    }

    deinit {
        history_end(handle)
    }

    /// Records `entry` (without its final newlines) and appends it to the file at once.
    /// Skips empty entries, entries starting with a space (bash's `ignorespace`) and an entry
    /// equal to the previous one.
    /// Returns whether the entry was recorded.
    @discardableResult
    public func add(_ entry: String) -> Bool {
        let text = Self.withoutFinalNewlines(entry)
        guard !text.isEmpty, !text.hasPrefix(" "), text != entries.last, maximumSize != 0
        else { return false }
        remember(text)
        defer { compactIfLarge() }
        guard let file else { return true }
        var record = HistoryFileFormat.record(for: text)
        if fileNeedsNewline {
            record.insert(UInt8(ascii: "\n"), at: 0)
            fileNeedsNewline = false
        }
        file.append(record)
        recordsInFile += 1
        return true
    }

    /// Puts `entry` in place of the newest entry, in memory and in the file (`fc` replaces
    /// itself with the command it runs, as in bash).
    public func replaceNewest(with entry: String) {
        let text = Self.withoutFinalNewlines(entry)
        guard let old = entries.last else {
            add(text)
            return
        }
        guard !text.isEmpty else { return }
        entries[entries.count - 1] = text
        reloadEditorCopy()
        // The newest record of this text in the file: other shells may have appended since.
        let count = file?.rewrite { records in
            guard let index = records.lastIndex(of: old) else { return records + [text] }
            var records = records
            records[index] = text
            return records
        }
        if let count { recordsInFile = count }
    }

    /// Forgets the entries at `positions` (0 for the oldest), in memory and in the file
    /// (`history -d`); in the file, the newest record of each entry's text goes.
    public func remove(_ positions: ClosedRange<Int>) {
        guard positions.lowerBound >= 0, positions.upperBound < entries.count else { return }
        let removed = entries[positions]
        entries.removeSubrange(positions)
        reloadEditorCopy()
        let count = file?.rewrite { records in
            var records = records
            for entry in removed.reversed() {
                if let index = records.lastIndex(of: entry) { records.remove(at: index) }
            }
            return records
        }
        if let count { recordsInFile = count }
    }

    /// Forgets every entry, in memory and in the file (`history -c`).
    public func clear() {
        entries = []
        _ = dosh_history_clear(handle)
        if let count = file?.rewrite({ _ in [] }) {
            recordsInFile = count
            fileNeedsNewline = false
        }
    }

    private func reloadEditorCopy() {
        _ = dosh_history_clear(handle)
        for entry in entries { _ = dosh_history_enter(handle, entry) }
    }

    private static func withoutFinalNewlines(_ entry: String) -> String {
        var entry = Substring(entry)
        while entry.hasSuffix("\n") { entry = entry.dropLast() }
        return String(entry)
    }

    /// Changes the most entries kept (HISTSIZE; negative: unlimited) and drops older ones.
    public func setMaximumSize(_ size: Int) {
        maximumSize = size < 0 ? nil : size
        _ = dosh_history_set_size(handle, Self.libeditSize(maximumSize))
        if let maximumSize, entries.count > maximumSize {
            entries.removeFirst(entries.count - maximumSize)
        }
        compactIfLarge()
    }

    private func load() {
        guard let contents = file?.read() else { return }
        let stored = HistoryFileFormat.entries(inFile: contents)
        recordsInFile = stored.count
        fileNeedsNewline = contents.last.map { $0 != UInt8(ascii: "\n") } ?? false
        for entry in stored.suffix(maximumSize ?? stored.count) {
            remember(entry)
        }
        compactIfLarge()
    }

    private func remember(_ entry: String) {
        entries.append(entry)
        if let maximumSize, entries.count > maximumSize {
            entries.removeFirst(entries.count - maximumSize)
        }
        _ = dosh_history_enter(handle, entry)
    }

    private func compactIfLarge() {
        // HISTSIZE=0 keeps nothing in memory but leaves the file alone.
        guard let file, let maximumSize, maximumSize > 0, recordsInFile > 2 * maximumSize
        else { return }
        if let count = file.compact(keeping: maximumSize) {
            recordsInFile = count
            fileNeedsNewline = false
        }
    }

    private static func libeditSize(_ size: Int?) -> Int32 {
        Int32(clamping: size ?? Int(Int32.max))
    }
}
