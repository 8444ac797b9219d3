import Foundation
import Logging
import Synchronization
import Testing

@testable import Steadfast

/// Keeps every record logged through it.
final class CapturedLogs: Sendable {
    struct Record: Sendable {
        var level: Logger.Level
        var message: String
        var metadata: [String: String]
    }
    private let records = Mutex<[Record]>([])
    var all: [Record] { records.withLock { $0 } }
    func append(_ record: Record) { records.withLock { $0.append(record) } }

    /// A logger whose records land here.
    func logger() -> Logger {
        Logger(label: "steadfast.test") { _ in Handler(logs: self) }
    }

    struct Handler: LogHandler {
        let logs: CapturedLogs
        var metadata: Logger.Metadata = [:]
        var logLevel: Logger.Level = .trace
        subscript(metadataKey key: String) -> Logger.Metadata.Value? {
            get { metadata[key] }
            set { metadata[key] = newValue }
        }
        func log(event: LogEvent) {
            let merged = metadata.merging(event.metadata ?? [:]) { _, new in new }
            logs.append(Record(level: event.level, message: "\(event.message)", metadata: merged.mapValues { "\($0)" }))
        }
    }
}

/// A step that always fails, with no retry.
struct StepAlwaysFails: Workflow {
    struct Broken: Error, CustomStringConvertible { var description: String { "broken" } }
    func run(_ input: Int, context: WorkflowContext) async throws -> Int {
        try await context.step("break") { throw Broken() }
        return input
    }
}

/// Logs at the level a reader acts on, with the same metadata keys everywhere: `workflow_id`,
/// `workflow`, `attempt`, `executor`, and `step` for a step's.
@Suite("Worker logs", .serialized)
struct LoggingTests {
    @Test("failures are warnings and errors with workflow_id, workflow, attempt, executor (and step); a cancellation is logged as one")
    func levelsAndKeys() async throws {
        let fixture = try await EngineFixture()
        let logs = CapturedLogs()
        let runs = Runs()
        let worker = Worker(database: fixture.configuration,
                            configuration: Worker.Configuration(queues: [fixture.queue], pollInterval: .milliseconds(100)),
                            logger: logs.logger())
        worker.register(StepAlwaysFails())
        worker.register(Endless(runs: runs))
        let task = Task { try await worker.run() }
        let client = try await fixture.client()

        let failing = try await client.start(StepAlwaysFails.self, 1, options: StartOptions(queue: fixture.queue))
        _ = try? await failing.result(timeout: .seconds(60))
        let endless = try await client.start(Endless.self, 1, options: StartOptions(queue: fixture.queue))
        try await waitUntil(timeout: .seconds(30)) { runs.count("started") == 1 }
        try await client.cancel(endless.id)
        try await waitUntil(timeout: .seconds(30)) { runs.count("cancelled") == 1 }
        // The cancelled execution has ended (its slot is free): everything it logs, it has logged.
        try await waitUntil(timeout: .seconds(30)) { worker.inFlight == 0 }

        let failed = logs.all.first { $0.message == "workflow failed" }
        #expect(failed?.level == .error)
        #expect(failed?.metadata["workflow_id"] == failing.id && failed?.metadata["workflow"] == "StepAlwaysFails"
                && failed?.metadata["attempt"] == "1" && failed?.metadata["executor"] == worker.executorID)
        let step = logs.all.first { $0.message == "step failed" }
        #expect(step?.level == .warning && step?.metadata["step"] == "break" && step?.metadata["workflow_id"] == failing.id)
        let forEndless = logs.all.filter { $0.metadata["workflow_id"] == endless.id }
        #expect(forEndless.contains { $0.message == "workflow cancelled: its code was stopped" && $0.level == .notice })
        #expect(!forEndless.contains { $0.message.contains("shutdown") }, "a cancellation is not a shutdown")
        #expect(logs.all.allSatisfy { $0.metadata["executor_id"] == nil }, "one key for the executor: executor")

        task.cancel()
        try? await task.value
        await client.close()
        await fixture.close()
    }
}

@Suite("A start nobody can run is loud")
struct StrandedStartTests {
    @Test("starting a workflow no live worker can run logs a warning with the reason, once per name and queue in 30 s; a runnable one does not")
    func warns() async throws {
        let fixture = try await EngineFixture()
        let logs = CapturedLogs()
        let client = try await Client.connect(fixture.configuration, logger: logs.logger())
        _ = try await client.start(Traced.self, 1, options: StartOptions(queue: fixture.queue))
        _ = try await client.start(Traced.self, 2, options: StartOptions(queue: fixture.queue))
        let warnings = logs.all.filter { $0.level == .warning && $0.message.contains("no live worker") }
        #expect(warnings.count == 1, "once, not per start")
        #expect(warnings.first?.metadata["workflow"] == "Traced")
        #expect(warnings.first?.metadata["reason"]?.hasPrefix("no live executor") == true)

        let (_, task) = fixture.startWorker { $0.register(CompatibleWorkflow()) }
        try await waitUntil(timeout: .seconds(30)) { try await client.executors().contains { $0.queues == [fixture.queue] } }
        _ = try await client.start(CompatibleWorkflow.self, 1, options: StartOptions(queue: fixture.queue)).result(timeout: .seconds(60))
        #expect(logs.all.filter { $0.message.contains("no live worker") }.count == 1,
                "a name a live worker runs: no warning")
        task.cancel()
        _ = try? await task.value
        await client.close()
        await fixture.close()
    }
}
