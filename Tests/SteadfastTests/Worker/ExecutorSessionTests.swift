import Foundation
import Synchronization
import Testing

@testable import Steadfast

/// Holds every execution that reaches it until the test opens it.
final class Latch: Sendable {
    private let isOpen = Mutex(false)

    func open() { isOpen.withLock { $0 = true } }

    func wait() async throws {
        while !isOpen.withLock({ $0 }) {
            try await Task.sleep(for: .milliseconds(10))
        }
    }
}

/// One step that waits at a latch, then returns its input.
struct Latched: Workflow {
    static var name: String { "latched" }
    struct Input: Codable, Sendable { var n: Int }
    let latch: Latch
    let runs: Runs

    func run(_ input: Input, context: WorkflowContext) async throws -> Int {
        try await context.step("wait") {
            runs.hit("started")
            try await latch.wait()
            return input.n
        }
    }
}

/// The engine takes the calls that act for an executor (claim, start-and-claim, heartbeat,
/// release, deregister) only from the session that registered it; a worker makes them all on
/// that session, and on its new one after a reconnection.
@Suite("An executor acts through its own session", .serialized)
struct ExecutorSessionTests {
    /// A worker on the fixture's queue that renews its lease every 200 ms and fires no schedules.
    func startWorker(_ fixture: EngineFixture, _ workflow: Latched) -> (Worker, Task<Void, any Error>) {
        let worker = Worker(database: fixture.configuration,
                            configuration: Worker.Configuration(queues: [fixture.queue], concurrency: 4,
                                                                pollInterval: .milliseconds(100),
                                                                heartbeatInterval: .milliseconds(200),
                                                                scheduleTicking: nil),
                            logger: TestDatabase.logger)
        worker.register(workflow)
        return (worker, Task { try await worker.run() })
    }

