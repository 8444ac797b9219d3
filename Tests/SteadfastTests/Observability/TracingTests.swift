import Foundation
import SteadfastTesting
import Testing
import Tracing

@testable import Steadfast

/// Three steps; `s3` fails until `failUntilAttempt` (a workflow retry), so a test controls the
/// executions.
struct Traced: Workflow {
    func run(_ input: Int, context: WorkflowContext) async throws -> Int {
        let a: Int = try await context.step("s1") { input + 1 }
        let b: Int = try await context.step("s2") { a + 1 }
        return try await context.step("s3") { b + 1 }
    }
}

/// Starts a `Traced` child and returns its output: the parent waits for it.
struct TracedParent: Workflow {
    struct Input: Codable, Sendable { var queue: String }
    func run(_ input: Input, context: WorkflowContext) async throws -> Int {
        let before: Int = try await context.step("before") { 1 }
        return try await context.run(Traced.self, before, options: StartOptions(queue: input.queue), name: "child")
    }
}

/// A step, a durable sleep, a message to itself received, an event set, a step: every kind of
/// recorded call, across two executions.
struct TracedWaits: Workflow {
    func run(_ input: Int, context: WorkflowContext) async throws -> Int {
        let a: Int = try await context.step("a") { input }
        try await context.sleep(for: .milliseconds(200))
        try await context.send(to: context.workflowID, a + 1)
        let received: Int = try await context.receive(Int.self) ?? 0
        try await context.setEvent("done", received)
        return try await context.step("b") { received + 1 }
    }
}

@Suite("Tracing: spans per execution and step, one trace across crashes, children and SQL starts", .serialized)
struct TracingTests {
    let tracer = TestTracer()
    var observability: Observability { Observability(tracer: tracer) }

    /// Waits until the execution that completed a `name` workflow has ended its span: the
    /// result is visible when the completion commits, a moment before the execution returns,
    /// and stopping the worker in that moment would end it as interrupted.
    func settled(_ name: String) async throws {
        try await waitUntil(timeout: .seconds(30)) {
            tracer.spans(named: "RunWorkflow \(name)").contains { $0[TraceAttribute.outcome] == "succeeded" }
        }
    }

    func worker(_ fixture: EngineFixture, _ register: (Worker) -> Void) -> Task<Void, any Error> {
        var configuration = Worker.Configuration(queues: [fixture.queue], pollInterval: .milliseconds(100))
        configuration.observability = observability
        let worker = Worker(database: fixture.configuration, configuration: configuration, logger: TestDatabase.logger)
        register(worker)
        return Task { try await worker.run() }
    }

    @Test("crashed after step 2 and recovered by another worker: one trace, both executions under the start's span, steps 1–2 replayed by the second")
    func crashAndRecovery() async throws {
        let fixture = try await EngineFixture()
        let client = try await Client.connect(fixture.configuration, logger: TestDatabase.logger, observability: observability)
        let handle = try await client.start(Traced.self, 10, options: StartOptions(queue: fixture.queue))
        let start = try #require(tracer.spans(named: "StartWorkflow Traced").first)
        #expect(start[TraceAttribute.workflowID] == handle.id)
        let stored = try await fixture.pool.query("select traceparent from steadfast.workflows where id = $1", [handle.id])
        #expect(try stored[0].value("traceparent") == "00-\(start.traceID)-\(start.spanID)-01",
                "the start's span context is stored with the workflow")

        // The first execution crashes once step 2 is recorded, and its session dies.
        let ghost = try await fixture.ghostExecutor()
        let claimed = try #require(try await ghost.claim().first)
        let registry = WorkflowRegistry()
        registry.register(Traced())
        let engine = Engine(pool: fixture.pool, logger: TestDatabase.logger, telemetry: Telemetry(observability))
        let first = WorkflowExecution(claimed: claimed, runner: registry.runner(for: Traced.name)!, engine: engine,
                                      executor: ghost.executorSession, logger: TestDatabase.logger,
                                      hooks: WorkflowContext.Hooks(crashAfterSteps: 2))
        #expect(await first.run() == .interrupted)
        try await ghost.crash()

        // Another worker recovers it.
        let task = worker(fixture) { $0.register(Traced()) }
        #expect(try await handle.result(timeout: .seconds(60)) == 13)
        try await settled("Traced")
        task.cancel()
        _ = try? await task.value

        let executions = tracer.spans(named: "RunWorkflow Traced")
        try #require(executions.count == 2)
        for execution in executions {
            #expect(execution.traceID == start.traceID, "every execution is in the starter's trace")
            #expect(execution.parentSpanID == start.spanID, "each execution is a child of the start's span")
            #expect(execution[TraceAttribute.workflowID] == handle.id)
            #expect(execution[TraceAttribute.queue] == fixture.queue)
        }
        #expect(executions.map { $0[TraceAttribute.attempt] } == ["1", "2"])
        #expect(executions.map { $0[TraceAttribute.recovery] } == ["false", "true"])
        #expect(executions.map { $0[TraceAttribute.outcome] } == ["interrupted", "succeeded"])

