// A Steadfast worker whose traces, metrics and logs go to an OpenTelemetry collector.
//
// OTel.bootstrap sets up swift-distributed-tracing, swift-metrics and swift-log backends
// (configured by the OTEL_* environment variables: OTEL_EXPORTER_OTLP_ENDPOINT, …); the client
// and the worker follow what was bootstrapped. Each start below is a span `StartWorkflow
// Checkout` inside the caller's span `checkout request`; every execution of the workflow —
// here, or on another worker after a crash — is a `RunWorkflow Checkout` span in that trace,
// with one `Step <key>` span per step.
import Foundation
import Logging
import OTel
import ServiceLifecycle
import Steadfast
import Tracing
import UnixSignals

struct Checkout: Workflow {
    struct Input: Codable, Sendable { var order: Int }

    func run(_ input: Input, context: WorkflowContext) async throws -> String {
        let reserved: Bool = try await context.step("reserve") { true }
        let charged: Int = try await context.step("charge", retry: .exponential()) { reserved ? input.order * 100 : 0 }
        return try await context.step("ship") { "order \(input.order): charged \(charged), shipped" }
    }
}

guard let url = ProcessInfo.processInfo.environment["DATABASE_URL"] else {
    FileHandle.standardError.write(Data("set DATABASE_URL\n".utf8))
    exit(2)
}

var configuration = OTel.Configuration.default
configuration.serviceName = "steadfast-example"
let observability = try OTel.bootstrap(configuration: configuration)

let database = DatabaseConfiguration(connectionString: url)
try await Steadfast.migrate(database)
let worker = Worker(database: database)
worker.register(Checkout())
let client = try await Client.connect(database)
let logger = Logger(label: "example")

/// Starts a few workflows as a traced request would, and waits for them.
struct Requests: Service {
    let client: Client
    let logger: Logger

    func run() async throws {
        for order in 1...3 {
            try await withSpan("checkout request") { _ in
                let handle = try await client.start(Checkout.self, .init(order: order))
                let result = try await handle.result(timeout: .seconds(30))
                logger.info("\(result)")
            }
        }
        // Keep running until SIGINT/SIGTERM, so the exporters flush on shutdown.
        try await gracefulShutdown()
    }
}

let group = ServiceGroup(services: [observability, worker, Requests(client: client, logger: logger)],
                         gracefulShutdownSignals: [.sigterm, .sigint], logger: logger)
try await group.run()
await client.close()
