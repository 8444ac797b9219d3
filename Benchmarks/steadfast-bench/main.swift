// `make bench`: Steadfast's costs beside the machine's own floor, measured in the same run.
//
//   steadfast-bench run [--json PATH] [--only PHASE,…] [--quick]
//       every phase (or the named ones; --quick = floor,serial); a table on stdout, JSON to PATH
//   steadfast-bench worker QUEUE CONCURRENCY HOLD_MS POOL [observed]
//       a worker process (used by `run`); `observed` bootstraps a tracer and metrics that
//       discard what they get (the observed drain)
//
// DATABASE_URL must point at a server with durable settings (fsync and synchronous_commit
// on: scripts/bench.sh starts one). Every phase checks the rows it produced: workflows really go
// through the database.
import CoreMetrics
import Foundation
import Logging
import ServiceLifecycle
import Steadfast
import SteadfastTesting
import Tracing
import UnixSignals

LoggingSystem.bootstrap { label in
    var handler = StreamLogHandler.standardError(label: label)
    handler.logLevel = .error
    return handler
}

guard let url = ProcessInfo.processInfo.environment["DATABASE_URL"] else {
    FileHandle.standardError.write(Data("DATABASE_URL is required\n".utf8))
    exit(2)
}
let arguments = Array(CommandLine.arguments.dropFirst())

if arguments.first == "worker", arguments.count >= 5 {
    if arguments.count >= 6, arguments[5] == "observed" {
        InstrumentationSystem.bootstrap(TestTracer(keepsSpans: false))
        MetricsSystem.bootstrap(DiscardingMetrics())
    }
    let database = DatabaseConfiguration(connectionString: url, maximumConnections: Int(arguments[4]) ?? 10,
                                         applicationName: "steadfast-bench-worker")
    // STEADFAST_SHARDS (space-separated URLs, in shard order): a worker on a sharded cluster.
    let shards = (ProcessInfo.processInfo.environment["STEADFAST_SHARDS"] ?? "").split(separator: " ").map {
        DatabaseConfiguration(connectionString: String($0), maximumConnections: Int(arguments[4]) ?? 10,
                              applicationName: "steadfast-bench-worker")
    }
    let configuration = Worker.Configuration(queues: [arguments[1]], concurrency: Int(arguments[2]) ?? 10)
    let worker = shards.isEmpty ? Worker(database: database, configuration: configuration)
                                : Worker(shards: shards, configuration: configuration)
    worker.register(NoopWorkflow())
    worker.register(EmptyWorkflow())
    worker.register(HoldWorkflow(holdMilliseconds: Int(arguments[3]) ?? 0))
    worker.register(SleepWorkflow())
    worker.register(SleepForWorkflow())
    worker.register(FanOutWorkflow())
    worker.register(FanOutChild())
    worker.register(EchoLoopWorkflow())
    worker.register(StreamWriterWorkflow())
    FileHandle.standardOutput.write(Data("ready\n".utf8))
    let group = ServiceGroup(services: [worker], gracefulShutdownSignals: [.sigterm], logger: Logger(label: "bench"))
    try await group.run()
    exit(0)
}

var jsonPath = "dist/bench.json"
if let index = arguments.firstIndex(of: "--json"), index + 1 < arguments.count { jsonPath = arguments[index + 1] }

let bench = try await Bench(url: url)
var only: Set<String>? = arguments.contains("--quick") ? ["floor", "serial"] : nil
if let index = arguments.firstIndex(of: "--only"), index + 1 < arguments.count {
    only = Set(arguments[index + 1].split(separator: ",").map(String.init))
    if let unknown = only!.subtracting(Bench.phases).first {
        FileHandle.standardError.write(Data("unknown phase \(unknown); phases: \(Bench.phases.joined(separator: ", "))\n".utf8))
        exit(2)
    }
}
try await bench.run(only: only)
try bench.report(jsonPath: jsonPath)
exit(0)
