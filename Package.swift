// swift-tools-version: 6.0
import PackageDescription

let package = Package(
    name: "dosh",
    platforms: [.macOS(.v13)],
    products: [
        .executable(name: "dosh", targets: ["dosh"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-system", from: "1.8.1"),
        // HMAC-SHA256 for token authentication (4.x uses FoundationEssentials, which dosh loads anyway).
        .package(url: "https://github.com/apple/swift-crypto", from: "4.5.2"),
    ],
    targets: [
        // The C shim: only what Swift cannot express (see CDoshSystem/include/dosh_system.h).
        .target(name: "CDoshSystem"),
        // Each system call wrapped once, with typed errors.
        .target(
            name: "DoshSystem",
            dependencies: [
                "CDoshSystem",
                .product(name: "SystemPackage", package: "swift-system"),
            ]),
        // The shell language: syntax, expansion, execution, builtins, jobs.
        .target(
            name: "DoshShell",
            dependencies: [
                "DoshSystem",
                .product(name: "SystemPackage", package: "swift-system"),
            ]),
        // The wire protocol between dosh and doshd: messages, framing, codec. Pure, no I/O.
        .target(name: "DoshProtocol"),
        // Addresses, listeners, connections, peer credentials and authentication: plain fds.
        .target(
            name: "DoshTransport",
            dependencies: [
                "DoshProtocol",
                "CDoshSystem",
                .product(name: "SystemPackage", package: "swift-system"),
                .product(name: "Crypto", package: "swift-crypto"),
            ]),
        .executableTarget(
            name: "dosh",
            dependencies: [
                "DoshShell",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]),
        // Benchmarks: prints figures on demand (`dosh-bench --help`); not a test.
        .executableTarget(
            name: "dosh-bench",
            dependencies: [
                "DoshSystem",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]),
        .testTarget(
            name: "DoshShellTests",
            dependencies: ["DoshShell"]),
        .testTarget(
            name: "DoshProtocolTests",
            dependencies: ["DoshProtocol"]),
        .testTarget(
            name: "DoshTransportTests",
            dependencies: [
                "DoshTransport",
                "DoshProtocol",
                .product(name: "Crypto", package: "swift-crypto"),
            ]),
        .testTarget(
            name: "DoshEndToEndTests",
            dependencies: ["dosh"],
            exclude: ["Golden"]),
    ]
)
