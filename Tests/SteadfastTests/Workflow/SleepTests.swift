import Foundation
import MetricsTestKit
import Synchronization
import Testing

@testable import Steadfast

/// A step, a durable sleep, a step.
struct DurableSleeper: Workflow {
    struct Input: Codable, Sendable { var n: Int; var seconds: Double }
    let runs: Runs
    func run(_ input: Input, context: WorkflowContext) async throws -> Int {
        let a: Int = try await context.step("a") { runs.hit("a"); return input.n + 1 }
        try await context.sleep(for: .milliseconds(Int(input.seconds * 1000)))
        let b: Int = try await context.step("b") { runs.hit("b"); return a * 10 }
        return b
    }
}

/// A workflow that catches everything, the sleep's end of the execution included.
struct SwallowsSleep: Workflow {
    let runs: Runs
    func run(_ input: Int, context: WorkflowContext) async throws -> Int {
        do { try await context.sleep(for: .seconds(1)) } catch { runs.hit("caught") }
        _ = try? await context.step("after") { runs.hit("after"); return 1 }
        return input
    }
}

/// `context.sleep`: a sleeping workflow holds no worker slot and no memory, and continues after
/// its wake time, replaying its steps once.
@Suite("Durable sleep", .serialized)
struct SleepTests {
    @Test("a sleeping workflow frees its slot: one slot runs three sleepers at once; each step runs once, none wakes early")
    func sleepersHoldNoSlot() async throws {
        let fixture = try await EngineFixture()
        let runs = Runs()
        let metrics = TestMetrics()
        // The engine's clock stands still until the test moves it: no sleeper can wake before all
        // three sleep, however slow the machine.
        try await fixture.withFrozenClock { now, advance in
            let (worker, task) = fixture.startWorker({ $0.register(DurableSleeper(runs: runs)) }, concurrency: 1, poll: .milliseconds(100),
                                                     observability: Observability(metricsFactory: metrics))
            let client = try await fixture.client()
            var handles: [WorkflowHandle<DurableSleeper.Output>] = []
            for n in 1...3 {
                handles.append(try await client.start(DurableSleeper.self, .init(n: n, seconds: 1.5), options: StartOptions(queue: fixture.queue)))
            }
            // All three asleep at once, held by no executor, though the worker has one slot.
            try await waitUntil(timeout: .seconds(30)) {
                try await fixture.pool.query("select count(*) as n from steadfast.workflows where queue = $1 and status = 'waiting' and executor_id is null",
                                             [fixture.queue])[0].int("n") == 3
            }
            #expect(runs.count("a") == 3 && runs.count("b") == 0)
            #expect(worker.running.withLock { $0 != nil })
            // What they wait for, as a client reads it.
            let asleep = try await client.workflow(handles[0].id)
            #expect(asleep.status == .waiting && asleep.wait?.kind == "sleep" && asleep.wait?.step == "sleep")
            #expect((asleep.wait?.until ?? .distantPast) > now.addingTimeInterval(1.4))
            let listed = try await client.list(WorkflowFilter(status: [.waiting], queue: fixture.queue), limit: 10)
            #expect(listed.count == 3 && listed.allSatisfy { $0.wait?.kind == "sleep" && $0.wait?.until != nil })
            // None wakes before its time: the worker claims again and again (every claim wakes
            // the sleepers whose time has come), and wakes none of them.
            func claims() -> Int { (try? metrics.expectRecorder(Metric.claimBatchSize).values.count) ?? 0 }
            let claimsWhileAsleep = claims()
            try await waitUntil(timeout: .seconds(30)) { claims() >= claimsWhileAsleep + 3 }
            #expect(runs.count("b") == 0, "no sleeper woke before its time")
            #expect(try await fixture.statusCounts() == [.waiting: 3])

            try await advance(.seconds(2))
            for (n, handle) in zip(1..., handles) {
                #expect(try await handle.result(timeout: .seconds(60)) == (n + 1) * 10)
            }
            #expect(runs.count("a") == 3 && runs.count("b") == 3, "each step ran once: replayed after the sleep")
            let steps = try await fixture.pool.query("select step_key from steadfast.steps where workflow_id = $1 order by seq", [handles[0].id])
            #expect(try steps.map { try $0.string("step_key") } == ["a", "sleep", "b"])
            let record = try await fixture.engine.workflow(id: handles[0].id)
            #expect(record.status == .succeeded && record.attempt == 2, "claimed once to sleep, once after")
            task.cancel()
            try? await task.value
            await client.close()
        }
        await fixture.close()
    }

