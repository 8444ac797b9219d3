// A worker process for the Swift tests: they start it, kill -9 it, stop and continue it, and
// count the side effects its steps leave in a table of the test's.
//
// Environment:
//   DATABASE_URL         where the engine lives (required)
//   SF_EFFECTS_TABLE     the table each step inserts (workflow_id, step, pid) into (required)
//   SF_SHARDS            when set, the shards' URLs (space-separated, in shard order): the worker
//                        runs on them (Worker(shards:)); the effects table stays in DATABASE_URL
//   SF_QUEUE             the queue to claim from (default "default")
//   SF_CONCURRENCY       workflows at once (default 10)
//   SF_EXECUTOR_ID       the executor id (default: generated)
//   SF_HOLD_STEP         a step name (s1, s2, s3) in which to wait SF_HOLD_SECONDS after its effect;
//                        "end": wait in the workflow's code after s3, before it returns
//   SF_HOLD_SECONDS      (default 600)
//   SF_SLEEP_SECONDS     when set, the workflow sleeps durably this long between s1 and s2
//   SF_LEASE_SECONDS     the executor's lease (default 30)
//   SF_POLL_MS           the poll interval (default: the library's)
//   SF_POOL              the pool size (default 10)
//   SF_TX_TABLE          when set, also run TxWorkflow: its transaction step inserts
//                        (workflow_id) into this table, with random pauses around it
//   SF_CHAOS             when 1, also run ChaosWorkflow (make chaos; see ChaosWorkflow.swift)
//   SF_CHAOS_STEP_MS     its steps' longest random pause (default 200)
//   SF_CHAOS_DIR         where its frozen transaction step writes its pid, and its steps
//                        outside the database their evidence (effects-<pid>.tsv)
//   SF_TRACE_FILE        when set, a tracer (TestTracer, W3C propagation) appends each span
//                        that ends to this file as a JSON line (TestTracer.FinishedSpan)
import Foundation
import Logging
import ServiceLifecycle
import Steadfast
import SteadfastTesting
import Synchronization
import Tracing
import UnixSignals

let environment = ProcessInfo.processInfo.environment
func setting(_ name: String) -> String? { environment[name].flatMap { $0.isEmpty ? nil : $0 } }

guard let url = setting("DATABASE_URL"), let table = setting("SF_EFFECTS_TABLE") else {
    FileHandle.standardError.write(Data("DATABASE_URL and SF_EFFECTS_TABLE are required\n".utf8))
    exit(2)
}

if let path = setting("SF_TRACE_FILE") {
    // Each span that ends is on disk at once: what a process killed with SIGKILL had ended.
    FileManager.default.createFile(atPath: path, contents: nil)
    let file = Mutex(FileHandle(forWritingAtPath: path)!)
    InstrumentationSystem.bootstrap(TestTracer(keepsSpans: false) { span in
        let line = (try? JSONEncoder().encode(span)) ?? Data()
        file.withLock { $0.write(line + Data("\n".utf8)) }
    })
}

LoggingSystem.bootstrap { label in
    var handler = StreamLogHandler.standardError(label: label)
    handler.logLevel = .debug
    return handler
}

/// Three steps, each leaving one row in the effects table; one of them, or the code after the
/// last, may hang.
struct EffectsWorkflow: Workflow {
    struct Input: Codable, Sendable { var n: Int }

    let effects: Effects
    let holdStep: String?
    let holdSeconds: Double
    var sleepSeconds: Double? = nil

    func run(_ input: Input, context: WorkflowContext) async throws -> String {
        for step in ["s1", "s2", "s3"] {
            if step == "s2", let sleepSeconds {
                try await context.sleep(for: .milliseconds(Int(sleepSeconds * 1000)))
            }
            try await context.step(step) {
                try await effects.record(workflowID: context.workflowID, step: step)
                if step == holdStep {
                    try await Task.sleep(for: .seconds(holdSeconds))
                }
            }
        }
        if holdStep == "end" {
            try await Task.sleep(for: .seconds(holdSeconds))
        }
        return "done \(input.n)"
    }
}

/// A step, `count` EffectsWorkflow children started in one call and awaited with one wait, a
/// step: the parent's own steps leave effects too (steps "before" and "after").
struct FanInWorkflow: Workflow {
    struct Input: Codable, Sendable { var count: Int; var queue: String }
    let effects: Effects

    func run(_ input: Input, context: WorkflowContext) async throws -> Int {
        try await context.step("before") { try await effects.record(workflowID: context.workflowID, step: "before") }
        let children = try await context.startChildren(EffectsWorkflow.self, (0..<input.count).map { .init(n: $0) },
                                                       options: StartOptions(queue: input.queue))
        let succeeded = try await context.results(of: children).filter { (try? $0.get()) != nil }.count
        try await context.step("after") { try await effects.record(workflowID: context.workflowID, step: "after") }
        return succeeded
    }
}

/// Receives `count` messages of topic "t" one after another (waiting for each, holding no
/// slot) and returns their sum.
struct InboxWorkflow: Workflow {
    struct Input: Codable, Sendable { var count: Int }

