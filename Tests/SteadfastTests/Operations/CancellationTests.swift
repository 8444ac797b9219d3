import Foundation
import Testing

@testable import Steadfast

@Suite("Cancellation reaches running code", .serialized)
struct CancellationTests {
    @Test("cancelling a running workflow cancels its task in the worker at once; nothing more is recorded")
    func cancelRunning() async throws {
        let fixture = try await EngineFixture()
        let client = try await fixture.client()
        let runs = Runs()
        // The step naps an hour: it ends early only if its task is cancelled. Started before the
        // worker, which finds it with its first claim and polls an hour apart.
        let handle = try await client.start(Nap.self, .init(seconds: 3600), options: StartOptions(queue: fixture.queue))
        let (worker, task) = fixture.startWorker({ $0.register(Nap(runs: runs)) }, poll: .seconds(3600))
        try await waitUntil(timeout: .seconds(30)) { runs.count("started") == 1 }

        let cancelled = try await client.cancel(handle.id)
        #expect(cancelled.map(\.previousStatus) == [.running])
        try await waitUntil(timeout: .seconds(30)) { runs.count("cancelled") == 1 }
        #expect(runs.count("woke") == 0, "the step's task was cancelled by the notification, not at its end")
        do {
            _ = try await handle.result(timeout: .seconds(60))
            Issue.record("a cancelled workflow has no result")
        } catch let error as WorkflowFailedError {
            #expect(error.status == .cancelled)
        }
        // The execution has ended (its slot is free): whatever it was going to write, it has.
        try await waitUntil(timeout: .seconds(30)) { worker.inFlight == 0 }
        #expect(try await client.steps(handle.id).isEmpty, "the interrupted step was not recorded")
        #expect(try await client.workflow(handle.id).status == .cancelled)

        // The worker is free again: resuming runs the workflow anew, to its end this time.
        _ = try await client.resume(handle.id)
        try await waitUntil(timeout: .seconds(30)) { runs.count("started") == 2 }
        #expect(try await client.workflow(handle.id).status == .running)
        _ = try await client.cancel(handle.id)
        try await waitUntil(timeout: .seconds(30)) { runs.count("cancelled") == 2 }
        task.cancel()
        _ = try? await task.value
        await client.close()
        await fixture.close()
    }

    @Test("cancelling a parent cancels its running child's task too")
    func cancelChild() async throws {
        let fixture = try await EngineFixture()
        let client = try await fixture.client()
        let runs = Runs()
        let (_, task) = fixture.startWorker { $0.register(Nap(runs: runs)) }
        let parent = try await client.start(Nap.self, .init(seconds: 3600), options: StartOptions(queue: fixture.queue))
        let child = try await fixture.engine.start(id: nil, name: Nap.name, inputJSON: #"{"seconds": 3600}"#,
                                                   options: ["queue": .string(fixture.queue), "parent_id": .string(parent.id)])
        try await waitUntil(timeout: .seconds(30)) { runs.count("started") == 2 }
        let cancelled = try await client.cancel(parent.id)
        #expect(Set(cancelled.map(\.id)) == [parent.id, child.id])
        try await waitUntil(timeout: .seconds(30)) { runs.count("cancelled") == 2 }
        #expect(runs.count("woke") == 0)
        #expect(try await client.workflow(child.id).status == .cancelled)
        task.cancel()
        _ = try? await task.value
        await client.close()
        await fixture.close()
    }
}
