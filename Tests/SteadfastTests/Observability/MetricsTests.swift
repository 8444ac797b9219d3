import Foundation
import MetricsTestKit
import Testing

@testable import Steadfast

/// Fails in its only step, for good.
struct FailsForGood: Workflow {
    func run(_ input: Int, context: WorkflowContext) async throws -> Int {
        try await context.step("boom") { () async throws -> Int in throw SteadfastError(.invalidArgument, message: "boom") }
    }
}

/// Fails in its first execution (a workflow retry follows), succeeds in the second.
struct FailsOnce: Workflow {
    func run(_ input: Int, context: WorkflowContext) async throws -> Int {
        if context.attempt == 1 { throw SteadfastError(.invalidArgument, message: "first attempt fails") }
        return try await context.step("ok") { input }
    }
}

/// Sleeps in a step until cancelled.
struct Blocks: Workflow {
    func run(_ input: Int, context: WorkflowContext) async throws -> Int {
        try await context.step("block") { () async throws -> Int in
            try await Task.sleep(for: .seconds(3600))
            return input
        }
    }
}

@Suite("Metrics: counters, timers, histograms and gauges for a known workload", .serialized)
struct MetricsTests {
    let metrics = TestMetrics()

    @Test("a workload of successes, a failure, a retry, a recovery and a cancellation, counted exactly; schedule-to-start measured from enqueued to claimed")
    func knownWorkload() async throws {
        let fixture = try await EngineFixture()
        let observability = Observability(metricsFactory: metrics)
        let client = try await Client.connect(fixture.configuration, logger: TestDatabase.logger, observability: observability)
        let queue = fixture.queue
        let byTraced = [("workflow", "Traced"), ("queue", queue)]

        // One workflow is claimed by an executor that crashes: the worker will recover it.
        let recovered = try await client.start(Traced.self, 0, options: StartOptions(queue: queue))
        let ghost = try await fixture.ghostExecutor()
        #expect(try await ghost.claim().map(\.id) == [recovered.id])
        try await ghost.crash()

        var handles = [recovered]
        for n in 1...5 {
            handles.append(try await client.start(Traced.self, n, options: StartOptions(queue: queue)))
        }
        let failing = try await client.start(FailsForGood.self, 0, options: StartOptions(queue: queue))
        let flaky = try await client.start(FailsOnce.self, 7, options: StartOptions(
            queue: queue, retry: .fixed(maxAttempts: 2, delay: .milliseconds(10))))
        var configuration = Worker.Configuration(queues: [queue], concurrency: 10, pollInterval: .milliseconds(100))
        configuration.observability = observability
        let worker = Worker(database: fixture.configuration, configuration: configuration, logger: TestDatabase.logger)
        for workflow in [Traced(), FailsForGood(), FailsOnce(), Blocks()] as [any Workflow] { register(workflow, on: worker) }
        let task = Task { try await worker.run() }
        for (n, handle) in handles.enumerated() { #expect(try await handle.result(timeout: .seconds(60)) == n + 3) }
        _ = try? await failing.result(timeout: .seconds(60))
        #expect(try await flaky.result(timeout: .seconds(60)) == 7)

        let blocked = try await client.start(Blocks.self, 1, options: StartOptions(queue: queue))
        try await waitUntil(timeout: .seconds(30)) { try await client.workflow(blocked.id).status == .running }
        _ = try await client.cancel(blocked.id)
        try await waitUntil(timeout: .seconds(30)) {
            (try? metrics.expectCounter(Metric.workflowsCancelled, [("workflow", "Blocks"), ("queue", queue)]).totalValue) == 1
        }
        try await waitUntil(timeout: .seconds(30)) { worker.inFlight == 0 }
        task.cancel()
        _ = try? await task.value

        func total(_ label: String, _ workflow: String) throws -> Int64 {
            try metrics.expectCounter(label, [("workflow", workflow), ("queue", queue)]).totalValue
        }
        #expect(try total(Metric.workflowsStarted, "Traced") == 6)
        #expect(try total(Metric.workflowsStarted, "FailsForGood") == 1)
        #expect(try total(Metric.workflowsStarted, "FailsOnce") == 1)
        #expect(try total(Metric.workflowsStarted, "Blocks") == 1)
        #expect(try total(Metric.executionsStarted, "Traced") == 6)
        #expect(try total(Metric.executionsStarted, "FailsOnce") == 2)
        #expect(try total(Metric.recoveries, "Traced") == 1)
        #expect(metrics.counters(label: Metric.recoveries).filter { $0.totalValue > 0 }.count == 1,
                "only the crashed one was recovered (the others' counters exist, at 0)")
        #expect(try total(Metric.workflowsSucceeded, "Traced") == 6)
        #expect(try total(Metric.workflowsSucceeded, "FailsOnce") == 1)
        #expect(try total(Metric.workflowsFailed, "FailsForGood") == 1)
        #expect(try total(Metric.workflowRetries, "FailsOnce") == 1)
        #expect(metrics.counters(label: Metric.workflowsFailed).filter { $0.totalValue > 0 }.count == 1, "no other failure")
        #expect(try total(Metric.workflowsCancelled, "Blocks") == 1)

        // Schedule-to-start: one value per execution that is not a recovery — the five started
        // before the worker — each the time from enqueued to claimed, as the engine recorded it.
        let waits = try metrics.expectTimer(Metric.scheduleToStart, byTraced).values.map { Double($0) / 1e9 }.sorted()
        let recorded = try await fixture.pool.query(
            "select extract(epoch from started_at - available_at)::float8 as s from steadfast.workflows where id = any($1::text[]) order by 1",
            ["{" + handles.dropFirst().map(\.id).joined(separator: ",") + "}"]).map { try $0.double("s") }
        #expect(waits.count == 5 && recorded.count == 5)
        #expect(zip(waits, recorded).allSatisfy { abs($0 - $1) < 1e-5 } && waits.allSatisfy { $0 > 0 },
                "measured \(waits), enqueued to claimed \(recorded)")

