import Foundation
import Testing

@testable import Steadfast

/// A step that overruns its timeout once, then finishes in time.
struct SlowThenFast: Workflow {
    let runs: Runs
    func run(_ input: Int, context: WorkflowContext) async throws -> Int {
        try await context.step("slow", retry: RetryPolicy(maxAttempts: 3, initialDelay: .milliseconds(10)), timeout: .milliseconds(300)) {
            runs.hit("slow")
            if runs.count("slow") == 1 {
                // An hour, unless the timeout cancels it (at 300 ms).
                do { try await Task.sleep(for: .seconds(3600)) } catch { runs.hit("cancelled"); throw error }
                runs.hit("not cancelled")
            }
            return input * 2
        }
    }
}

/// A step that always overruns.
struct AlwaysSlow: Workflow {
    let runs: Runs
    func run(_ input: Int, context: WorkflowContext) async throws -> Int {
        try await context.step("slow", retry: RetryPolicy(maxAttempts: 2, initialDelay: .milliseconds(10)), timeout: .milliseconds(200)) {
            runs.hit("slow")
            try await Task.sleep(for: .seconds(3600))
        }
        return input
    }
}

/// `context.step(_:retry:timeout:_:)`: a run past its timeout is cancelled and counts as a
/// failed attempt.
@Suite("Step timeouts", .serialized)
struct StepTimeoutTests {
    @Test("a run past its timeout is cancelled and retried; the next run's result is recorded")
    func retriedAfterTimeout() async throws {
        let fixture = try await EngineFixture()
        let runs = Runs()
        let (_, task) = fixture.startWorker({ $0.register(SlowThenFast(runs: runs)) })
        let client = try await fixture.client()
        let handle = try await client.start(SlowThenFast.self, 21, options: StartOptions(queue: fixture.queue))
        // The first run would sleep an hour: the result comes only because it was cancelled.
        #expect(try await handle.result(timeout: .seconds(60)) == 42)
        #expect(runs.count("slow") == 2 && runs.count("cancelled") == 1 && runs.count("not cancelled") == 0,
                "the first run was cancelled, not waited for")
        let steps = try await client.steps(handle.id)
        #expect(steps.count == 1 && steps[0].runs == 2 && steps[0].error == nil)
        task.cancel()
        try? await task.value
        await client.close()
        await fixture.close()
    }

    @Test("a step that overruns every attempt fails with its timeout recorded")
    func failsAfterTimeouts() async throws {
        let fixture = try await EngineFixture()
        let runs = Runs()
        let (_, task) = fixture.startWorker({ $0.register(AlwaysSlow(runs: runs)) })
        let client = try await fixture.client()
        let handle = try await client.start(AlwaysSlow.self, 1, options: StartOptions(queue: fixture.queue))
        await #expect(throws: WorkflowFailedError.self) { try await handle.result(timeout: .seconds(60)) }
        #expect(runs.count("slow") == 2)
        let steps = try await client.steps(handle.id)
        #expect(steps.count == 1 && steps[0].runs == 2)
        #expect(steps[0].error?.type.hasSuffix("StepTimeoutError") == true, "\(String(describing: steps[0].error))")
        task.cancel()
        try? await task.value
        await client.close()
        await fixture.close()
    }
}
