import Testing

@testable import DoshLineEditor