        let s1 = try metrics.expectTimer(Metric.stepDuration, [("workflow", "Traced"), ("queue", queue), ("step", "s1"), ("outcome", "succeeded")])
        #expect(s1.values.count == 6)
        let boom = try metrics.expectTimer(Metric.stepDuration, [("workflow", "FailsForGood"), ("queue", queue), ("step", "boom"), ("outcome", "failed")])
        #expect(boom.values.count == 1)

        let claims = try metrics.expectRecorder(Metric.claimBatchSize).values
        #expect(claims.reduce(0, +) == 10, "every execution came from a claim: 6 + 1 + 2 + 1")
        let checkpoints = try metrics.expectRecorder(Metric.checkpointBatchSize).values
        #expect(!checkpoints.isEmpty && checkpoints.allSatisfy { $0 >= 1 })
        #expect(try metrics.expectGauge(Metric.slotsUsed).lastValue == 0)
        #expect(try metrics.expectGauge(Metric.slotsAvailable).lastValue == 10)
        #expect(try metrics.expectGauge(Metric.slotsUsed).values.max() ?? 0 >= 1)
        await client.close()
        await fixture.close()
    }

    @Test("an execution whose workflow was taken over is counted as fenced")
    func fenced() async throws {
        let fixture = try await EngineFixture()
        let client = try await fixture.client()
        let handle = try await client.start(Traced.self, 1, options: StartOptions(queue: fixture.queue))
        let zombie = try await fixture.ghostExecutor()
        let stale = try #require(try await zombie.claim().first)
        try await zombie.crash()
        let successor = try await fixture.ghostExecutor()
        #expect(try await successor.claim().first?.attempt == 2)

        let registry = WorkflowRegistry()
        registry.register(Traced())
        let engine = Engine(pool: fixture.pool, logger: TestDatabase.logger,
                            telemetry: Telemetry(Observability(metricsFactory: metrics)))
        let execution = WorkflowExecution(claimed: stale, runner: registry.runner(for: Traced.name)!, engine: engine,
                                          executor: zombie.executorSession, logger: TestDatabase.logger)
        #expect(await execution.run() == .abandoned)
        #expect(try metrics.expectCounter(Metric.fencedWrites, [("workflow", "Traced")]).totalValue == 1)
        #expect(try await client.workflow(handle.id).attempt == 2, "the successor's claim stands")
        await client.close()
        await fixture.close()
    }

    private func register(_ workflow: any Workflow, on worker: Worker) {
        func open<W: Workflow>(_ workflow: W) { worker.register(workflow) }
        open(workflow)
    }
}
