import Foundation
import Synchronization
import Testing

@testable import Steadfast

/// Counts how often each step body ran in this process.
final class Runs: Sendable {
    private let counts = Mutex<[String: Int]>([:])
    func hit(_ key: String) { counts.withLock { $0[key, default: 0] += 1 } }
    func count(_ key: String) -> Int { counts.withLock { $0[key] ?? 0 } }
}

struct TwoSteps: Workflow {
    struct Input: Codable, Sendable { var x: Int }
    let runs: Runs
    func run(_ input: Input, context: WorkflowContext) async throws -> Int {
        let a: Int = try await context.step("a") { runs.hit("a"); return input.x + 1 }
        let b: Int = try await context.step("b") { runs.hit("b"); return a * 10 }
        return b
    }
}

struct ParallelSteps: Workflow {
    struct Input: Codable, Sendable {}
    let runs: Runs
    /// x finishes only once y has started (when y runs at all), so the two overlap whatever the
    /// scheduling.
    let yStarted = Gate()
    func run(_ input: Input, context: WorkflowContext) async throws -> String {
        async let x: String = context.step("x") {
            runs.hit("x")
            try await Task.sleep(for: .milliseconds(20))
            if runs.count("y") == 0 && context.attempt == 1 { await yStarted.pass() }
            return "x"
        }
        async let y: String = context.step("y") { runs.hit("y"); yStarted.release(); return "y" }
        let both = try await x + y
        let z: String = try await context.step("z") { runs.hit("z"); return both + "z" }
        return z
    }
}

/// Version 2 of a workflow whose record says a, ship: it now calls a, refund.
struct ChangedCode: Workflow {
    static var name: String { "Shipping" }
    struct Input: Codable, Sendable {}
    let runs: Runs
    func run(_ input: Input, context: WorkflowContext) async throws -> String {
        try await context.step("a") { runs.hit("a") }
        try await context.step("refund") { runs.hit("refund") }
        return "done"
    }
}

struct FailingStep: Workflow {
    struct Input: Codable, Sendable {}
    struct Boom: Error {}
    let runs: Runs
    func run(_ input: Input, context: WorkflowContext) async throws -> String {
        do {
            try await context.step("flaky", retry: .fixed(maxAttempts: 3, delay: .milliseconds(1))) {
                runs.hit("flaky")
                throw Boom()
            }
        } catch let error as StepFailedError {
            return "caught \(error.step)"
        }
        return "unreachable"
    }
}

@Suite("Workflow replay", .serialized)
struct ReplayTests {
    @Test("a reclaimed workflow replays its recorded steps without running them")
    func replayAfterCrash() async throws {
        let fixture = try await EngineFixture()
        let ghost = try await fixture.ghostExecutor()
        let client = try await fixture.client()
        let handle = try await client.start(TwoSteps.self, .init(x: 4), options: StartOptions(queue: fixture.queue))
        // The first execution claims it, records step a, and dies.
        let claimed = try await ghost.claim()
        #expect(claimed.map(\.id) == [handle.id])
        try await fixture.engine.recordStep(StepRecord(workflowID: handle.id, attempt: 1, name: "a", occurrence: 1,
                                                       outputJSON: "5", error: nil, startedAt: Date(), runs: 1, parallel: false))
        try await ghost.crash()

        let runs = Runs()
        let (_, task) = fixture.startWorker { $0.register(TwoSteps(runs: runs)) }
        let output = try await handle.result(timeout: .seconds(60))
        task.cancel()
        _ = try? await task.value

        #expect(output == 50)
        #expect(runs.count("a") == 0, "the recorded step did not run again")
        #expect(runs.count("b") == 1)
        let record = try await client.workflow(handle.id)
        #expect(record.status == .succeeded)
        #expect(record.attempt == 2)
        #expect(record.steps.map(\.key) == ["a", "b"])
        await client.close()
        await fixture.close()
    }

