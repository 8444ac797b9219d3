import Foundation
import Testing

@testable import Steadfast

/// A step that runs until it is cancelled.
struct Endless: Workflow {
    let runs: Runs
    func run(_ input: Int, context: WorkflowContext) async throws -> Int {
        try await context.step("forever") {
            runs.hit("started")
            do { try await Task.sleep(for: .seconds(60)) } catch { runs.hit("cancelled"); throw error }
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
/// is, within a claim poll.
@Suite("Workflow deadlines", .serialized)
struct DeadlineTests {
    @Test("a workflow running a step past its timeout is cancelled: its code is stopped, its result says why")
    func runningPastTimeout() async throws {
        let fixture = try await EngineFixture()
        let runs = Runs()
        let (_, task) = fixture.startWorker({ $0.register(Endless(runs: runs)) }, poll: .milliseconds(100))
        let client = try await fixture.client()
        let started = ContinuousClock.now
        let handle = try await client.start(Endless.self, 1, options: StartOptions(queue: fixture.queue, timeout: .seconds(1)))
        let error = await #expect(throws: WorkflowFailedError.self) { try await handle.result(timeout: .seconds(20)) }
        #expect(error?.status == .cancelled && error?.error?.message == "deadline exceeded")
        #expect(ContinuousClock.now - started < .seconds(5), "cancelled within a poll of its deadline")
        try await waitUntil { runs.count("cancelled") == 1 }
        #expect(runs.count("started") == 1)
        task.cancel()
        try? await task.value
        await client.close()
        await fixture.close()
    }

    @Test("a sleeping workflow past its deadline is cancelled, though nothing runs it")
    func sleepingPastDeadline() async throws {
        let fixture = try await EngineFixture()
        let (_, task) = fixture.startWorker({ $0.register(LongSleep()) }, poll: .milliseconds(100))
        let client = try await fixture.client()
        let handle = try await client.start(LongSleep.self, 1,
                                            options: StartOptions(queue: fixture.queue, deadline: Date().addingTimeInterval(1.5)))
        try await waitUntil(timeout: .seconds(10)) { try await client.workflow(handle.id).status == .waiting }
        let error = await #expect(throws: WorkflowFailedError.self) { try await handle.result(timeout: .seconds(20)) }
        #expect(error?.status == .cancelled && error?.error?.message == "deadline exceeded")
        task.cancel()
        try? await task.value
        await client.close()
        await fixture.close()
    }
}
