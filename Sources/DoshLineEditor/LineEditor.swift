internal import CDoshLineEditor
internal import CLibEdit

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Reads command lines from a terminal with libedit: emacs (default) or vi key bindings,
/// Up and Down through ``history``, Ctrl-R incremental search backwards as in bash
/// (``searchHistory()``), TAB completion through the ``delegate``, Ctrl-C to discard the line,
/// Ctrl-D on an empty line for end of input.
///
/// **Locale.** libedit decodes keys and the prompt with the C library's multibyte functions, and
/// decides whether the terminal speaks UTF-8 when the editor is created. The shell must call
/// `setlocale(LC_CTYPE, "")` before creating the editor. When LC_CTYPE is still "C" or "POSIX",
/// the editor switches LC_CTYPE (only) to C.UTF-8 so that `héllo 日本` can be typed; where no
/// such locale exists, editing works on ASCII only and other bytes are dropped.
///
/// **Ctrl-C.** In edit mode the terminal's signal characters are turned off (`setty -isig`) and
/// ^C is bound to an editor function that ends the read with ``LineEditorInput/interrupted``.
/// This works whatever the shell does with SIGINT (an interactive shell ignores it), involves no
/// signal handler of our own, and leaves ^Z and ^\ harmless while a line is edited. A SIGINT sent
/// by another process while reading also ends the read as ``LineEditorInput/interrupted`` when
/// the shell ignores or catches SIGINT (with the default disposition it ends the process).
///
/// **Ctrl-D.** On an empty line it ends input without echoing `^D` (libedit's own binding
/// writes it): the editor moves to a new line instead, so what the shell writes next (`exit`)
/// stands on a line of its own, as with bash. On a line with text it deletes the character
/// under the cursor (emacs) or beeps (vi insert mode).
///
/// **Signals and SIGWINCH.** libedit's signal handling is on: only while `readLine` runs, it
/// installs handlers for SIGINT, SIGQUIT, SIGTSTP, SIGHUP, SIGTERM, SIGCONT and SIGWINCH that
/// put the terminal back in its normal mode, then call the shell's previous disposition by
/// re-sending the signal (with `kill(0, …)`, to the shell's process group, which holds only the
/// shell while it reads a line), and restores the shell's handlers when `readLine` returns. The
/// first window resize of a read is applied at once (libedit's handler then gives SIGWINCH back
/// to the shell), a later one before the next key; one that happens between reads is picked up
/// because libedit measures the terminal at the start of every read. A signal that libedit's
/// handler passes on after leaving edit mode ends `readLine` as ``LineEditorInput/interrupted``;
/// the shell's own handlers (SIGCHLD) do not disturb the read. SIGWINCH must not be blocked (a
/// blocked mask survives exec; some test harnesses start programs that way).
///
/// **Output while a line is edited.** `readLine` can watch a second descriptor besides the
/// keyboard (the shell passes the host pty that background host jobs write to). What arrives
/// there is shown at once: the prompt and the line are cleared, the output is written, and the
/// prompt and the half-typed line are drawn again below it, with the cursor where it was. The
/// editor reads keys with its own function (libedit's `EL_GETCFN`) that polls both.
///
/// Input that is not a terminal is read line by line without editing or prompt.
public final class LineEditor {
    /// Supplies the prompt and completions. Not retained.
    public weak var delegate: (any LineEditorDelegate)?
    /// The entries Up, Down and Ctrl-R walk. The shell adds to it; the editor only reads it.
    public var history: CommandHistory {
        didSet { _ = dosh_el_set_history(editLine, history.handle) }
    }

    let editLine: OpaquePointer
    /// The standard-I/O streams libedit works on: duplicates of the caller's descriptors.
    private let streams: [UnsafeMutablePointer<FILE>]
    /// The prompt of the current read, in C memory because libedit keeps the pointer.
    private var promptText: UnsafeMutablePointer<CChar>
    /// Set by the ^C editor function so `readLine` can tell an interrupt from end of file.
    var interrupted = false
    /// Set by the ^D editor function: end of input was typed, not the terminal gone.
    private var endOfInputTyped = false
    /// The text of the last Ctrl-R search that found something, which Ctrl-R Ctrl-R repeats.
    var lastHistorySearch = ""
    /// The line and cursor of an ambiguous completion: a second TAB there lists the candidates.
    var ambiguousCompletion: (line: String, cursor: Int)?
    /// The descriptor whose output is shown above the line during the current read, if any.
    var backgroundOutput: Int32?
    /// Bytes of a multibyte character read so far.
    var pendingInput: [UInt8] = []

