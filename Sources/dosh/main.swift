import ArgumentParser
import DoshShell

#if canImport(Glibc)
    import Glibc
#endif

// The mux process of an ssh: or exec: host (started by the shell itself).
if CommandLine.arguments.count > 1 && CommandLine.arguments[1] == "--channel-mux" {
    exit(runChannelMux(Array(CommandLine.arguments.dropFirst(2))))
}
// The common POSIX forms start at once; the rest goes through the argument parser.
if let invocation = Invocation.posixForm(Array(CommandLine.arguments.dropFirst())) {
    do {
        try invocation.run()
    } catch {
        Dosh.exit(withError: error)
    }
}
Dosh.main()
