import Foundation
import MetricsTestKit
import Testing

@testable import Steadfast

/// A step that waits at a latch after its side effect, then a second step.
struct OutageWorkflow: Workflow {
    static var name: String { "outage" }
    struct Input: Codable, Sendable {}
    let latch: Latch
    let runs: Runs

    func run(_ input: Input, context: WorkflowContext) async throws -> String {
        try await context.step("a") {
            runs.hit("a")
            try await latch.wait()
        }
        try await context.step("b") { runs.hit("b") }
        return "done"
    }
}

/// A transaction step that inserts a row, then waits at a latch before it records and commits.
struct OutageTxWorkflow: Workflow {
    static var name: String { "outage_tx" }
    struct Input: Codable, Sendable { var table: String }
    let latch: Latch
    let runs: Runs

    func run(_ input: Input, context: WorkflowContext) async throws -> String {
        let _: Int = try await context.transaction("insert") { tx in
            runs.hit("insert")
            _ = try await tx.query("insert into \(input.table) (workflow_id) values ($1)", [context.workflowID])
            try await latch.wait()
            return 1
        }
        try await context.step("after") { runs.hit("after") }
        return "done"
    }
}

/// The database becoming unreachable is an interruption, never a failure of the workflow: the
/// worker's writes wait it out (issue 13, defect 1).
///
/// The outage is made for one login role: the worker connects as a role of the test's own,
/// whose pooled connections the test terminates while `ALTER ROLE … NOLOGIN` refuses new ones —
/// the same errors as a server that is down (connections broken, new ones refused), without
/// stopping the server the other tests share. The worker's executor session is left alone, so
/// the executor stays registered and nothing but the outage itself happens.
@Suite("A database outage interrupts, never fails", .serialized)
struct OutageTests {
    /// A login role in the worker set, and a worker on the fixture's queue connecting as it.
    func makeRole(_ fixture: EngineFixture) async throws -> String {
        let role = TestDatabase.uniqueName("sf_outage")
        _ = try await fixture.pool.query("create role \(role) login")
        _ = try await fixture.pool.query("select steadfast.grant_worker($1)", [role])
        return role
    }

    func dropRole(_ fixture: EngineFixture, _ role: String) async throws {
        _ = try await fixture.pool.query("alter role \(role) login")
        _ = try await fixture.pool.query("select pg_terminate_backend(pid, 5000) from pg_stat_activity where usename = $1", [role])
        _ = try await fixture.pool.query("drop owned by \(role)")
        _ = try await fixture.pool.query("drop role \(role)")
    }

    /// The worker counts its metrics into `metrics` (``Metric/databaseErrors`` counts each try
    /// that could not reach the database) and logs into `logs` when given.
    func startWorker(_ fixture: EngineFixture, role: String, metrics: TestMetrics? = nil, logs: CapturedLogs? = nil,
                     shutdownGracePeriod: Duration = .seconds(10),
                     _ register: (Worker) -> Void) -> (Worker, Task<Void, any Error>) {
        var database = fixture.configuration
        database.parameterOverrides.append(("user", role))
        var configuration = Worker.Configuration(queues: [fixture.queue], concurrency: 4, pollInterval: .milliseconds(100),
                                                 shutdownGracePeriod: shutdownGracePeriod, scheduleTicking: nil)
        if let metrics { configuration.observability = Observability(metricsFactory: metrics) }
        let worker = Worker(database: database, configuration: configuration, logger: logs?.logger() ?? TestDatabase.logger)
        register(worker)
        return (worker, Task { try await worker.run() })
    }

    /// The outage: no new connection for `role`, and its connections other than the executor
    /// session (`spare`) terminated. Returns how many were terminated.
    @discardableResult
    func cutOff(_ fixture: EngineFixture, role: String, sparing spare: Int) async throws -> Int {
        _ = try await fixture.pool.query("alter role \(role) nologin")
        let rows = try await fixture.pool.query(
            "select count(*) filter (where pg_terminate_backend(pid, 5000)) as n from pg_stat_activity where usename = $1 and pid <> $2::int",
            [role, String(spare)])
        return try rows[0].int("n")
    }

