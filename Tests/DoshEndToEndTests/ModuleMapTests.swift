import Foundation
import Testing

/// The module map at the top of `docs/architecture.md` is the truth about who may import whom:
/// every `import` in `Sources/` must be allowed there, and every module there must exist.
@Suite struct ModuleMapTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    /// The platform's modules, always allowed.
    static let platform: Set<String> = ["Glibc", "Darwin", "Musl"]

    /// The table's rows: module name → the modules it may import.
    static func map() throws -> [String: Set<String>] {
        let text = try String(contentsOf: root.appendingPathComponent("docs/architecture.md"), encoding: .utf8)
        guard let start = text.range(of: "## Module map") else { return [:] }
        var rows: [String: Set<String>] = [:]
        for line in text[start.upperBound...].split(separator: "\n").drop(while: { !$0.hasPrefix("| `") }) {
            guard line.hasPrefix("| `") else { break }
            let cells = line.split(separator: "|", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) }
            guard cells.count >= 4 else { continue }
            let module = cells[1].trimmingCharacters(in: CharacterSet(charactersIn: "`"))
            rows[module] = Set(cells[3].split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty })
        }
        return rows
    }

    /// What the Swift files of `module` import.
    static func imports(of module: String) throws -> Set<String> {
        let directory = root.appendingPathComponent("Sources").appendingPathComponent(module)
        var found: Set<String> = []
        let pattern = try NSRegularExpression(pattern: #"^\s*(?:@\w+\s+)*(?:(?:internal|public|package|private|fileprivate)\s+)?import\s+(\w+)"#, options: .anchorsMatchLines)
        for case let file as URL in FileManager.default.enumerator(at: directory, includingPropertiesForKeys: nil) ?? .init() where file.pathExtension == "swift" {
            let text = try String(contentsOf: file, encoding: .utf8)
            for match in pattern.matches(in: text, range: NSRange(text.startIndex..., in: text)) {
                if let range = Range(match.range(at: 1), in: text) { found.insert(String(text[range])) }
            }
        }
        return found
    }

    @Test func everyImportIsAllowedByTheMap() throws {
        let map = try Self.map()
        #expect(!map.isEmpty, "docs/architecture.md has no module map")
        let modules = try FileManager.default.contentsOfDirectory(atPath: Self.root.appendingPathComponent("Sources").path).sorted()
        for module in modules {
            guard let allowed = map[module] else {
                Issue.record("Sources/\(module) has no line in the module map of docs/architecture.md")
                continue
            }
            let forbidden = try Self.imports(of: module).subtracting(allowed).subtracting(Self.platform)
            #expect(forbidden.isEmpty, "\(module) imports \(forbidden.sorted()), which the module map does not allow")
        }
        for module in map.keys where !modules.contains(module) {
            Issue.record("the module map names \(module), which is not in Sources/")
        }
    }
}
