import Foundation
import Testing

@testable import Steadfast

struct TxInput: Codable, Sendable { var n: Int }

/// The transaction-step workflow of Tests/SteadfastTestWorker, seen from a client.
enum TxWorkflow: Workflow {
    typealias Input = TxInput
    typealias Output = Int
    func run(_ input: TxInput, context: WorkflowContext) async throws -> Int { fatalError("runs in the worker process") }
}

@Suite("Transaction steps under kill -9", .serialized)
struct TransactionCrashTests {
    @Test("200 worker processes killed at random points around a transaction step: its row exists exactly when its checkpoint does")
    func randomKills() async throws {
        let fixture = try await EngineFixture()
        let effects = try await fixture.makeEffectsTable()
        let table = TestDatabase.uniqueName("tx_rows")
        _ = try await fixture.pool.query("create table \(table) (workflow_id text not null)")
        let client = try await fixture.client()
        for n in 0..<400 {
            // The workflow at the head of the queue is claimed by every new process: without a
            // high limit it would be declared dead after 10 kills, which is not what this tests.
            _ = try await client.start(TxWorkflow.self, TxInput(n: n),
                                       options: StartOptions(queue: fixture.queue, maxRecoveryAttempts: 1000))
        }
        let environment = ["SF_EFFECTS_TABLE": effects, "SF_TX_TABLE": table, "SF_QUEUE": fixture.queue,
                           "SF_CONCURRENCY": "2", "SF_POOL": "3", "SF_POLL_MS": "20"]

        // Rows and checkpoints that disagree: a row without a recorded step, a step without
        // its row, or more than one row.
        let mismatchSQL = """
            select count(*) as n from steadfast.workflows w
            left join (select workflow_id, count(*) as c from \(table) group by 1) r on r.workflow_id = w.id
            left join steadfast.steps s on s.workflow_id = w.id and s.step_key = 'insert'
            where w.queue = $1 and (coalesce(r.c, 0) <> (case when s.workflow_id is null then 0 else 1 end))
            """
        var interruptedInside = 0
        for round in 0..<200 {
            let worker = try await WorkerProcess(environment: environment)
            try await Task.sleep(for: .milliseconds(Int.random(in: 20...200)))
            worker.signal(SIGKILL)
            #expect(await worker.waitForExit())
            // The killed process's transactions roll back once its backends are gone.
            try await waitUntil(timeout: .seconds(30)) {
                try await fixture.pool.query(
                    "select count(*) as n from pg_stat_activity where application_name = 'steadfast-test-worker' and datname = current_database()").first?.int("n") == 0
            }
            let mismatches = try await fixture.pool.query(mismatchSQL, [fixture.queue]).first?.int("n") ?? -1
            #expect(mismatches == 0, "after kill \(round)")
            if mismatches != 0 { break }
            interruptedInside += try await fixture.pool.query(
                "select count(*) as n from steadfast.workflows w where w.queue = $1 and w.status = 'running' and (select count(*) from steadfast.steps s where s.workflow_id = w.id) = 1",
                [fixture.queue]).first?.int("n") ?? 0
        }
        // A last worker, left alone, finishes everything.
        let finisher = try await WorkerProcess(environment: environment)
        try await waitUntil(timeout: .seconds(120)) {
            try await fixture.statusCounts()[.succeeded] == 400
        }
        let counts = try await fixture.statusCounts()
        #expect(counts == [.succeeded: 400], "statuses: \(counts); finisher log: \(finisher.log.suffix(2000))")
        finisher.signal(SIGTERM)
        #expect(await finisher.waitForExit())

        let perWorkflow = try await fixture.pool.query(
            "select count(*) as workflows, min(c) as lo, max(c) as hi from (select w.id, count(r.workflow_id) as c from steadfast.workflows w left join \(table) r on r.workflow_id = w.id where w.queue = $1 group by 1) x",
            [fixture.queue]).first
        #expect(try perWorkflow?.int("workflows") == 400)
        #expect(try perWorkflow?.int("lo") == 1 && perWorkflow?.int("hi") == 1, "every completed workflow has its row exactly once")
        let reclaimed = try await fixture.pool.query(
            "select count(*) as n from steadfast.workflows where queue = $1 and attempt > 1", [fixture.queue]).first?.int("n") ?? 0
        print("transaction step under 200 kills: \(reclaimed) workflows were interrupted and reclaimed; \(interruptedInside) kills left a workflow after 'before' and before its transaction committed")
        #expect(reclaimed > 0, "the kills did interrupt workflows")
        await client.close()
        await fixture.close()
    }
}
