import Foundation
import Synchronization
import Testing

@testable import Steadfast

/// Lets a test hold an execution at a point and release it later.
final class Gate: Sendable {
    private let state = Mutex<(entered: Bool, released: Bool, waiter: CheckedContinuation<Void, Never>?)>((false, false, nil))

    func pass() async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let resume = state.withLock { state -> Bool in
                state.entered = true
                if state.released { return true }
                state.waiter = continuation
                return false
            }
            if resume { continuation.resume() }
        }
    }

    var entered: Bool { state.withLock { $0.entered } }

    func release() {
        let waiter = state.withLock { state -> CheckedContinuation<Void, Never>? in
            state.released = true
            defer { state.waiter = nil }
            return state.waiter
        }
        waiter?.resume()
    }
}

/// A transaction step that inserts a row; the body can be held at a gate.
struct Debit: Workflow {
    struct Input: Codable, Sendable {}
    let table: String
    let gate: Gate?
    let runs: Runs
    func run(_ input: Input, context: WorkflowContext) async throws -> Int {
        try await context.transaction("debit") { tx in
            runs.hit("debit")
            try await tx.query("insert into \(table) (workflow_id, attempt) values ($1, $2::int)",
                               [context.workflowID, String(context.attempt)])
            if let gate { await gate.pass() }
            return context.attempt * 100
        }
    }
}

@Suite("Transaction steps", .serialized)
struct TransactionStepTests {
    func makeTable(_ fixture: EngineFixture) async throws -> String {
        let table = TestDatabase.uniqueName("ledger")
        _ = try await fixture.pool.query("create table \(table) (workflow_id text not null, attempt int not null)")
        return table
    }

    func rows(_ fixture: EngineFixture, _ table: String) async throws -> [Int] {
        try await fixture.pool.query("select attempt from \(table) order by attempt").map { try $0.int("attempt") }
    }

    func execution(_ fixture: EngineFixture, _ claimed: ClaimedWorkflow, _ workflow: Debit, executor: GhostExecutor,
                   hooks: WorkflowContext.Hooks = .init()) -> WorkflowExecution {
        let registry = WorkflowRegistry()
        registry.register(workflow)
        return WorkflowExecution(claimed: claimed, runner: registry.runner(for: Debit.name)!, engine: fixture.engine,
                                 executor: executor.executorSession, logger: TestDatabase.logger, hooks: hooks)
    }

    @Test("the step's statements and its checkpoint commit together, and a replay does not run them again")
    func commitsTogether() async throws {
        let fixture = try await EngineFixture()
        let table = try await makeTable(fixture)
        let client = try await fixture.client()
        let runs = Runs()
        let (_, task) = fixture.startWorker { $0.register(Debit(table: table, gate: nil, runs: runs)) }
        let handle = try await client.start(Debit.self, .init(), options: StartOptions(queue: fixture.queue))
        #expect(try await handle.result(timeout: .seconds(60)) == 100)
        task.cancel()
        _ = try? await task.value
        #expect(try await rows(fixture, table) == [1])
        #expect(runs.count("debit") == 1)
        await client.close()
        await fixture.close()
    }

    @Test("zombie race, successor first: the zombie's checkpoint is fenced and its statements roll back")
    func zombieFenced() async throws {
        let fixture = try await EngineFixture()
        let table = try await makeTable(fixture)
        let client = try await fixture.client()
        let handle = try await client.start(Debit.self, .init(), options: StartOptions(queue: fixture.queue))

        // The first execution claims, inserts its row inside the step's transaction, and stalls.
        let zombie = try await fixture.ghostExecutor()
        let claimedByZombie = try #require(try await zombie.claim().first)
        let gate = Gate()
        let stalled = Task {
            await execution(fixture, claimedByZombie, Debit(table: table, gate: gate, runs: Runs()), executor: zombie).run()
        }
        try await waitUntil(timeout: .seconds(30)) { gate.entered }

        // Its process is declared dead; a successor takes the workflow and runs the step.
        try await zombie.crash()
        let successor = try await fixture.ghostExecutor()
        let claimed = try #require(try await successor.claim().first)
        #expect(claimed.attempt == 2)
        let outcome = await execution(fixture, claimed, Debit(table: table, gate: nil, runs: Runs()), executor: successor).run()
        #expect(outcome == .succeeded("200"))

        // The zombie wakes up: its checkpoint is refused and its insert rolls back.
        gate.release()
        #expect(await stalled.value == .abandoned)
        #expect(try await rows(fixture, table) == [2], "exactly one commit: the successor's")
        let record = try await client.workflow(handle.id)
        #expect(record.steps.map(\.attempt) == [2])
        #expect(record.status == .succeeded)
        await successor.session.close()
        await client.close()
        await fixture.close()
    }

