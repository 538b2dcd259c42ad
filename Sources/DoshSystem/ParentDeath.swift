import CDoshSystem

#if canImport(Glibc)
    import Glibc
#endif

/// A helper process that must not outlive the process that started it.
public enum ParentDeath {
    /// `prctl(PR_SET_PDEATHSIG, signal)`: the kernel sends `signal` when the parent ends. False
    /// when `parent` is no longer the parent (it ended before the call).
    public static func deliver(_ signal: Int32, whenParentEnds parent: pid_t) -> Bool {
        dosh_end_with_parent(signal, parent)
    }
}
