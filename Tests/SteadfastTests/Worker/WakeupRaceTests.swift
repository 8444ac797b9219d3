import Foundation
import Testing

@testable import Steadfast

/// A start that races a worker's first claim is not lost: the worker listens to its session's
/// notifications from before its `LISTEN`, so a notification arriving while that claim runs
/// still wakes it. With an hourly poll nothing else could: each start must complete.
@Suite("A start racing a worker's first claim wakes it", .serialized)
struct WakeupRaceTests {
    @Test("twenty workers with an hourly poll, each sent a workflow the moment it registered: every workflow runs")
    func startRacingTheFirstClaim() async throws {
        let fixture = try await EngineFixture()
        let client = try await fixture.client()
        for round in 0..<20 {
            let (worker, task) = fixture.startWorker({ $0.register(Greet()) }, poll: .seconds(3600))
            // Start the workflow the moment the worker has registered (and listens): while its
            // first claim runs, or just after it.
            try await waitUntil(timeout: .seconds(60)) {
                try await fixture.engine.executors(includeStopped: false).contains { $0.id == worker.executorID }
            }
            let handle = try await client.start(Greet.self, .init(name: "r\(round)"), options: StartOptions(queue: fixture.queue))
            // A hang-stopper: only the enqueue notification (or the first claim) can run it.
            #expect(try await handle.result(timeout: .seconds(60)) == "hello r\(round)", "round \(round)")
            task.cancel()
            try await waitForEnd(of: task)
        }
        await client.close()
        await fixture.close()
    }
}