    /// An OutageWorkflow run by a worker connecting as `role`, with step a's body done and the
    /// outage begun just before its checkpoint is written.
    struct OutageAfterStepA {
        /// Open: a later execution runs straight through.
        let latch: Latch
        /// The worker's metrics.
        let metrics: TestMetrics
        let runs: Runs
        let worker: Worker
        let task: Task<Void, any Error>
        let client: Client
        let handle: WorkflowHandle<String>
        /// The executor session's backend pid, which the outage spares.
        let session: Int
    }

    func outageAfterStepA(_ fixture: EngineFixture, role: String, shutdownGracePeriod: Duration = .seconds(10)) async throws -> OutageAfterStepA {
        let latch = Latch()
        let runs = Runs()
        let metrics = TestMetrics()
        let (worker, task) = startWorker(fixture, role: role, metrics: metrics, shutdownGracePeriod: shutdownGracePeriod) {
            $0.register(OutageWorkflow(latch: latch, runs: runs))
        }
        let client = try await fixture.client()
        let handle = try await client.start(OutageWorkflow.self, .init(), options: StartOptions(queue: fixture.queue))
        try await waitUntil(timeout: .seconds(30)) { runs.count("a") == 1 }
        // Step a's body is done once the latch opens; its checkpoint then meets the outage.
        let session = try await executorSessionPID(fixture, worker.executorID)
        try await cutOff(fixture, role: role, sparing: session)
        latch.open()
        return OutageAfterStepA(latch: latch, metrics: metrics, runs: runs, worker: worker, task: task, client: client, handle: handle, session: session)
    }

    /// How many of the worker's tries could not reach the database.
    func unreachableTries(_ metrics: TestMetrics) -> Int64 {
        (try? metrics.expectCounter(Metric.databaseErrors, [("kind", "unavailable")]).totalValue) ?? 0
    }

    func executorSessionPID(_ fixture: EngineFixture, _ id: String) async throws -> Int {
        try #require(try await fixture.pool.query("select session_pid from steadfast.executors where id = $1", [id]).first)
            .int("session_pid")
    }

    @Test("a checkpoint whose write meets an outage longer than a few retries is written once the database is back: the workflow succeeds, no step is recorded as failed, none runs twice")
    func checkpointWaitsOutAnOutage() async throws {
        let fixture = try await EngineFixture()
        let role = try await makeRole(fixture)
        let run = try await outageAfterStepA(fixture, role: role)
        let (runs, worker, task, client, handle, session) = (run.runs, run.worker, run.task, run.client, run.handle, run.session)
        // The checkpoint's write keeps trying past the old give-up (5 tries), after which the
        // old code recorded the step's failure once the database was back.
        try await waitUntil(timeout: .seconds(60)) { unreachableTries(run.metrics) >= 6 }
        #expect(runs.count("b") == 0, "step b waits for step a's checkpoint")
        _ = try await fixture.pool.query("alter role \(role) login")

        #expect(try await handle.result(timeout: .seconds(60)) == "done")
        #expect(runs.count("a") == 1 && runs.count("b") == 1, "each step ran once: a, b = \(runs.count("a")), \(runs.count("b"))")
        let steps = try await fixture.pool.query(
            "select step_key, error is not null as failed, attempt from steadfast.steps where workflow_id = $1 order by seq", [handle.id])
        #expect(try steps.map { try $0.string("step_key") } == ["a", "b"])
        #expect(try steps.allSatisfy { try !$0.bool("failed") }, "no step was recorded as failed")
        let workflow = try await fixture.engine.workflow(id: handle.id)
        #expect(workflow.status == .succeeded && workflow.attempt == 1, "one attempt, never handed back: \(workflow.attempt)")
        #expect(try await executorSessionPID(fixture, worker.executorID) == session, "the executor kept its session")

        task.cancel()
        _ = try? await task.value
        await client.close()
        try await dropRole(fixture, role)
        await fixture.close()
    }