    /// The executor's row: the backend pid of the session that registered it, and whether it
    /// is stopped (and why).
    func executorRow(_ fixture: EngineFixture, _ id: String) async throws -> (sessionPID: Int, stopReason: String?, live: Bool) {
        let row = try #require(try await fixture.pool.query(
            "select session_pid, stop_reason, stopped_at is null as live from steadfast.executors where id = $1", [id]).first)
        return (try row.int("session_pid"), row["stop_reason"], try row.bool("live"))
    }

    /// Waits until the backend `pid` has been seen running each of `functions` (its last
    /// statement, in `pg_stat_activity`): the proof that the calls went through that session.
    func expectSession(_ fixture: EngineFixture, pid: Int, runs functions: [String],
                       sourceLocation: SourceLocation = #_sourceLocation) async throws {
        var seen: Set<String> = []
        try await waitUntil(timeout: .seconds(10), sourceLocation: sourceLocation) {
            let query = try await fixture.pool.query("select query from pg_stat_activity where pid = $1::int", [String(pid)])
                .first?["query"] ?? ""
            for function in functions where query.contains("steadfast.\(function)(") { seen.insert(function) }
            return seen.count == functions.count
        }
    }

    @Test("a worker claims and renews its lease on its own session; the same calls for its executor from another connection are refused (SF008) and change nothing")
    func callsFromAnotherSessionAreRefused() async throws {
        let fixture = try await EngineFixture()
        let client = try await fixture.client()
        let latch = Latch()
        let runs = Runs()
        let (worker, task) = startWorker(fixture, Latched(latch: latch, runs: runs))
        var handles: [WorkflowHandle<Int>] = []
        for n in 0..<3 {
            handles.append(try await client.start(Latched.self, .init(n: n), options: StartOptions(queue: fixture.queue)))
        }
        try await waitUntil(timeout: .seconds(30)) { runs.count("started") == 3 }
        #expect(try await fixture.statusCounts() == [.running: 3])
        let registered = try await executorRow(fixture, worker.executorID)
        try await expectSession(fixture, pid: registered.sessionPID, runs: ["claim_workflows", "heartbeat_executor"])

        // Another connection, acting for the worker's executor.
        let other = try await TestDatabase.connect()
        let id = worker.executorID
        await expectSteadfastError(.executorInUse) {
            _ = try await Engine.claim(on: other, executorID: id, limit: 1, names: nil)
        }
        await expectSteadfastError(.executorInUse) {
            _ = try await Engine.startAndClaim(on: other, executorID: id, id: nil, name: Latched.name,
                                               inputJSON: #"{"n": 99}"#, options: ["queue": .string(fixture.queue)])
        }
        await expectSteadfastError(.executorInUse) {
            _ = try await Engine.heartbeat(on: other, executorID: id)
        }
        await expectSteadfastError(.executorInUse) {
            _ = try await Engine.release(on: other, executorID: id, workflowIDs: nil)
        }
        await expectSteadfastError(.executorInUse) {
            _ = try await Engine.deregisterExecutor(on: other, id: id)
        }
        await other.close()
        #expect(try await fixture.statusCounts() == [.running: 3], "nothing was claimed, started or released")
        let after = try await executorRow(fixture, id)
        #expect(after.live && after.sessionPID == registered.sessionPID, "the executor is still the worker's, live")

        // The worker carries on: it finishes what it holds and claims more, on its session.
        latch.open()
        for (n, handle) in handles.enumerated() {
            #expect(try await handle.result(timeout: .seconds(60)) == n)
        }
        let more = try await client.start(Latched.self, .init(n: 7), options: StartOptions(queue: fixture.queue))
        #expect(try await more.result(timeout: .seconds(60)) == 7)
        #expect(try await client.workflow(more.id).attempt == 1)

        // Stopping deregisters on the session too.
        task.cancel()
        _ = try? await task.value
        let stopped = try await executorRow(fixture, id)
        #expect(!stopped.live)
        #expect(stopped.stopReason == "deregistered", "deregistered by the worker, not declared dead")
        await client.close()
        await fixture.close()
    }

    @Test("a worker whose session is terminated registers again on a new one and claims and renews through it; what the lost session held runs again")
    func reconnectMovesTheCalls() async throws {
        let fixture = try await EngineFixture()
        let client = try await fixture.client()
        let latch = Latch()
        let runs = Runs()
        let (worker, task) = startWorker(fixture, Latched(latch: latch, runs: runs))
        let held = try await client.start(Latched.self, .init(n: 1), options: StartOptions(queue: fixture.queue))
        try await waitUntil(timeout: .seconds(30)) { runs.count("started") == 1 }
        let first = try await executorRow(fixture, worker.executorID)

        try await TestDatabase.terminateBackend(Int32(first.sessionPID))
        try await waitUntil(timeout: .seconds(30)) {
            let row = try await executorRow(fixture, worker.executorID)
            return row.live && row.sessionPID != first.sessionPID
        }
        let second = try await executorRow(fixture, worker.executorID)
        // Registering again handed back what the lost session held; the worker claims it anew
        // (attempt 2) on its new session, and the first execution, fenced, is abandoned.
        try await waitUntil(timeout: .seconds(30)) { runs.count("started") == 2 }
        try await expectSession(fixture, pid: second.sessionPID, runs: ["claim_workflows", "heartbeat_executor"])

        latch.open()
        #expect(try await held.result(timeout: .seconds(60)) == 1)
        #expect(try await client.workflow(held.id).attempt == 2)
        let more = try await client.start(Latched.self, .init(n: 2), options: StartOptions(queue: fixture.queue))
        #expect(try await more.result(timeout: .seconds(60)) == 2)

        task.cancel()
        _ = try? await task.value
        let stopped = try await executorRow(fixture, worker.executorID)
        #expect(stopped.stopReason == "deregistered", "the new session deregistered it")
        await client.close()
        await fixture.close()
    }

    @Test("a worker told its executor was declared dead registers again through its session supervisor, on a new session, never on the one it has: so a session that is in fact dead (a restarted server) is never used to register (issue 13, defect 3)")
    func declaredDeadRegistersOnANewSession() async throws {
        let fixture = try await EngineFixture()
        let client = try await fixture.client()
        let latch = Latch()
        let runs = Runs()
        let (worker, task) = startWorker(fixture, Latched(latch: latch, runs: runs))
        let held = try await client.start(Latched.self, .init(n: 1), options: StartOptions(queue: fixture.queue))
        try await waitUntil(timeout: .seconds(30)) { runs.count("started") == 1 }
        let first = try await executorRow(fixture, worker.executorID)

        // What recovery does to an executor whose lease ran out while its process was stopped:
        // mark it stopped and put its workflows back. Its next heartbeat is refused (SF003).
        _ = try await fixture.pool.query(
            "update steadfast.executors set stopped_at = now(), stop_reason = 'lease expired' where id = $1", [worker.executorID])
        _ = try await fixture.pool.query(
            "update steadfast.workflows set status = 'enqueued', executor_id = null where id = $1", [held.id])
        try await waitUntil(timeout: .seconds(30)) {
            let row = try await executorRow(fixture, worker.executorID)
            return row.live && row.sessionPID != first.sessionPID
        }
        let second = try await executorRow(fixture, worker.executorID)
        #expect(try await !fixture.engine.backendExists(pid: Int32(first.sessionPID)), "the old session was closed")
        try await waitUntil(timeout: .seconds(30)) { runs.count("started") == 2 }
        try await expectSession(fixture, pid: second.sessionPID, runs: ["claim_workflows", "heartbeat_executor"])

        latch.open()
        #expect(try await held.result(timeout: .seconds(60)) == 1)
        #expect(try await client.workflow(held.id).attempt == 2, "the fenced first execution wrote nothing")

        task.cancel()
        _ = try? await task.value
        await client.close()
        await fixture.close()
    }
}
