import Foundation
import Logging
import Steadfast
import Synchronization

/// Nap: a step that waits an hour unless cancelled; when cancelled it notes when (for the
/// cancellation latency).
struct CancellableNap: Workflow {
    static var name: String { "bench-cancellable-nap" }
    struct Input: Codable, Sendable { var n: Int }
    let cancelledAt: CancelledAt

    func run(_ input: Input, context: WorkflowContext) async throws -> Int {
        try await context.step("nap") {
            do {
                try await Task.sleep(for: .seconds(3600))
            } catch {
                cancelledAt.note(input.n)
                throw error
            }
            return input.n
        }
    }
}

/// When each nap saw its cancellation.
final class CancelledAt: Sendable {
    private let times = Mutex<[Int: Date]>([:])
    func note(_ n: Int) { times.withLock { $0[n] = Date() } }
    func time(_ n: Int) -> Date? { times.withLock { $0[n] } }
}

/// How fast the notifications wake what waits on them, and what waiting costs when nothing
/// happens — the figures the tests used to bound with wall clocks (they now prove the
/// mechanism only: with polls made impossible, the notification must be what woke them).
extension Bench {
    func wakeups() async throws {
        // 1. A result, awaited by a client while a worker process runs the workflow: from the
        //    completion's commit (completed_at) to result() returning (LISTEN steadfast_finished).
        let queue = "bench_wakeups"
        try await freshQueue(queue)
        let worker = try WorkerProcess(queue: queue, concurrency: 4, holdMilliseconds: 0, pool: 4)
        await worker.waitUntilReady()
        var resultLatencies: [Double] = []
        for n in 0..<100 {
            let handle = try await client.start(EmptyWorkflow.self, .init(n: n), options: StartOptions(queue: queue))
            _ = try await handle.result()
            let returned = Date()
            let completed = try await client.workflow(handle.id).completedAt ?? returned
            resultLatencies.append(returned.timeIntervalSince(completed) * 1000)
        }
        worker.terminate()
        _ = await worker.waitForExit()
        record("wakeup.result.p50", Measure.percentile(resultLatencies, 50), "ms", "completion commit → result() returns (NOTIFY)")
        record("wakeup.result.p99", Measure.percentile(resultLatencies, 99), "ms", "")

        // 2. Cancellation reaching running code: cancel_workflow → the step's task sees
        //    CancellationError (NOTIFY steadfast_cancelled), in-process worker.
        let cancelQueue = "bench_cancel"
        try await freshQueue(cancelQueue)
        let cancelledAt = CancelledAt()
        let napper = Worker(database: database, configuration: .init(queues: [cancelQueue], concurrency: 4, scheduleTicking: nil),
                            logger: logger)
        napper.register(CancellableNap(cancelledAt: cancelledAt))
        let running = Task { try await napper.run() }
        var cancelLatencies: [Double] = []
        for n in 0..<50 {
            let handle = try await client.start(CancellableNap.self, .init(n: n), options: StartOptions(queue: cancelQueue))
            try await waitUntil(timeout: 60) { try await self.client.workflow(handle.id).status == .running }
            let asked = Date()
            _ = try await client.cancel(handle.id)
            try await waitUntil(timeout: 60) { cancelledAt.time(n) != nil }
            cancelLatencies.append((cancelledAt.time(n) ?? asked).timeIntervalSince(asked) * 1000)
        }
        record("wakeup.cancel.p50", Measure.percentile(cancelLatencies, 50), "ms", "cancel_workflow → the step's task cancelled (NOTIFY)")
        record("wakeup.cancel.p99", Measure.percentile(cancelLatencies, 99), "ms", "")

        // 3. Idle: this process's CPU while a client listens for results and a worker waits
        //    for work (its 500 ms poll included), nothing happening, over 5 s.
        try await Task.sleep(for: .seconds(1))
        let before = processCPUSeconds()
        try await Task.sleep(for: .seconds(5))
        let idle = (processCPUSeconds() - before) / 5 * 1000
        record("idle.cpu", idle, "ms/s", "client listening + worker polling, nothing to do")
        running.cancel()
        _ = try? await running.value
    }
}

/// User plus system CPU time of this process, in seconds.
func processCPUSeconds() -> Double {
    var usage = rusage()
    getrusage(RUSAGE_SELF.rawValue, &usage)
    return Double(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) + Double(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6
}
