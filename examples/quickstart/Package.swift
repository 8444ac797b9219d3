// swift-tools-version:6.1
import PackageDescription

let package = Package(
    name: "quickstart",
    platforms: [.macOS(.v15)],
    dependencies: [
        // Steadfast from a checkout next to this package; or from git:
        // .package(url: "<this repository's git URL>", branch: "main")
        .package(path: "../steadfast"),
        // The worker is a Service: graceful shutdown on SIGTERM/SIGINT.
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.6.0"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.6.0"),
    ],
    targets: [
        // The workflows, shared by the worker and by every program that starts them.
        .target(name: "Orders", dependencies: [.product(name: "Steadfast", package: "steadfast")]),
        // The worker process: runs the workflows (run as many as you like, on any machine).
        .executableTarget(name: "worker", dependencies: [
            "Orders",
            .product(name: "Steadfast", package: "steadfast"),
            .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            .product(name: "UnixSignals", package: "swift-service-lifecycle"),
            .product(name: "Logging", package: "swift-log"),
        ]),
        // A client: starts a workflow and awaits its result, as a web handler would.
        .executableTarget(name: "place-order", dependencies: [
            "Orders",
            .product(name: "Steadfast", package: "steadfast"),
        ]),
    ]
)