    @Test("10,000 workflows sleeping 2 s between two steps on a worker of 10 slots (fake clock): all asleep at once, none before its time, never more than 10 running, all complete with each step once")
    func tenThousandSleepers() async throws {
        let fixture = try await EngineFixture()
        let runs = Runs()
        _ = try await fixture.pool.query("select steadfast.set_fake_now(now())")
        do {
            let (worker, task) = fixture.startWorker({ $0.register(DurableSleeper(runs: runs)) }, concurrency: 10,
                                                     poll: .milliseconds(50))
            let client = try await fixture.client()
            let count = 10_000
            for chunk in stride(from: 0, to: count, by: 5000) {
                _ = try await client.start(DurableSleeper.self, batch: (chunk..<chunk + 5000).map {
                    (input: DurableSleeper.Input(n: $0, seconds: 2), options: StartOptions(queue: fixture.queue))
                })
            }
            // The slots' high-water mark, sampled from the worker itself while it works.
            let most = Mutex(0)
            let sampler = Task {
                while !Task.isCancelled {
                    let running = worker.inFlight
                    most.withLock { $0 = max($0, running) }
                    try await Task.sleep(for: .milliseconds(2))
                }
            }
            // The fake clock stands still: every workflow runs its first step and goes to sleep.
            func counts() async throws -> [String: Int] {
                let rows = try await fixture.pool.query(
                    "select status, count(*) as n from steadfast.workflows where queue = $1 group by status", [fixture.queue])
                return Dictionary(uniqueKeysWithValues: try rows.map { (try $0.string("status"), try $0.int("n")) })
            }
            try await waitUntil(timeout: .seconds(300)) { try await counts() == ["waiting": count] }
            #expect(runs.count("b") == 0, "no sleeper woke before its time")
            _ = try await fixture.pool.query("select steadfast.set_fake_now(now() + interval '2 seconds')")
            try await waitUntil(timeout: .seconds(300)) { try await counts() == ["succeeded": count] }
            sampler.cancel()
            #expect(most.withLock { $0 } <= 10 && most.withLock { $0 } > 0, "at most 10 at once: \(most.withLock { $0 })")
            #expect(runs.count("a") == count && runs.count("b") == count, "each step ran once")
            let sample = try await fixture.engine.workflow(id: try await fixture.pool.query(
                "select id from steadfast.workflows where queue = $1 limit 1", [fixture.queue])[0].string("id"))
            #expect(sample.attempt == 2 && sample.steps.map(\.key) == ["a", "sleep", "b"])
            task.cancel()
            try? await task.value
            await client.close()
        } catch {
            _ = try? await fixture.pool.query("select steadfast.set_fake_now(null)")
            throw error
        }
        _ = try await fixture.pool.query("select steadfast.set_fake_now(null)")
        await fixture.close()
    }

    @Test("a worker's shutdown does not wait for a sleeper; another worker finishes it after its wake time")
    func shutdownDoesNotWait() async throws {
        let fixture = try await EngineFixture()
        let runs = Runs()
        // The engine's clock stands still: the sleeper's wake time comes only when the test moves it.
        try await fixture.withFrozenClock { _, advance in
            let (firstWorker, first) = fixture.startWorker({ $0.register(DurableSleeper(runs: runs)) }, poll: .milliseconds(100))
            let client = try await fixture.client()
            let handle = try await client.start(DurableSleeper.self, .init(n: 4, seconds: 4), options: StartOptions(queue: fixture.queue))
            try await waitUntil(timeout: .seconds(30)) { try await fixture.engine.workflow(id: handle.id).status == .waiting }
            // The execution that went to sleep has ended: the sleeper holds no slot of the worker.
            try await waitUntil(timeout: .seconds(30)) { firstWorker.inFlight == 0 }
            first.cancel()
            // Its wake time cannot come while the clock stands still: a shutdown that waited for
            // the sleeper would never end.
            #expect(try await waitForEnd(of: first), "the worker stopped before the sleeper's wake time: it did not wait for it")
            #expect(try await fixture.engine.workflow(id: handle.id).status == .waiting)

            try await advance(.seconds(10))
            let (_, second) = fixture.startWorker({ $0.register(DurableSleeper(runs: runs)) }, poll: .milliseconds(100))
            #expect(try await handle.result(timeout: .seconds(60)) == 50)
            #expect(runs.count("a") == 1 && runs.count("b") == 1)
            second.cancel()
            try? await second.value
            await client.close()
        }
        await fixture.close()
    }

    @Test("code that catches the sleep's end still ends the execution: nothing runs after it until the workflow wakes")
    func swallowedSleepStillEnds() async throws {
        let fixture = try await EngineFixture()
        let runs = Runs()
        // The engine's clock stands still: the workflow cannot wake until the test moves it.
        try await fixture.withFrozenClock { _, advance in
            let (worker, task) = fixture.startWorker({ $0.register(SwallowsSleep(runs: runs)) }, poll: .milliseconds(100))
            let client = try await fixture.client()
            let handle = try await client.start(SwallowsSleep.self, 7, options: StartOptions(queue: fixture.queue))
            try await waitUntil(timeout: .seconds(30)) { try await fixture.engine.workflow(id: handle.id).status == .waiting }
            // The execution that slept has ended: whatever it ran after the sleep, it has.
            try await waitUntil(timeout: .seconds(30)) { worker.inFlight == 0 }
            #expect(runs.count("caught") == 1)
            #expect(runs.count("after") == 0, "no step ran after the sleep in the execution that slept")
            try await advance(.seconds(10))
            #expect(try await handle.result(timeout: .seconds(60)) == 7)
            #expect(runs.count("after") == 1)
            task.cancel()
            try? await task.value
            await client.close()
        }
        await fixture.close()
    }
}
