import Foundation
import Testing

@testable import Steadfast

/// A step that runs until it is cancelled (an hour at most).
struct Endless: Workflow {
    let runs: Runs
    func run(_ input: Int, context: WorkflowContext) async throws -> Int {
        try await context.step("forever") {
            runs.hit("started")
            do { try await Task.sleep(for: .seconds(3600)) } catch { runs.hit("cancelled"); throw error }
        }
        return input
    }
}

/// Sleeps for an hour.
struct LongSleep: Workflow {
    func run(_ input: Int, context: WorkflowContext) async throws -> Int {
        try await context.sleep(for: .seconds(3600))
        return input
    }
}

/// `StartOptions(timeout:)` / `deadline:`: past its deadline a workflow is cancelled wherever it
/// is, at the next claim poll. The engine's clock stands still in these tests and moves past the
/// deadline when the test says so.
@Suite("Workflow deadlines", .serialized)
struct DeadlineTests {
    @Test("a workflow running a step past its timeout is cancelled: its code is stopped, its result says why")
    func runningPastTimeout() async throws {
        let fixture = try await EngineFixture()
        let runs = Runs()
        try await fixture.withFrozenClock { _, advance in
            let (_, task) = fixture.startWorker({ $0.register(Endless(runs: runs)) }, poll: .milliseconds(100))
            let client = try await fixture.client()
            let handle = try await client.start(Endless.self, 1, options: StartOptions(queue: fixture.queue, timeout: .seconds(10)))
            try await waitUntil(timeout: .seconds(30)) { runs.count("started") == 1 }
            #expect(try await client.workflow(handle.id).status == .running)
            // Past the deadline: the next claim poll cancels the workflow and stops its step, which
            // would otherwise run for an hour.
            try await advance(.seconds(20))
            let error = await #expect(throws: WorkflowFailedError.self) { try await handle.result(timeout: .seconds(60)) }
            #expect(error?.status == .cancelled && error?.error?.message == "deadline exceeded")
            try await waitUntil(timeout: .seconds(30)) { runs.count("cancelled") == 1 }
            #expect(runs.count("started") == 1)
            task.cancel()
            try? await task.value
            await client.close()
        }
        await fixture.close()
    }

    @Test("a sleeping workflow past its deadline is cancelled, though nothing runs it")
    func sleepingPastDeadline() async throws {
        let fixture = try await EngineFixture()
        try await fixture.withFrozenClock { now, advance in
            let (_, task) = fixture.startWorker({ $0.register(LongSleep()) }, poll: .milliseconds(100))
            let client = try await fixture.client()
            let handle = try await client.start(LongSleep.self, 1,
                                                options: StartOptions(queue: fixture.queue, deadline: now.addingTimeInterval(10)))
            try await waitUntil(timeout: .seconds(30)) { try await client.workflow(handle.id).status == .waiting }
            try await advance(.seconds(20))
            let error = await #expect(throws: WorkflowFailedError.self) { try await handle.result(timeout: .seconds(60)) }
            #expect(error?.status == .cancelled && error?.error?.message == "deadline exceeded")
            task.cancel()
            try? await task.value
            await client.close()
        }
        await fixture.close()
    }
}