    func run(_ input: Input, context: WorkflowContext) async throws -> Int {
        var sum = 0
        for _ in 0..<input.count {
            sum += try await context.receive(Int.self, topic: "t") ?? 0
        }
        return sum
    }
}

/// Receives a message of topic "t" waiting at most `timeout` seconds, then runs the step
/// "after" (which may hang, SF_HOLD_STEP=after): a crash lands after the receive's outcome
/// was recorded, whichever branch it took.
struct PatientWorkflow: Workflow {
    struct Input: Codable, Sendable { var timeout: Double }
    let effects: Effects
    let holdStep: String?
    let holdSeconds: Double

    func run(_ input: Input, context: WorkflowContext) async throws -> String {
        let message = try await context.receive(String.self, topic: "t", timeout: .milliseconds(Int(input.timeout * 1000)))
        try await context.step("after") {
            try await effects.record(workflowID: context.workflowID, step: "after")
            if holdStep == "after" { try await Task.sleep(for: .seconds(holdSeconds)) }
        }
        return message ?? "timed out"
    }
}

/// A plain step, a transaction step that inserts one row, a plain step — with random pauses,
/// so a SIGKILL lands anywhere around the transaction.
struct TxWorkflow: Workflow {
    struct Input: Codable, Sendable { var n: Int }
    let table: String

    func run(_ input: Input, context: WorkflowContext) async throws -> Int {
        try await context.step("before") { try await Task.sleep(for: .milliseconds(Int.random(in: 0...30))) }
        let count: Int = try await context.transaction("insert") { tx in
            let rows = try await tx.query("insert into \(table) (workflow_id) values ($1) returning (select count(*) from \(table)) as n",
                                          [context.workflowID])
            try await Task.sleep(for: .milliseconds(Int.random(in: 0...60)))
            return try rows[0].int("n")
        }
        try await context.step("after") { try await Task.sleep(for: .milliseconds(Int.random(in: 0...30))) }
        return count
    }
}

let database = DatabaseConfiguration(connectionString: url,
                                     maximumConnections: Int(setting("SF_POOL") ?? "") ?? 10,
                                     applicationName: "steadfast-test-worker")
let effects = try await Effects(database: database, table: table)
var configuration = Worker.Configuration(
    executorID: setting("SF_EXECUTOR_ID"),
    queues: [setting("SF_QUEUE") ?? "default"],
    concurrency: Int(setting("SF_CONCURRENCY") ?? "") ?? 10,
    lease: .milliseconds(Int64((Double(setting("SF_LEASE_SECONDS") ?? "") ?? 30) * 1000)),
    shutdownGracePeriod: .seconds(2))
if let poll = setting("SF_POLL_MS").flatMap(Int64.init) { configuration.pollInterval = .milliseconds(poll) }

let shards = (setting("SF_SHARDS") ?? "").split(separator: " ").map {
    DatabaseConfiguration(connectionString: String($0), maximumConnections: Int(setting("SF_POOL") ?? "") ?? 10,
                          applicationName: "steadfast-test-worker")
}
let worker = shards.isEmpty
    ? Worker(database: database, configuration: configuration, logger: Logger(label: "test-worker"))
    : Worker(shards: shards, configuration: configuration, logger: Logger(label: "test-worker"))
worker.register(EffectsWorkflow(effects: effects, holdStep: setting("SF_HOLD_STEP"),
                                holdSeconds: Double(setting("SF_HOLD_SECONDS") ?? "") ?? 600,
                                sleepSeconds: setting("SF_SLEEP_SECONDS").flatMap(Double.init)))
worker.register(FanInWorkflow(effects: effects))
worker.register(DashOrder())
worker.register(DashSlow())
worker.register(InboxWorkflow())
worker.register(PatientWorkflow(effects: effects, holdStep: setting("SF_HOLD_STEP"),
                                holdSeconds: Double(setting("SF_HOLD_SECONDS") ?? "") ?? 600))
if let txTable = setting("SF_TX_TABLE") {
    worker.register(TxWorkflow(table: txTable))
}
if setting("SF_CHAOS") == "1" {
    worker.register(ChaosWorkflow(effects: effects, stepMilliseconds: Int(setting("SF_CHAOS_STEP_MS") ?? "") ?? 200,
                                  freezeDirectory: setting("SF_CHAOS_DIR"),
                                  effectsFile: setting("SF_CHAOS_DIR").map {
                                      open("\($0)/effects-\(getpid()).tsv", O_WRONLY | O_APPEND | O_CREAT, 0o644)
                                  }))
    worker.register(ChaosChild(effects: effects, stepMilliseconds: Int(setting("SF_CHAOS_STEP_MS") ?? "") ?? 200))
}
FileHandle.standardOutput.write(Data("ready \(worker.executorID)\n".utf8))
let group = ServiceGroup(services: [worker], gracefulShutdownSignals: [.sigterm], logger: Logger(label: "test-worker"))
try await group.run()