    /// The descriptor keys are read from.
    var inputDescriptor: Int32 { fileno(streams[0]) }

    /// Sets up libedit on `input`, `output` and `error` (descriptors the editor duplicates, so
    /// the caller keeps its own). Returns nil when the descriptors cannot be duplicated or
    /// libedit cannot start. See the type's documentation for the locale requirement.
    public init?(
        programName: String, input: Int32, output: Int32, error: Int32,
        delegate: any LineEditorDelegate,
        history: CommandHistory = CommandHistory(path: nil, maximumSize: 500)
    ) {
        Self.prepareLocale()
        var streams: [UnsafeMutablePointer<FILE>] = []
        for (fd, mode) in [(input, "r"), (output, "w"), (error, "w")] {
            guard let stream = Self.openStream(duplicating: fd, mode: mode) else {
                streams.forEach { fclose($0) }
                return nil
            }
            streams.append(stream)
        }
        guard let editLine = el_init(programName, streams[0], streams[1], streams[2]),
            let promptText = strdup("")
        else {
            streams.forEach { fclose($0) }
            return nil
        }
        self.editLine = editLine
        self.streams = streams
        self.promptText = promptText
        self.delegate = delegate
        self.history = history

        // Callbacks find this object through libedit's client data, never through a global.
        _ = dosh_el_set_client_data(editLine, Unmanaged.passUnretained(self).toOpaque())
        _ = dosh_el_set_signal_handling(editLine, 1)
        _ = dosh_el_disable_terminal_signals(editLine)
        _ = dosh_el_set_prompt(editLine, { LineEditor.prompt(for: $0) }, 1)
        for entry in Self.editorFunctions {
            _ = dosh_el_add_function(editLine, entry.name, entry.help, entry.function)
        }
        _ = dosh_el_set_read_function(
            editLine, { editLine, character in LineEditor.from(editLine)?.readCharacter(character) ?? -1 })
        _ = dosh_el_set_history(editLine, history.handle)
        setEditingMode(vi: false)
    }

    deinit {
        el_end(editLine)
        streams.forEach { fclose($0) }
        free(promptText)
    }

    /// Reads one line, without its newline. The prompt is asked of the delegate once, with
    /// `continuation` (PS2) or not (PS1). What `backgroundOutput` (a descriptor the caller keeps
    /// open meanwhile) delivers while the line is edited is shown above the line at once.
    public func readLine(continuation: Bool, backgroundOutput: Int32? = nil) -> LineEditorInput {
        setPrompt(delegate?.prompt(continuation: continuation) ?? "")
        interrupted = false
        endOfInputTyped = false
        ambiguousCompletion = nil
        self.backgroundOutput = backgroundOutput
        pendingInput = []
        defer { self.backgroundOutput = nil }
        var count: Int32 = 0
        guard let text = el_gets(editLine, &count) else {
            let failure = errno
            if interrupted || (count < 0 && failure == EINTR) {
                writeOutput("^C\n")
                return .interrupted
            }
            if endOfInputTyped { writeOutput("\n") }
            return .endOfFile
        }
        var bytes = UnsafeRawBufferPointer(start: text, count: strlen(text))[...]
        if bytes.last == UInt8(ascii: "\n") { bytes = bytes.dropLast() }
        return .line(String(decoding: bytes, as: UTF8.self))
    }

    /// Switches between vi and emacs key bindings. Bindings made in `~/.editrc` are reset.
    public func setEditingMode(vi: Bool) {
        _ = dosh_el_set_editor(editLine, vi ? "vi" : "emacs")
        installBindings()
    }

    /// Reads libedit's settings file: `$EDITRC`, else `~/.editrc`. Returns false when there is
    /// none or it cannot be read. When the file changes the editing mode (`bind -v`), dosh's
    /// TAB, ^C, ^D and ^R bindings are installed again in the new mode.
    @discardableResult
    public func sourceDefaultBindings() -> Bool {
        let wasVi = dosh_el_editor_is_vi(editLine)
        let status = el_source(editLine, nil)
        if dosh_el_editor_is_vi(editLine) != wasVi {
            installBindings()
        }
        return status == 0
    }

