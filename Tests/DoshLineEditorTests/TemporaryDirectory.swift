#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// The bytes of the file at `path`, or nil.
func fileContents(_ path: String) -> String? {
    guard let file = fopen(path, "r") else { return nil }
    defer { fclose(file) }
    var bytes: [UInt8] = []
    while true {
        let byte = fgetc(file)
        if byte == EOF { break }
        bytes.append(UInt8(byte))
    }
    return String(decoding: bytes, as: UTF8.self)
}

/// Replaces the file at `path` with `text`.
func writeFile(_ path: String, _ text: String) {
    guard let file = fopen(path, "w") else { return }
    fputs(text, file)
    fclose(file)
}
