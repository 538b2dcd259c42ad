// Temporary declarations until the builtin engines land.
public struct PrintfResult: Sendable { public var output: [UInt8]; public var errors: [String]; public var status: Int32 }
public enum PrintfFormatter { public static func format(_ format: String, arguments: [String]) -> PrintfResult { PrintfResult(output: Array(format.utf8), errors: [], status: 0) } }
public struct TestError: Error, Equatable, Sendable { public var message: String }
public enum TestExpression { public static func evaluate(_ arguments: [String]) throws(TestError) -> Int32 { 0 } }
public enum EchoArguments { public static func render(_ arguments: [String]) -> [UInt8] { Array((arguments.joined(separator: " ") + "\n").utf8) } }
public enum UmaskMode {
    public static func parse(_ text: String, current: UInt32) -> UInt32? { UInt32(text, radix: 8) }
    public static func octal(_ mask: UInt32) -> String { String(mask, radix: 8) }
    public static func symbolic(_ mask: UInt32) -> String { "" }
}
public struct GetoptsState: Sendable, Equatable { public var optind: Int; public var charIndex: Int }
public struct GetoptsResult: Sendable, Equatable {
    public var name: String; public var optarg: String?; public var state: GetoptsState; public var status: Int32; public var diagnostic: String?
}
public enum Getopts { public static func next(optstring: String, arguments: [String], state: GetoptsState) -> GetoptsResult { GetoptsResult(name: "?", optarg: nil, state: state, status: 1, diagnostic: nil) } }
public enum SignalNames {
    public static func number(for name: String) -> Int32? { nil }
    public static func name(of number: Int32) -> String? { nil }
    public static var all: [(number: Int32, name: String)] { [] }
}