    @Test("a transaction step whose connection breaks before its commit ends the execution, not the workflow: the workflow is handed back, its next execution runs the step again once the database is back, and the step's transaction committed exactly once")
    func transactionStepIsInterrupted() async throws {
        let fixture = try await EngineFixture()
        let role = try await makeRole(fixture)
        let table = TestDatabase.uniqueName("outage_rows")
        _ = try await fixture.pool.query("create table \(table) (workflow_id text not null)")
        _ = try await fixture.pool.query("grant insert on \(table) to \(role)")
        let latch = Latch()
        let runs = Runs()
        let logs = CapturedLogs()
        let (worker, task) = startWorker(fixture, role: role, logs: logs) { $0.register(OutageTxWorkflow(latch: latch, runs: runs)) }
        let client = try await fixture.client()
        let handle = try await client.start(OutageTxWorkflow.self, .init(table: table), options: StartOptions(queue: fixture.queue))
        try await waitUntil(timeout: .seconds(30)) { runs.count("insert") == 1 }

        // The transaction has inserted its row and waits, idle in transaction: break it.
        let session = try await executorSessionPID(fixture, worker.executorID)
        #expect(try await cutOff(fixture, role: role, sparing: session) >= 1)
        latch.open()
        // The worker has gone through the whole outage path while the database stays out of
        // reach: the broken execution ended, the workflow was handed back and claimed again,
        // and the next execution's transaction step waits for the database.
        try await waitUntil(timeout: .seconds(60)) {
            logs.all.contains { $0.message == "transaction step waits for the database" && $0.metadata["workflow_id"] == handle.id }
        }
        let during = try await fixture.engine.workflow(id: handle.id)
        #expect(during.status != .failed, "an outage never fails the workflow")
        #expect(during.status == .running && during.attempt == 2, "\(during.status), attempt \(during.attempt)")
        _ = try await fixture.pool.query("alter role \(role) login")

        #expect(try await handle.result(timeout: .seconds(60)) == "done")
        let rows = try await fixture.pool.query("select count(*) as n from \(table)")
        #expect(try rows[0].int("n") == 1, "the step's transaction committed exactly once")
        #expect(runs.count("insert") == 2, "the broken transaction ran again in the next execution")
        #expect(runs.count("after") == 1)
        let steps = try await fixture.pool.query(
            "select count(*) filter (where error is not null) as failed, count(*) as n from steadfast.steps where workflow_id = $1", [handle.id])
        #expect(try steps[0].int("failed") == 0 && steps[0].int("n") == 2)
        let workflow = try await fixture.engine.workflow(id: handle.id)
        #expect(workflow.status == .succeeded && workflow.attempt == 2, "handed back once, claimed again: attempt \(workflow.attempt)")

        task.cancel()
        _ = try? await task.value
        await client.close()
        try await dropRole(fixture, role)
        await fixture.close()
    }

    @Test("a worker shut down while a checkpoint waits for the database stops at once and leaves the workflow to recovery, which finishes it")
    func shutdownDuringOutage() async throws {
        let fixture = try await EngineFixture()
        let role = try await makeRole(fixture)
        // A grace period of an hour: a shutdown that waited for the write would not end.
        let run = try await outageAfterStepA(fixture, role: role, shutdownGracePeriod: .seconds(3600))
        let (runs, task, client, handle) = (run.runs, run.task, run.client, run.handle)
        // The checkpoint's write has met the outage and keeps trying.
        try await waitUntil(timeout: .seconds(60)) { unreachableTries(run.metrics) >= 1 }

        // Shut down mid-outage: the grace period is not waited out for a write that cannot
        // land; cancelling the run ends it — while the database is still out of reach.
        task.cancel()
        #expect(try await waitForEnd(of: task), "shutdown did not wait for the database")
        _ = try await fixture.pool.query("alter role \(role) login")

        // Another worker (the test's own role) finishes it.
        let (_, second) = fixture.startWorker { $0.register(OutageWorkflow(latch: run.latch, runs: runs)) }
        #expect(try await handle.result(timeout: .seconds(60)) == "done")
        second.cancel()
        _ = try? await second.value
        await client.close()
        try await dropRole(fixture, role)
        await fixture.close()
    }
}