        let steps = tracer.spans.filter { $0.name.hasPrefix("Step ") }
        #expect(steps.allSatisfy { $0.traceID == start.traceID }, "steps are in the same trace")
        let firstSteps = steps.filter { $0.parentSpanID == executions[0].spanID }
        let secondSteps = steps.filter { $0.parentSpanID == executions[1].spanID }
        #expect(firstSteps.map(\.name) == ["Step s1", "Step s2"])
        #expect(firstSteps.map { $0[TraceAttribute.replayed] } == ["false", "false"])
        #expect(firstSteps.map { $0[TraceAttribute.stepRuns] } == ["1", "1"])
        #expect(secondSteps.map(\.name) == ["Step s1", "Step s2", "Step s3"])
        #expect(secondSteps.map { $0[TraceAttribute.replayed] } == ["true", "true", "false"],
                "the second execution replays steps 1–2 and runs step 3")
        #expect(secondSteps.map { $0[TraceAttribute.stepAttempt] } == ["1", "1", "2"],
                "a replayed step says which attempt recorded it")
        #expect(secondSteps.allSatisfy { $0[TraceAttribute.outcome] == "succeeded" })
        await client.close()
        await fixture.close()
    }

    @Test("kill -9 after step 2, recovered by another worker process: one trace; the survivor replays steps 1–2 under its execution's span and runs step 3")
    func killNine() async throws {
        let fixture = try await EngineFixture()
        let table = try await fixture.makeEffectsTable()
        let client = try await Client.connect(fixture.configuration, logger: TestDatabase.logger, observability: observability)
        let handle = try await client.start(EffectsWorkflow.self, EffectsInput(n: 1), options: StartOptions(queue: fixture.queue))
        let start = try #require(tracer.spans(named: "StartWorkflow EffectsWorkflow").first)
        let files = (0..<2).map { _ in FileManager.default.temporaryDirectory.appendingPathComponent("steadfast-trace-\(UUID().uuidString).jsonl") }

        // The first worker records s1 and s2 and is killed inside s3.
        let first = try await WorkerProcess(environment: [
            "SF_EFFECTS_TABLE": table, "SF_QUEUE": fixture.queue, "SF_HOLD_STEP": "s3", "SF_TRACE_FILE": files[0].path,
        ])
        try await waitUntil(timeout: .seconds(30)) { try await fixture.effects(in: table)[handle.id]?["s3"] == 1 }
        first.signal(SIGKILL)
        _ = await first.waitForExit()
        let second = try await WorkerProcess(environment: [
            "SF_EFFECTS_TABLE": table, "SF_QUEUE": fixture.queue, "SF_POLL_MS": "100", "SF_TRACE_FILE": files[1].path,
        ])
        #expect(try await handle.result(timeout: .seconds(30)) == "done 1")
        second.signal(SIGTERM)
        #expect(await second.waitForExit())

        func spans(_ file: URL) throws -> [TestTracer.FinishedSpan] {
            try String(contentsOf: file, encoding: .utf8).split(separator: "\n").map {
                try JSONDecoder().decode(TestTracer.FinishedSpan.self, from: Data($0.utf8))
            }
        }
        let killed = try spans(files[0])
        #expect(killed.map(\.name) == ["Step s1", "Step s2"], "the steps that ended before the kill")
        #expect(killed.allSatisfy { $0.traceID == start.traceID && $0[TraceAttribute.replayed] == "false" })
        let survivor = try spans(files[1])
        let run = try #require(survivor.first { $0.name == "RunWorkflow EffectsWorkflow" })
        #expect(run.traceID == start.traceID, "the recovering execution is in the starter's trace")
        #expect(run.parentSpanID == start.spanID)
        #expect(run[TraceAttribute.recovery] == "true")
        #expect(run[TraceAttribute.attempt] == "2")
        let steps = survivor.filter { $0.parentSpanID == run.spanID }
        #expect(steps.map(\.name) == ["Step s1", "Step s2", "Step s3"])
        #expect(steps.map { $0[TraceAttribute.replayed] } == ["true", "true", "false"])
        #expect(steps.allSatisfy { $0.traceID == start.traceID })
        for file in files { try? FileManager.default.removeItem(at: file) }
        await client.close()
        await fixture.close()
    }

    @Test("a sleep, a send, a receive and an event are steps with spans too: run in the first execution, replayed in the second")
    func waitsAreSteps() async throws {
        let fixture = try await EngineFixture()
        let client = try await Client.connect(fixture.configuration, logger: TestDatabase.logger, observability: observability)
        let task = worker(fixture) { $0.register(TracedWaits()) }
        let handle = try await client.start(TracedWaits.self, 1, options: StartOptions(queue: fixture.queue))
        #expect(try await handle.result(timeout: .seconds(60)) == 3)
        try await settled("TracedWaits")
        task.cancel()
        _ = try? await task.value

        let runs = tracer.spans(named: "RunWorkflow TracedWaits")
        try #require(runs.count == 2, "the sleep ended the first execution")
        #expect(runs.map { $0[TraceAttribute.outcome] } == ["waiting", "succeeded"])
        let first = tracer.spans.filter { $0.parentSpanID == runs[0].spanID }
        #expect(first.map(\.name) == ["Step a", "Step sleep"])
        #expect(first.map { $0[TraceAttribute.replayed] } == ["false", "false"])
        let second = tracer.spans.filter { $0.parentSpanID == runs[1].spanID }
        #expect(second.map(\.name) == ["Step a", "Step sleep", "Step send", "Step receive", "Step event:done", "Step b"])
        #expect(second.map { $0[TraceAttribute.replayed] } == ["true", "true", "false", "false", "false", "false"])
        #expect(tracer.spans.allSatisfy { $0.traceID == runs[0].traceID })
        await client.close()
        await fixture.close()
    }

    @Test("a child's executions are in its parent's trace, under the span of the step that started it")
    func childInParentsTrace() async throws {
        let fixture = try await EngineFixture()
        let client = try await Client.connect(fixture.configuration, logger: TestDatabase.logger, observability: observability)
        let task = worker(fixture) { $0.register(TracedParent()); $0.register(Traced()) }
        let handle = try await client.start(TracedParent.self, .init(queue: fixture.queue), options: StartOptions(queue: fixture.queue))
        #expect(try await handle.result(timeout: .seconds(60)) == 4)
        try await settled("TracedParent")
        task.cancel()
        _ = try? await task.value

        let start = try #require(tracer.spans(named: "StartWorkflow TracedParent").first)
        let parentRuns = tracer.spans(named: "RunWorkflow TracedParent")
        #expect(parentRuns.count >= 1)
        #expect(parentRuns.allSatisfy { $0.traceID == start.traceID && $0.parentSpanID == start.spanID })
        let childStart = try #require(tracer.spans(named: "Step child").first { $0[TraceAttribute.replayed] == "false" })
        #expect(childStart[TraceAttribute.childWorkflowID] == "\(handle.id)/child")
        let childRuns = tracer.spans(named: "RunWorkflow Traced")
        try #require(childRuns.count == 1)
        #expect(childRuns[0].traceID == start.traceID, "the child is in its parent's trace")
        #expect(childRuns[0].parentSpanID == childStart.spanID, "under the span of the step that started it")
        let childSteps = tracer.spans.filter { $0.parentSpanID == childRuns[0].spanID }
        #expect(childSteps.map(\.name) == ["Step s1", "Step s2", "Step s3"])
        await client.close()
        await fixture.close()
    }

    @Test("a workflow started from SQL with a traceparent joins that trace; its tracestate reaches the children it starts")
    func traceparentFromSQL() async throws {
        let fixture = try await EngineFixture()
        let traceID = "4bf92f3577b34da6a3ce929d0e0e4736"
        let spanID = "00f067aa0ba902b7"
        let id = "from-sql-\(fixture.queue)"
        let options = #"{"queue": "\#(fixture.queue)", "traceparent": "00-\#(traceID)-\#(spanID)-01", "tracestate": "congo=t61rcWkgMzE"}"#
        _ = try await fixture.pool.query("select steadfast.start_workflow($1, 'TracedParent', $2::jsonb, $3::jsonb)",
                                         [id, #"{"queue": "\#(fixture.queue)"}"#, options])
        let task = worker(fixture) { $0.register(TracedParent()); $0.register(Traced()) }
        let client = try await fixture.client()
        #expect(try await client.handle(TracedParent.self, id: id).result(timeout: .seconds(60)) == 4)
        try await settled("TracedParent")
        task.cancel()
        _ = try? await task.value

        let runs = tracer.spans(named: "RunWorkflow TracedParent")
        #expect(!runs.isEmpty)
        #expect(runs.allSatisfy { $0.traceID == traceID && $0.parentSpanID == spanID },
                "every execution is a child of the SQL caller's span")
        let childStart = try #require(tracer.spans(named: "Step child").first { $0[TraceAttribute.replayed] == "false" })
        let child = try await fixture.pool.query("select traceparent, tracestate from steadfast.workflows where id = $1",
                                                 ["\(id)/child"])
        #expect(try child[0].value("traceparent") == "00-\(traceID)-\(childStart.spanID)-01")
        #expect(try child[0].value("tracestate") == "congo=t61rcWkgMzE", "the vendor state travels down the trace")
        #expect(tracer.spans(named: "RunWorkflow Traced").allSatisfy { $0.traceID == traceID })
        await client.close()
        await fixture.close()
    }

    @Test("without a tracer (nothing bootstrapped), nothing is stored and no span is made")
    func tracingOff() async throws {
        let fixture = try await EngineFixture()
        let client = try await fixture.client()
        let handle = try await client.start(Traced.self, 1, options: StartOptions(queue: fixture.queue))
        let stored = try await fixture.pool.query("select traceparent from steadfast.workflows where id = $1", [handle.id])
        #expect(try stored[0].value("traceparent") == nil)
        #expect(tracer.spans.isEmpty)
        await client.close()
        await fixture.close()
    }
}
