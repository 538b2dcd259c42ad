extension Shell {
    /// Runs a `!command` on the host.
    func runHostCommand(_ command: SimpleCommand) throws(Unwind) -> Int32 {
        report("host: no host connected")
        return 255
    }
}
