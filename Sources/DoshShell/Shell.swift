/// The shell: its state and the entry points the executables call.
public final class Shell {
    public init() {}
}
