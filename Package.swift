// swift-tools-version:6.0
import PackageDescription

let package = Package(
    name: "flow",
    platforms: [.macOS(.v13)],
    products: [
        .executable(name: "flow", targets: ["flow"]),
        .executable(name: "flow-bench", targets: ["FlowBench"]),
        .library(name: "FlowCore", targets: ["FlowCore"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.2.2"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
        .package(url: "https://github.com/swiftlang/swift-subprocess", from: "1.0.2"),
    ],
    targets: [
        // Pure values: model, loading, validation, graph, expressions, cron, plan. Depends on Yams only.
        .target(
            name: "FlowCore",
            dependencies: [.product(name: "Yams", package: "Yams")]
        ),
        // The system calls Swift cannot reach through Glibc (variadic `syscall`, `ioctl`; <sys/vfs.h>).
        .target(name: "CFlowSystem"),
        // Starting child processes, one way for all of flow: the PATH lookup, the spawn, and a
        // program run to completion with its output captured. Depends on CFlowSystem only.
        .target(name: "FlowSystem", dependencies: ["CFlowSystem"]),
        // libcurl, opened with dlopen on first use (not linked: its thirty libraries cost ~10 ms at
        // every start), with typed wrappers for its variadic calls. The header is libcurl4-openssl-dev's.
        .target(name: "CCurl"),
        // HTTP over libcurl (one multi handle on one thread), retries, AWS SigV4, credentials and typed AWS callers.
        .target(
            name: "FlowHTTP",
            dependencies: ["CCurl", "FlowCore", "FlowSystem", .product(name: "Logging", package: "swift-log")]
        ),
        // Runs plans: the coordinator, state in SQLite, processes, logs and masking, step types.
        .target(
            name: "FlowEngine",
            dependencies: [
                "FlowCore",
                "CFlowSystem",
                "FlowSystem",
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "GRDBSQLite", package: "GRDB.swift"),
                .product(name: "Subprocess", package: "swift-subprocess"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        // The built-in step types, one folder each, and the tables they read (embedded in the binary).
        .target(
            name: "FlowSteps",
            dependencies: ["FlowCore", "FlowEngine", "FlowHTTP", "FlowSystem"],
            resources: [
                .embedInCode("Analyze/Knowledge/Resources/torch_releases.json"),
                .embedInCode("Analyze/Knowledge/Resources/base_images.json"),
                .embedInCode("SmokeTest/Resources/smoke_runner.py"),
                .embedInCode("AutofixRetry/Resources/autofix_signatures.json"),
            ]
        ),
        // The commands and their output renderers; the executable is a shim over this.
        .target(
            name: "FlowCLI",
            dependencies: [
                "FlowCore",
                "FlowEngine",
                "FlowHTTP",
                "FlowSteps",
                "FlowSystem",
                "CFlowSystem",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .executableTarget(name: "flow", dependencies: ["FlowCLI"]),
        // Helpers shared by the test targets: fixture paths, temp dirs, running the built binary, reading a state database.
        .target(name: "FlowTestSupport", dependencies: ["FlowCore", "FlowEngine", "FlowHTTP", "FlowSteps", "FlowSystem", .product(name: "GRDB", package: "GRDB.swift")]),
        // In-process benchmarks of the engine (bench/README.md): `swift run -c release flow-bench overhead`.
        .executableTarget(
            name: "FlowBench",
            dependencies: [
                "FlowCore",
                "FlowEngine",
                "FlowHTTP",
                "FlowSteps",
                "FlowTestSupport",
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        .testTarget(name: "FlowCoreTests", dependencies: ["FlowCore", "FlowTestSupport"], exclude: ["Fixtures"]),
        .testTarget(name: "FlowEngineTests", dependencies: ["FlowEngine", "FlowTestSupport", .product(name: "GRDB", package: "GRDB.swift")]),
        .testTarget(name: "FlowHTTPTests", dependencies: ["FlowHTTP", "FlowTestSupport"], exclude: ["Servers"]),
        .testTarget(name: "FlowStepsTests", dependencies: ["FlowSteps", "FlowTestSupport"], exclude: ["Fixtures", "HealthCheck/health_server.py"]),
        .testTarget(name: "FlowSystemTests", dependencies: ["FlowSystem"]),
        .testTarget(name: "FlowCLITests", dependencies: ["FlowCLI", "FlowEngine", "FlowSteps", "FlowTestSupport", "flow"]),
    ],
    swiftLanguageModes: [.v6]
)
