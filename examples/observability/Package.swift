// swift-tools-version:6.2
//
// How an application bootstraps OpenTelemetry (swift-otel) for a Steadfast worker: traces,
// metrics and logs exported over OTLP. A package of its own — `make test` does not build it
// (swift-otel's first build takes minutes). Run it with:
//
//   cd examples/observability
//   DATABASE_URL=… OTEL_EXPORTER_OTLP_ENDPOINT=http://localhost:4318 swift run
import PackageDescription

let package = Package(
    name: "steadfast-observability-example",
    platforms: [.macOS(.v15)],
    dependencies: [
        // Steadfast itself, from this checkout (the package identity is its folder's name).
        .package(name: "steadfast", path: "../.."),
        .package(url: "https://github.com/swift-otel/swift-otel.git", from: "1.0.0"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.6.0"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.6.0"),
        .package(url: "https://github.com/apple/swift-distributed-tracing.git", from: "1.1.0"),
    ],
    targets: [
        .executableTarget(
            name: "ObservabilityExample",
            dependencies: [
                .product(name: "Steadfast", package: "steadfast"),
                .product(name: "OTel", package: "swift-otel"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Tracing", package: "swift-distributed-tracing"),
            ]
        ),
    ],
    swiftLanguageModes: [.v6]
)