    @Test("steps started with async let replay correctly in any order")
    func parallelReplay() async throws {
        let fixture = try await EngineFixture()
        let ghost = try await fixture.ghostExecutor()
        let client = try await fixture.client()
        let handle = try await client.start(ParallelSteps.self, .init(), options: StartOptions(queue: fixture.queue))
        _ = try await ghost.claim()
        // Only the second of the parallel pair was recorded before the crash.
        try await fixture.engine.recordStep(StepRecord(workflowID: handle.id, attempt: 1, name: "y", occurrence: 1,
                                                       outputJSON: "\"y\"", error: nil, startedAt: Date(), runs: 1, parallel: true))
        try await ghost.crash()

        let runs = Runs()
        let (_, task) = fixture.startWorker { $0.register(ParallelSteps(runs: runs)) }
        let output = try await handle.result(timeout: .seconds(60))
        task.cancel()
        _ = try? await task.value
        #expect(output == "xyz")
        #expect(runs.count("x") == 1)
        #expect(runs.count("y") == 0)
        #expect(runs.count("z") == 1)
        await client.close()
        await fixture.close()
    }

    @Test("parallel steps recorded in a first run are flagged and the workflow completes")
    func parallelFirstRun() async throws {
        let fixture = try await EngineFixture()
        let client = try await fixture.client()
        let runs = Runs()
        let (_, task) = fixture.startWorker { $0.register(ParallelSteps(runs: runs)) }
        let handle = try await client.start(ParallelSteps.self, .init(), options: StartOptions(queue: fixture.queue))
        #expect(try await handle.result(timeout: .seconds(60)) == "xyz")
        task.cancel()
        _ = try? await task.value
        let rows = try await fixture.pool.query("select step_key, parallel from steadfast.steps where workflow_id = $1 order by step_key", [handle.id])
        let flags = try Dictionary(uniqueKeysWithValues: rows.map { (try $0.string("step_key"), try $0.bool("parallel")) })
        #expect(flags == ["x": true, "y": true, "z": false])
        await client.close()
        await fixture.close()
    }

    @Test("a replay whose steps differ from the record fails with a non-determinism error before running the new step")
    func nonDeterminism() async throws {
        let fixture = try await EngineFixture()
        let ghost = try await fixture.ghostExecutor()
        let client = try await fixture.client()
        let handle = try await client.start(ChangedCode.self, .init(), options: StartOptions(queue: fixture.queue))
        _ = try await ghost.claim()
        for name in ["a", "ship"] {
            try await fixture.engine.recordStep(StepRecord(workflowID: handle.id, attempt: 1, name: name, occurrence: 1,
                                                           outputJSON: "null", error: nil, startedAt: Date(), runs: 1, parallel: false))
        }
        try await ghost.crash()

        let runs = Runs()
        let (_, task) = fixture.startWorker { $0.register(ChangedCode(runs: runs)) }
        do {
            _ = try await handle.result(timeout: .seconds(60))
            Issue.record("the changed workflow should have failed")
        } catch let error as WorkflowFailedError {
            #expect(error.status == .failed)
            #expect(error.error?.type == "NonDeterminism")
            #expect(error.error?.message.contains("refund") == true)
            #expect(error.error?.message.contains("ship") == true)
        }
        task.cancel()
        _ = try? await task.value
        #expect(runs.count("a") == 0)
        #expect(runs.count("refund") == 0, "the new step never ran")
        await client.close()
        await fixture.close()
    }

    @Test("a step retries, then records its failure; a caught failure lets the workflow go on")
    func stepRetriesThenFails() async throws {
        let fixture = try await EngineFixture()
        let client = try await fixture.client()
        let runs = Runs()
        let (_, task) = fixture.startWorker { $0.register(FailingStep(runs: runs)) }
        let handle = try await client.start(FailingStep.self, .init(), options: StartOptions(queue: fixture.queue))
        #expect(try await handle.result(timeout: .seconds(60)) == "caught flaky")
        task.cancel()
        _ = try? await task.value
        #expect(runs.count("flaky") == 3)
        let record = try await client.workflow(handle.id)
        #expect(record.steps.count == 1)
        #expect(record.steps.first?.error?.type.hasSuffix("Boom") == true)
        await client.close()
        await fixture.close()
    }
}