/// A transaction step that, in its first execution, inserts a row and then sits idle in its
/// transaction — as a frozen process would — until `sessionEnded` returns (the test's: once the
/// server has ended the transaction's session).
struct IdleTxWorkflow: Workflow {
    static var name: String { "idle_tx" }
    struct Input: Codable, Sendable { var table: String }
    let runs: Runs
    let sessionEnded: @Sendable (_ backendPID: Int) async throws -> Void

    func run(_ input: Input, context: WorkflowContext) async throws -> Int {
        let n: Int = try await context.transaction("insert") { tx in
            runs.hit("insert")
            _ = try await tx.query("insert into \(input.table) (workflow_id) values ($1)", [context.workflowID])
            if runs.count("insert") == 1 {
                let pid = try await tx.query("select pg_backend_pid() as pid")[0].int("pid")
                try await sessionEnded(pid)
            }
            return 1
        }
        return n
    }
}

/// What the worker sets on its own sessions (``Worker/Configuration/transactionIdleTimeout``).
@Suite("Worker sessions bound what a frozen session can hold")
struct WorkerSessionTimeoutTests {
    @Test("a transaction step idle in its transaction past transactionIdleTimeout is ended by the server; the workflow is handed back and its next execution commits the step exactly once")
    func idleTransactionIsEnded() async throws {
        let fixture = try await EngineFixture()
        let table = TestDatabase.uniqueName("idle_rows")
        _ = try await fixture.pool.query("create table \(table) (workflow_id text not null)")
        let runs = Runs()
        var configuration = Worker.Configuration(queues: [fixture.queue], concurrency: 2, pollInterval: .milliseconds(100),
                                                 scheduleTicking: nil)
        // Long enough that the next execution's transaction (insert, record, commit) is never
        // ended too, however loaded the machine; the first one waits for it to pass, whatever it is.
        configuration.transactionIdleTimeout = .seconds(3)
        let worker = Worker(database: fixture.configuration, configuration: configuration, logger: TestDatabase.logger)
        let observer = fixture.pool
        worker.register(IdleTxWorkflow(runs: runs) { pid in
            // Idle in its transaction, the step waits for the server to end its session.
            try await waitUntil(timeout: .seconds(60)) {
                try await observer.query("select count(*) as n from pg_stat_activity where pid = $1::int", [String(pid)])[0].int("n") == 0
            }
        })
        let task = Task { try await worker.run() }
        let client = try await fixture.client()
        let handle = try await client.start(IdleTxWorkflow.self, .init(table: table), options: StartOptions(queue: fixture.queue))

        // The server ends the idle transaction's session (freeing the workflow's row for
        // recovery, had the process been frozen); only then does the step's code go on, to find
        // its connection gone: the execution ends and the next one commits. Without the
        // timeout the session would never end and the first execution would never finish.
        #expect(try await handle.result(timeout: .seconds(60)) == 1)
        #expect(runs.count("insert") == 2)
        #expect(try await fixture.pool.query("select count(*) as n from \(table)")[0].int("n") == 1, "committed exactly once")
        #expect(try await client.workflow(handle.id).attempt == 2)

        task.cancel()
        _ = try? await task.value
        await client.close()
        await fixture.close()
    }
}
