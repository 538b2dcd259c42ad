// Temporary declarations until the expansion kit lands.
public protocol ArithmeticVariables {
    func arithmeticValue(of name: String) -> String?
    mutating func arithmeticAssign(_ name: String, _ value: Int) throws(ArithmeticError)
}
public struct ArithmeticError: Error, Equatable, Sendable { public var message: String }
public enum Arithmetic {
    public static func evaluate(_ expression: String, variables: inout some ArithmeticVariables) throws(ArithmeticError) -> Int { Int(expression) ?? 0 }
}
public struct Pattern: Sendable {
    let text: String
    public init(_ escapedPattern: String) { text = escapedPattern }
    public func matches(_ text: some StringProtocol) -> Bool { String(text) == literalText }
    public func matchingPrefix(of text: String, longest: Bool) -> String.Index? { nil }
    public func matchingSuffix(of text: String, longest: Bool) -> String.Index? { nil }
    public var hasWildcards: Bool { false }
    public var literalText: String { text.replacingOccurrences("\\", "") }
}
extension String { func replacingOccurrences(_ a: Character, _ b: String) -> String { String(self.filter { $0 != a }) } }
public protocol DirectoryReader {
    func entries(ofDirectory path: String) -> [String]?
    func exists(_ path: String) -> Bool
    func isDirectory(_ path: String) -> Bool
}
public struct LocalDirectoryReader: DirectoryReader {
    public init() {}
    public func entries(ofDirectory path: String) -> [String]? { nil }
    public func exists(_ path: String) -> Bool { false }
    public func isDirectory(_ path: String) -> Bool { false }
}
public enum PathnameExpansion {
    public static func expand(_ escapedPattern: String, reader: some DirectoryReader) -> [String] { [] }
}
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
