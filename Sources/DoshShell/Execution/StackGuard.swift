#if canImport(Glibc)
    import Glibc
#endif

/// How much of its stack the shell may use for its own recursion (functions, `.` and `eval`
/// calling themselves): a runaway recursion must end with an error, never a crash, however
/// large a frame is in this build (a debug build's are several times a release build's).
struct StackGuard {
    /// An address near the bottom of the shell's stack, taken when the shell is made.
    private let base: UInt
    /// Three quarters of the stack's limit, leaving room for what runs at the deepest call.
    private let budget: UInt

    init() {
        base = currentStackAddress()
        var limit = rlimit()
        // An unlimited stack (`RLIM_INFINITY`, which Swift cannot import: -1 as unsigned)
        // still has to end somewhere; take the usual default.
        let known = getrlimit(__rlimit_resource_t(RLIMIT_STACK.rawValue), &limit) == 0 && limit.rlim_cur != rlim_t.max
        let bytes = known ? UInt(limit.rlim_cur) : 8 << 20
        budget = bytes / 4 * 3
    }

    /// Whether the stack has grown past the budget (it grows downwards on every platform
    /// dosh runs on).
    var isNearlyExhausted: Bool {
        let here = currentStackAddress()
        return here < base && base - here > budget
    }
}

/// The address of a local variable of the caller's frame, roughly where the stack ends now.
@inline(never)
private func currentStackAddress() -> UInt {
    var marker: UInt8 = 0
    return withUnsafeMutablePointer(to: &marker) { UInt(bitPattern: $0) }
}
