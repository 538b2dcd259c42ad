// swift-tools-version: 6.0
import PackageDescription

let package = Package(
    name: "dosh",
    platforms: [.macOS(.v13)],
    products: [
        .executable(name: "dosh", targets: ["dosh"]),
        .executable(name: "doshd", targets: ["doshd"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-system", from: "1.8.1"),
        // HMAC-SHA256 for token authentication (4.x uses FoundationEssentials, which dosh loads anyway).
        .package(url: "https://github.com/apple/swift-crypto", from: "4.5.2"),
        // doshd's log lines on stderr.
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
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
        // Shell patterns and pathname expansion, shared by the shell and the shadow process.
        .target(name: "DoshPatterns"),
        // The shell language: syntax, expansion, execution, builtins, jobs.
        .target(
            name: "DoshShell",
            dependencies: [
                "DoshSystem",
                "DoshPatterns",
                "DoshProtocol",
                "DoshTransport",
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
        // libedit, the BSD line editor (a system library found through pkg-config).
        .systemLibrary(
            name: "CLibEdit",
            pkgConfig: "libedit",
            providers: [.apt(["libedit-dev"]), .brew(["libedit"])]),
        // The C shim for libedit: its el_set/el_get/history entry points are variadic.
        .target(name: "CDoshLineEditor", dependencies: ["CLibEdit"]),
        // The interactive line editor: prompt, history, completion (only `dosh` links libedit).
        .target(name: "DoshLineEditor", dependencies: ["CDoshLineEditor", "CLibEdit"]),
        // Echoes what the line editor returns; driven through a pty by the line-editor tests.
        .executableTarget(name: "dosh-lineeditor-probe", dependencies: ["DoshLineEditor"]),
        // The shadow process: one host session (cwd, environment, jobs) served over a connection.
        .target(
            name: "DoshShadow",
            dependencies: [
                "DoshProtocol",
                "DoshTransport",
                "DoshSystem",
                "DoshPatterns",
                "CDoshSystem",
                .product(name: "SystemPackage", package: "swift-system"),
            ]),
        // The host agent: listens, authenticates, starts one shadow process per shell.
        .executableTarget(
            name: "doshd",
            dependencies: [
                "DoshShadow",
                "DoshTransport",
                "DoshProtocol",
                "DoshSystem",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ]),
        .executableTarget(
            name: "dosh",
            dependencies: [
                "DoshShell",
                "DoshLineEditor",
                "DoshShadow",
                "DoshTransport",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]),
        // Benchmarks: prints figures on demand (`dosh-bench --help`); not a test.
        .executableTarget(
            name: "dosh-bench",
            dependencies: [
                "DoshSystem",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]),
        // What every test target shares: finding the products, scratch directories, failures.
        .target(name: "DoshTestSupport", path: "Tests/DoshTestSupport"),
        .testTarget(
            name: "DoshShellTests",
            dependencies: ["DoshShell", "DoshPatterns", "DoshTestSupport"]),
        .testTarget(
            name: "DoshShadowTests",
            dependencies: ["doshd", "DoshProtocol", "DoshTransport", "DoshSystem", "DoshTestSupport"]),
        .testTarget(
            name: "DoshAgentTests",
            dependencies: ["doshd", "DoshProtocol", "DoshTransport", "DoshSystem", "DoshTestSupport"]),
        .testTarget(
            name: "DoshProtocolTests",
            dependencies: ["DoshProtocol"]),
        .testTarget(
            name: "DoshTransportTests",
            dependencies: [
                "DoshTransport",
                "DoshProtocol",
                "DoshTestSupport",
                .product(name: "Crypto", package: "swift-crypto"),
            ]),
        .testTarget(
            name: "DoshLineEditorTests",
            dependencies: ["DoshLineEditor", "dosh-lineeditor-probe", "DoshTestSupport"],
            exclude: ["drive_probe.py"]),
        .testTarget(
            name: "DoshEndToEndTests",
            dependencies: ["dosh", "DoshTestSupport"],
            exclude: ["Golden", "Interactive", "Forwarding", "VirtualMachine"]),
    ]
)
