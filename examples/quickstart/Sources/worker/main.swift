import Foundation
import Logging
import Orders
import ServiceLifecycle
import Steadfast
import UnixSignals

guard let url = ProcessInfo.processInfo.environment["DATABASE_URL"] else {
    print("Set DATABASE_URL, for example postgresql://localhost/app")
    exit(1)
}
let database = DatabaseConfiguration(connectionString: url)
try await Steadfast.migrate(database)                       // installs or upgrades the engine
let worker = Worker(database: database, configuration: .init(queues: ["default"], concurrency: 20))
worker.register(ProcessOrder())
// A swift-service-lifecycle Service: SIGTERM or Ctrl-C hands its workflows back, then exits.
let logger = Logger(label: "worker")
try await ServiceGroup(services: [worker], gracefulShutdownSignals: [.sigterm, .sigint], logger: logger).run()
