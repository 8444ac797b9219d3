// swift-tools-version:6.1
//
// Steadfast — durable workflows for Swift with PostgreSQL as the orchestrator.
// The engine is PL/pgSQL in `migrations/` and `sql/`; this package is the thin client.
import PackageDescription

/// One settings list for every target (Hummingbird's habit): Swift 6 language mode everywhere.
let swiftSettings: [SwiftSetting] = [
    // SE-0409: `import` is internal unless it says otherwise, so libpq never leaks into the API.
    .enableUpcomingFeature("InternalImportsByDefault"),
    // SE-0444: a file sees only the members of the modules it imports itself.
    .enableUpcomingFeature("MemberImportVisibility"),
]

let package = Package(
    name: "steadfast",
    platforms: [.macOS(.v15)],
    products: [
        .library(name: "Steadfast", targets: ["Steadfast"]),
        // The `steadfast` command line: migrate, print the SQL bundle, operate workflows.
        .executable(name: "steadfast", targets: ["SteadfastCLI"]),
        // Test support for users' own tests: a throwaway database, a fake clock, step stubs,
        // crash injection (as HummingbirdTesting and ServiceLifecycleTestKit ship theirs).
        .library(name: "SteadfastTesting", targets: ["SteadfastTesting"]),
        // The web dashboard (`steadfast dashboard`), to mount in an app's own Hummingbird server.
        .library(name: "SteadfastDashboard", targets: ["SteadfastDashboard"]),
    ],
    dependencies: [
        // Structured logging with workflow id and step in the metadata.
        .package(url: "https://github.com/apple/swift-log.git", from: "1.6.0"),
        // `Worker` is a `Service`: graceful shutdown on SIGTERM, as servers expect.
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.6.0"),
        // The `steadfast` command line's subcommands, options and help.
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.5.0"),
        // Spans per execution and step, the starter's trace context carried with the workflow
        // (the API only: the application bootstraps its tracer, e.g. swift-otel).
        .package(url: "https://github.com/apple/swift-distributed-tracing.git", from: "1.1.0"),
        // Counters, timers and gauges of workflows, steps, claims and slots (the API only).
        .package(url: "https://github.com/apple/swift-metrics.git", from: "2.4.0"),
        // The dashboard's HTTP server — its product and the CLI only, never the core library.
        .package(url: "https://github.com/hummingbird-project/hummingbird.git", from: "2.0.0"),
        // `make docs`: `swift package generate-documentation` (DocC). A command plugin only:
        // nothing of it is built unless the docs are asked for.
        .package(url: "https://github.com/swiftlang/swift-docc-plugin.git", from: "1.4.0"),
    ],
    targets: [
        // libpq, the PostgreSQL client library (apt: libpq-dev). Imported internally only.
        .systemLibrary(
            name: "CLibPQ",
            pkgConfig: "libpq",
            providers: [.apt(["libpq-dev"]), .brew(["libpq"])]
        ),
        // Turns `migrations/` and `sql/` into Swift string literals at build time, so the
        // library ships the very files the Makefile installs — no hand-kept copies.
        .executableTarget(
            name: "SteadfastSchemaEmbedder",
            path: "Plugins/SteadfastSchemaEmbedder",
            swiftSettings: swiftSettings
        ),
        .plugin(
            name: "EmbedSchema",
            capability: .buildTool(),
            dependencies: ["SteadfastSchemaEmbedder"]
        ),
        .target(
            name: "Steadfast",
            dependencies: [
                "CLibPQ",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Tracing", package: "swift-distributed-tracing"),
                .product(name: "CoreMetrics", package: "swift-metrics"),
            ],
            swiftSettings: swiftSettings,
            plugins: ["EmbedSchema"]
        ),
        .target(
            name: "SteadfastTesting",
            dependencies: [
                "Steadfast",
                .product(name: "Logging", package: "swift-log"),
                // TestTracer: W3C propagation and the spans kept, for assertions.
                .product(name: "Tracing", package: "swift-distributed-tracing"),
            ],
            swiftSettings: swiftSettings
        ),
        // Server-rendered pages, a little embedded CSS and JavaScript, SSE; every read and action
        // a `steadfast.*` call through the Client.
        .target(
            name: "SteadfastDashboard",
            dependencies: [
                "Steadfast",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "SteadfastTestingTests",
            dependencies: ["SteadfastTesting", "Steadfast"],
            swiftSettings: swiftSettings
        ),
        // `steadfast` (not Sources/steadfast: it would collide with Sources/Steadfast on
        // case-insensitive file systems).
        .executableTarget(
            name: "SteadfastCLI",
            dependencies: [
                "Steadfast",
                "SteadfastDashboard",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),
        // The README's demo (`make demo`): a multi-step workflow that survives kill -9.
        .executableTarget(
            name: "steadfast-demo",
            dependencies: [
                "Steadfast",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
            ],
            path: "examples/demo",
            swiftSettings: swiftSettings
        ),
        // `make bench`: Steadfast's costs beside the machine's floor, measured in the same run.
        .executableTarget(
            name: "steadfast-bench",
            dependencies: [
                "Steadfast",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
                // The observed drain bootstraps a tracer (TestTracer, keeping nothing) and a
                // metrics factory.
                "SteadfastTesting",
                // The dashboard phase serves it on 1,000,000 workflows.
                "SteadfastDashboard",
                .product(name: "Tracing", package: "swift-distributed-tracing"),
                .product(name: "CoreMetrics", package: "swift-metrics"),
            ],
            path: "Benchmarks/steadfast-bench",
            swiftSettings: swiftSettings
        ),
        // A worker process the tests start, kill -9, stop and continue.
        .executableTarget(
            name: "SteadfastTestWorker",
            dependencies: [
                "Steadfast",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
                // SF_TRACE_FILE: its spans (TestTracer), one JSON line each, for the tests to read.
                "SteadfastTesting",
                .product(name: "Tracing", package: "swift-distributed-tracing"),
            ],
            path: "Tests/SteadfastTestWorker",
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "SteadfastTests",
            dependencies: [
                "Steadfast",
                "SteadfastTesting",
                "SteadfastDashboard",
                .product(name: "Tracing", package: "swift-distributed-tracing"),
                .product(name: "MetricsTestKit", package: "swift-metrics"),
                // The README's dashboard block mounts the pages on a Hummingbird router.
                .product(name: "Hummingbird", package: "hummingbird"),
            ],
            swiftSettings: swiftSettings
        ),
    ],
    swiftLanguageModes: [.v6]
)