    /// One of dosh's own editor functions: added to libedit under `name`, and bound to `key` in
    /// whichever editing mode is chosen.
    private struct EditorFunction {
        let key: String
        let name: String
        let help: String
        let function: dosh_el_editor_function
    }

    private static let editorFunctions = [
        EditorFunction(key: "^I", name: "dosh-complete", help: "Complete the word before the cursor") { editLine, _ in
            LineEditor.from(editLine)?.completeWord() ?? UInt8(CC_ERROR)
        },
        EditorFunction(key: "^C", name: "dosh-interrupt", help: "Discard the line") { editLine, _ in
            LineEditor.from(editLine)?.interrupt() ?? UInt8(CC_EOF)
        },
        EditorFunction(key: "^R", name: "dosh-search-history", help: "Search the history backwards as you type") {
            editLine, _ in LineEditor.from(editLine)?.searchHistory() ?? UInt8(CC_ERROR)
        },
        EditorFunction(key: "^D", name: "dosh-end-of-file", help: "End input on an empty line, else delete forward") {
            editLine, _ in LineEditor.from(editLine)?.endOfInputOrDelete() ?? UInt8(CC_EOF)
        },
    ]

    private func installBindings() {
        for entry in Self.editorFunctions {
            _ = dosh_el_bind(editLine, entry.key, entry.name)
        }
    }

    func setPrompt(_ prompt: String) {
        // readline marks invisible text with \1…\2; libedit wants the same character twice.
        let text = String(prompt.unicodeScalars.map { $0 == "\u{2}" ? "\u{1}" : Character($0) })
        guard let copy = strdup(text) else { return }
        free(promptText)
        promptText = copy
    }

    func interrupt() -> UInt8 {
        interrupted = true
        return UInt8(CC_EOF)
    }

    private func endOfInputOrDelete() -> UInt8 {
        guard let info = el_wline(editLine)?.pointee, let buffer = info.buffer, let cursor = info.cursor,
            let end = info.lastchar
        else { return UInt8(CC_ERROR) }
        if buffer == end {
            endOfInputTyped = true
            return UInt8(CC_EOF)
        }
        guard cursor < end, dosh_el_editor_is_vi(editLine) == 0 else { return UInt8(CC_ERROR) }
        _ = el_cursor(editLine, 1)
        el_deletestr(editLine, 1)
        return UInt8(CC_REFRESH)
    }

    func writeOutput(_ text: String) {
        fputs(text, streams[1])
        fflush(streams[1])
    }

    func writeOutput(_ bytes: [UInt8]) {
        _ = bytes.withUnsafeBufferPointer { fwrite($0.baseAddress, 1, $0.count, streams[1]) }
        fflush(streams[1])
    }

    /// The prompt of the current read, as libedit shows it.
    var currentPrompt: String { String(cString: promptText) }

    /// The editor whose libedit instance is `editLine`.
    private static func from(_ editLine: OpaquePointer?) -> LineEditor? {
        guard let editLine, let data = dosh_el_client_data(editLine) else { return nil }
        return Unmanaged<LineEditor>.fromOpaque(data).takeUnretainedValue()
    }

    private static func prompt(for editLine: OpaquePointer?) -> UnsafeMutablePointer<CChar>? {
        if let editor = from(editLine) { return editor.promptText }
        // libedit cannot take NULL; it only reads the text.
        let empty: StaticString = ""
        return UnsafeMutableRawPointer(mutating: empty.utf8Start).assumingMemoryBound(to: CChar.self)
    }

    private static func openStream(duplicating fd: Int32, mode: String) -> UnsafeMutablePointer<FILE>? {
        let copy = fcntl(fd, F_DUPFD_CLOEXEC, 3)
        guard copy >= 0 else { return nil }
        guard let stream = fdopen(copy, mode) else {
            close(copy)
            return nil
        }
        return stream
    }

    private static func prepareLocale() {
        guard let current = setlocale(LC_CTYPE, nil) else { return }
        let name = String(cString: current)
        guard name == "C" || name == "POSIX" else { return }
        if setlocale(LC_CTYPE, "C.UTF-8") == nil {
            _ = setlocale(LC_CTYPE, "UTF-8")  // the name on macOS
        }
    }
}
