// Temporary declarations until the parser lands.
public struct Parser {
    public init(source: some LineSource, aliases: @escaping (String) -> String? = { _ in nil }, firstLine: Int = 1) {}
    public mutating func parseNextCommand() throws(SyntaxError) -> CommandList? { nil }
    public var currentLine: Int { 0 }
    public static func parse(_ text: String, aliases: @escaping (String) -> String? = { _ in nil }) throws(SyntaxError) -> CommandList { CommandList() }
}
public struct StringLineSource: LineSource {
    public init(_ text: String) {}
    public mutating func nextLine(continuation: Bool) -> String? { nil }
}
extension Command { public var sourceText: String { "" } }
