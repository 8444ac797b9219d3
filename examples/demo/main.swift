// The README's demo: a four-step order workflow that survives kill -9.
//
//   steadfast-demo migrate              install the engine into $DATABASE_URL
//   steadfast-demo start ID             start the ProcessOrder workflow with that id
//   steadfast-demo worker NAME [ID]     run a worker (until workflow ID finishes, when given)
//   steadfast-demo show ID              print the workflow's status and recorded steps
//   steadfast-demo verify ID            exit 1 unless the crash landed mid-workflow as the demo says
//   steadfast-demo python-worker [QUEUE]  run the workflows examples/python/operate.py starts
//
// scripts/demo.sh (`make demo`) runs them in order, killing the first worker mid-workflow. The
// demo's workflow is named `DemoOrder` and runs on its own queue `demo`, so it never meets the
// workers of the README's `ProcessOrder` (or any other app) on the same database.
import Foundation
import Logging
import ServiceLifecycle
import Steadfast
import UnixSignals

/// Reserve, charge, ship (slow: the demo kills the worker here), email.
struct ProcessOrder: Workflow {
    static var name: String { "DemoOrder" }
    /// The demo's own queue.
    static let queue = "demo"

    struct Input: Codable, Sendable { var order: String; var amount: Int }
    struct Output: Codable, Sendable { var order: String; var charge: String; var tracking: String }

    let workerName: String

    func run(_ input: Input, context: WorkflowContext) async throws -> Output {
        let reservation: String = try await context.step("reserve") {
            try await work("reserve inventory for \(input.order)", seconds: 0.4)
            return "res-\(input.order)"
        }
        let charge: String = try await context.step("charge") {
            try await work("charge $\(input.amount) (reservation \(reservation))", seconds: 0.4)
            return "ch-\(Int.random(in: 1000...9999))"
        }
        let tracking: String = try await context.step("ship") {
            try await work("ship the parcel (slow)", seconds: 3)
            return "track-\(Int.random(in: 1000...9999))"
        }
        try await context.step("email") {
            try await work("email the customer: \(charge), \(tracking)", seconds: 0.4)
        }
        return Output(order: input.order, charge: charge, tracking: tracking)
    }

    private func work(_ what: String, seconds: Double) async throws {
        say("  [\(workerName), pid \(getpid())] ▶ \(what)")
        try await Task.sleep(for: .milliseconds(Int64(seconds * 1000)))
        say("  [\(workerName), pid \(getpid())] ✔ \(what)")
    }
}

func say(_ line: String) {
    FileHandle.standardOutput.write(Data((line + "\n").utf8))
}

LoggingSystem.bootstrap { label in
    var handler = StreamLogHandler.standardError(label: label)
    handler.logLevel = .warning
    return handler
}

let arguments = Array(CommandLine.arguments.dropFirst())
guard let url = ProcessInfo.processInfo.environment["DATABASE_URL"], let command = arguments.first else {
    say("usage: DATABASE_URL=… steadfast-demo migrate | start ID | worker NAME [ID] | show ID | python-worker [QUEUE]")
    exit(2)
}
let database = DatabaseConfiguration(connectionString: url)

switch command {
case "migrate":
    try await Steadfast.migrate(database)
    let client = try await Client.connect(database)
    _ = try await client.defineQueue(Queue(ProcessOrder.queue))
    await client.close()
    say("engine installed, queue '\(ProcessOrder.queue)' defined")

case "start":
    let client = try await Client.connect(database)
    let handle = try await client.start(ProcessOrder.self, .init(order: arguments[1], amount: 42),
                                        options: StartOptions(id: arguments[1], queue: ProcessOrder.queue))
    say("started workflow \(handle.id)")
    await client.close()

case "worker":
    let name = arguments.count > 1 ? arguments[1] : "worker"
    let worker = Worker(database: database, configuration: .init(queues: [ProcessOrder.queue], concurrency: 4))
    worker.register(ProcessOrder(workerName: name))
    if arguments.count > 2 {
        // Run until that workflow has finished.
        let client = try await Client.connect(database)
        let running = Task { try await worker.run() }
        let output = try await client.handle(ProcessOrder.self, id: arguments[2]).result()
        say("  [\(name)] workflow finished: charge \(output.charge), tracking \(output.tracking)")
        running.cancel()
        _ = try? await running.value
        await client.close()
    } else {
        let group = ServiceGroup(services: [worker], gracefulShutdownSignals: [.sigterm, .sigint],
                                 logger: Logger(label: "demo"))
        try await group.run()
    }

case "python-worker":
    // Installs the engine if needed (idempotent), then runs until SIGTERM / Ctrl-C. With
    // STEADFAST_SHARDS (the shards' URLs, space-separated, in shard order) it runs on a sharded
    // cluster instead, whose router the Python service talks to (docs/scale-out.md).
    let shards = (ProcessInfo.processInfo.environment["STEADFAST_SHARDS"] ?? "").split(separator: " ")
        .map { DatabaseConfiguration(connectionString: String($0)) }
    let configuration = Worker.Configuration(queues: [arguments.count > 1 ? arguments[1] : "default"], concurrency: 10)
    let worker: Worker
    if shards.isEmpty {
        try await Steadfast.migrate(database)
        worker = Worker(database: database, configuration: configuration)
    } else {
        worker = Worker(shards: shards, configuration: configuration)
    }
    worker.register(Greet())
    worker.register(Nap())
    worker.register(Fulfil())
    worker.register(Approve())
    say("ready")
    let group = ServiceGroup(services: [worker], gracefulShutdownSignals: [.sigterm, .sigint], logger: Logger(label: "demo"))
    try await group.run()

case "show":
    let client = try await Client.connect(database)
    let record = try await client.workflow(arguments[1])
    say("workflow \(record.id): \(record.status.rawValue), claimed \(record.attempt) times")
    for step in record.steps {
        say("  step \(step.seq) \(step.key.padding(toLength: 8, withPad: " ", startingAt: 0)) recorded by attempt \(step.attempt): \(step.outputJSON ?? "-")")
    }
    say("  output: \(record.outputJSON ?? "-")")
    await client.close()

case "verify":
    // The story the demo tells, checked against the database: reserve and charge recorded by
    // the first execution, ship and email by the second, the workflow succeeded.
    let client = try await Client.connect(database)
    let record = try await client.workflow(arguments[1])
    await client.close()
    let recorded = record.steps.map { "\($0.key)@\($0.attempt)" }
    guard record.status == .succeeded, record.attempt == 2,
          recorded == ["reserve@1", "charge@1", "ship@2", "email@2"] else {
        say("✘ the demo did not go as told: status \(record.status.rawValue), \(record.attempt) executions, steps \(recorded)"
            + " (expected reserve@1, charge@1, ship@2, email@2)")
        exit(1)
    }
    say("✔ verified: reserve and charge recorded once by worker 1; ship and email by worker 2")

default:
    say("unknown command \(command)")
    exit(2)
}
