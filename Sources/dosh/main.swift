import ArgumentParser

#if canImport(Glibc)
    import Glibc
#endif

// The common POSIX forms start at once; the rest goes through the argument parser.
if let invocation = Invocation.posixForm(Array(CommandLine.arguments.dropFirst())) {
    do {
        try invocation.run()
    } catch {
        Dosh.exit(withError: error)
    }
}
Dosh.main()