    @Test("zombie race, zombie first: the successor's claim does not wait for the open transaction, and the step commits once")
    func successorDoesNotWait() async throws {
        let fixture = try await EngineFixture()
        let table = try await makeTable(fixture)
        let client = try await fixture.client()
        let handle = try await client.start(Debit.self, .init(), options: StartOptions(queue: fixture.queue))

        // The first execution has written its row and its checkpoint; the commit is pending.
        let zombie = try await fixture.ghostExecutor()
        let claimedByZombie = try #require(try await zombie.claim().first)
        let gate = Gate()
        let zombieRuns = Runs()
        let hooks = WorkflowContext.Hooks(beforeCommit: { _ in await gate.pass() })
        let stalled = Task {
            await execution(fixture, claimedByZombie, Debit(table: table, gate: nil, runs: zombieRuns),
                            executor: zombie, hooks: hooks).run()
        }
        try await waitUntil(timeout: .seconds(30)) { gate.entered }
        try await zombie.crash()

        // The open transaction locks the workflow's row: recovery skips it rather than wait for
        // it (one frozen session must not stall every claim), so the successor gets nothing yet.
        // (A claim that waited would return only after the gate opens: it is watched while the
        // gate stays shut, and the gate opens after the watch either way, so a regression fails
        // here instead of hanging.)
        let successor = try await fixture.ghostExecutor()
        let returned = Mutex(false)
        let claiming = Task {
            defer { returned.withLock { $0 = true } }
            return try await successor.claim()
        }
        try await waitUntil(timeout: .seconds(30)) { returned.withLock { $0 } }
        let claimReturnedWhileLocked = returned.withLock { $0 }
        gate.release()
        #expect(claimReturnedWhileLocked, "the claim did not wait for the frozen transaction's lock")
        #expect(try await claiming.value.isEmpty, "the locked workflow is left to its open transaction")

        // The zombie's transaction commits: its attempt still holds the workflow (nobody took
        // it over), so it finishes it. Exactly one commit, and the successor never ran the step.
        #expect(await stalled.value == .succeeded("100"))
        #expect(try await rows(fixture, table) == [1], "exactly one commit: the zombie's")
        #expect(try await client.workflow(handle.id).status == .succeeded)
        #expect(try await successor.claim().isEmpty, "nothing is left to claim")
        await successor.session.close()
        await client.close()
        await fixture.close()
    }

    @Test("serialization failures are retried: concurrent serializable increments all land")
    func serializationRetries() async throws {
        let fixture = try await EngineFixture()
        let counter = TestDatabase.uniqueName("counter")
        _ = try await fixture.pool.query("create table \(counter) (n int not null)")
        _ = try await fixture.pool.query("insert into \(counter) values (0)")
        let client = try await fixture.client()
        let (_, task) = fixture.startWorker({ $0.register(Increment(table: counter)) }, concurrency: 8)
        var handles: [WorkflowHandle<Int>] = []
        for _ in 0..<16 {
            handles.append(try await client.start(Increment.self, .init(), options: StartOptions(queue: fixture.queue)))
        }
        var results: [Int] = []
        for handle in handles { results.append(try await handle.result(timeout: .seconds(30))) }
        task.cancel()
        _ = try? await task.value
        #expect(results.sorted() == Array(1...16), "each increment saw a serial order")
        #expect(try await fixture.pool.query("select n from \(counter)").first?.int("n") == 16)
        await client.close()
        await fixture.close()
    }
}

struct Increment: Workflow {
    struct Input: Codable, Sendable {}
    let table: String
    func run(_ input: Input, context: WorkflowContext) async throws -> Int {
        try await context.transaction("increment", isolation: .serializable) { tx in
            let current = try await tx.query("select n from \(table)")[0].int("n")
            try await Task.sleep(for: .milliseconds(5))
            try await tx.query("update \(table) set n = $1::int", [String(current + 1)])
            return current + 1
        }
    }
}
