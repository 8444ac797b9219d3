import Foundation
import Synchronization
import Testing

@testable import Steadfast

/// A workflow whose code throws after its step: a failure for good (no retry policy).
struct FailsAfterStep: Workflow {
    struct Input: Codable, Sendable { var n: Int }
    func run(_ input: Input, context: WorkflowContext) async throws -> Int {
        _ = try await context.step("a") { input.n }
        throw SteadfastError(.invalidArgument, message: "no \(input.n)")
    }
}

/// `Worker.start`: start a workflow and run it in this process at once (start-and-claim), or
/// enqueue it when the worker cannot.
@Suite("Run here: Worker.start", .serialized)
struct StartHereTests {
    @Test("a running worker starts and runs the workflow here: claimed by its executor in the start call, result without a notification")
    func runsHere() async throws {
        let fixture = try await EngineFixture()
        let runs = Runs()
        let (worker, task) = fixture.startWorker({ $0.register(TwoSteps(runs: runs)) }, poll: .seconds(60))
        try await waitUntil(timeout: .seconds(30)) { worker.running.withLock { $0 != nil } }
        let listenersBefore = try await Self.resultListeners(fixture)

        let handle = try await worker.start(TwoSteps.self, .init(x: 4), options: StartOptions(id: TestDatabase.uniqueName("here"),
                                                                                             queue: fixture.queue))
        #expect(handle.runsHere && handle.created)
        #expect(try await handle.result() == 50)
        #expect(runs.count("a") == 1 && runs.count("b") == 1)
        let record = try await fixture.engine.workflow(id: handle.id)
        #expect(record.status == .succeeded && record.attempt == 1)
        #expect(try await Self.resultListeners(fixture) == listenersBefore, "the result came from the execution, not a LISTEN")
        let steps = try await fixture.pool.query("select step_key from steadfast.steps where workflow_id = $1 order by seq", [handle.id])
        #expect(try steps.map { try $0.string("step_key") } == ["a", "b"])

        // The same id again: the existing workflow (finished), not run again.
        let again = try await worker.start(TwoSteps.self, .init(x: 4), options: StartOptions(id: handle.id, queue: fixture.queue))
        #expect(!again.created && !again.runsHere)
        #expect(try await again.result() == 50)
        #expect(runs.count("a") == 1)

        task.cancel()
        try? await task.value
        await fixture.close()
    }

    @Test("a full worker, an unregistered workflow or a delayed start is enqueued instead; a worker that is not running refuses")
    func fallsBackToTheQueue() async throws {
        let fixture = try await EngineFixture()
        let latch = Latch()
        let runs = Runs()
        let (worker, task) = fixture.startWorker({
            $0.register(Latched(latch: latch, runs: runs))
            $0.register(TwoSteps(runs: runs))
        }, concurrency: 1, poll: .milliseconds(50))
        try await waitUntil(timeout: .seconds(30)) { worker.running.withLock { $0 != nil } }

        let first = try await worker.start(Latched.self, .init(n: 1), options: StartOptions(queue: fixture.queue))
        #expect(first.runsHere)
        try await waitUntil(timeout: .seconds(30)) { runs.count("started") == 1 }
        // The one slot is taken: the next start is enqueued, and claimed once the slot frees.
        let second = try await worker.start(TwoSteps.self, .init(x: 1), options: StartOptions(queue: fixture.queue))
        #expect(!second.runsHere)
        #expect(try await fixture.engine.workflow(id: second.id).status == .enqueued)
        latch.open()
        #expect(try await first.result() == 1)
        #expect(try await second.result(timeout: .seconds(60)) == 20)

        // Not registered here: enqueued for whichever worker runs it.
        let other = try await worker.start(Doubler.self, 3, options: StartOptions(queue: fixture.queue))
        #expect(!other.runsHere)
        #expect(try await fixture.engine.workflow(id: other.id).status == .enqueued)
        // Not claimable now: enqueued with its delay.
        let later = try await worker.start(TwoSteps.self, .init(x: 2), options: StartOptions(queue: fixture.queue, delay: .seconds(3600)))
        #expect(!later.runsHere)
        #expect(try await fixture.engine.workflow(id: later.id).status == .enqueued)

        task.cancel()
        try? await task.value
        await expectSteadfastError(.shutdown) {
            _ = try await worker.start(TwoSteps.self, .init(x: 3), options: StartOptions(queue: fixture.queue))
        }
        await fixture.close()
    }

    @Test("a workflow run here that fails: result() throws its failure, as through a client")
    func failureHere() async throws {
        let fixture = try await EngineFixture()
        let (worker, task) = fixture.startWorker({ $0.register(FailsAfterStep()) }, poll: .seconds(60))
        try await waitUntil(timeout: .seconds(30)) { worker.running.withLock { $0 != nil } }
        let handle = try await worker.start(FailsAfterStep.self, .init(n: 5), options: StartOptions(queue: fixture.queue))
        #expect(handle.runsHere)
        do {
            _ = try await handle.result()
            Issue.record("expected a WorkflowFailedError")
        } catch let error as WorkflowFailedError {
            #expect(error.status == .failed)
            #expect(error.error?.message.contains("no 5") == true)
        }
        let record = try await fixture.engine.workflow(id: handle.id)
        #expect(record.status == .failed)
        let steps = try await fixture.pool.query("select count(*) as n from steadfast.steps where workflow_id = $1", [handle.id])
        #expect(try steps[0].int("n") == 1, "the step that succeeded is recorded before the failure")
        task.cancel()
        try? await task.value
        await fixture.close()
    }

    /// Sessions listening for results (a client's `steadfast_finished` listener).
    static func resultListeners(_ fixture: EngineFixture) async throws -> Int {
        try await fixture.pool.query(
            "select count(*) as n from pg_stat_activity where query ilike 'listen%steadfast_finished%' and datname = current_database()")[0].int("n")
    }
}
