import Foundation
import Logging
import Testing

@testable import Steadfast

/// What the workflow, worker and client tests share: a pool, a private queue per test, an
/// executor that "crashes" on demand, and tables of side effects.
struct EngineFixture: Sendable {
    let configuration: DatabaseConfiguration
    let pool: ConnectionPool
    let engine: Engine
    /// A queue of this test's own, so rows of other tests never interfere.
    let queue: String

    init(poolSize: Int = 10) async throws {
        configuration = try await TestDatabase.configuration(maximumConnections: poolSize, applicationName: "steadfast-tests")
        pool = ConnectionPool(configuration: configuration, logger: TestDatabase.logger)
        engine = Engine(pool: pool, logger: TestDatabase.logger)
        queue = TestDatabase.uniqueName("q")
        _ = try await pool.query("select * from steadfast.create_queue($1)", [queue])
    }

    func close() async {
        await pool.close()
    }

    func client() async throws -> Client {
        try await Client.connect(configuration, logger: TestDatabase.logger)
    }

    /// A worker on this test's queue, running in this process until the returned task is cancelled.
    func startWorker(_ register: (Worker) -> Void, concurrency: Int = 10,
                     poll: Duration = .milliseconds(100),
                     observability: Observability = Observability()) -> (Worker, Task<Void, any Error>) {
        var workerConfiguration = Worker.Configuration(queues: [queue], concurrency: concurrency, pollInterval: poll)
        workerConfiguration.observability = observability
        let worker = Worker(database: configuration, configuration: workerConfiguration, logger: TestDatabase.logger)
        register(worker)
        return (worker, Task { try await worker.run() })
    }

    /// An executor registered on a connection of its own; `crash()` closes that connection, as
    /// a killed process would.
    func ghostExecutor() async throws -> GhostExecutor {
        let session = try await TestDatabase.connect()
        let id = TestDatabase.uniqueName("ghost")
        _ = try await Engine.registerExecutor(on: session, id: id, queues: [queue], leaseSeconds: 30, appVersion: nil)
        return GhostExecutor(id: id, session: session)
    }

    /// A table of side effects, one row per step run: (workflow_id, step, pid).
    func makeEffectsTable() async throws -> String {
        let table = TestDatabase.uniqueName("effects")
        _ = try await pool.query("create table \(table) (workflow_id text not null, step text not null, pid int not null, at timestamptz not null default clock_timestamp())")
        return table
    }

    /// How many times each step ran, by workflow id and step.
    func effects(in table: String) async throws -> [String: [String: Int]] {
        let rows = try await pool.query("select workflow_id, step, count(*) as runs from \(table) group by 1, 2")
        var result: [String: [String: Int]] = [:]
        for row in rows {
            result[try row.string("workflow_id"), default: [:]][try row.string("step")] = try row.int("runs")
        }
        return result
    }

    /// The number of workflows of this test's queue in each status.
    func statusCounts() async throws -> [WorkflowStatus: Int] {
        let list = try await engine.list(filter: WorkflowFilter(queue: queue), limit: 1000, after: nil)
        return Dictionary(grouping: list, by: \.status).mapValues(\.count)
    }
}

/// An executor registered on a session of its own. What it does as the executor (claim) goes
/// through that session: the engine takes executor calls from no other.
struct GhostExecutor: Sendable {
    let id: String
    let session: Connection

    /// The executor and its session, for a ``WorkflowExecution``.
    var executorSession: ExecutorSession {
        ExecutorSession(id: id, connection: session)
    }

    /// `claim_workflows` for this executor, on its session.
    func claim(limit: Int = 1, names: [String]? = nil) async throws -> [ClaimedWorkflow] {
        try await Engine.claim(on: session, executorID: id, limit: limit, names: names)
    }

    func crash() async throws {
        let pid = await session.backendPID
        await session.close()
        // Wait until the server has noticed: the backend and its advisory lock are gone.
        let admin = try await TestDatabase.connect()
        try await waitUntil(timeout: .seconds(30)) {
            try await admin.query("select count(*) as n from pg_stat_activity where pid = $1::int", [String(pid)])
                .first?.int("n") == 0
        }
        await admin.close()
    }
}

extension EngineFixture {
    /// Runs `body` with the engine's clock standing still (`steadfast.set_fake_now`, which every
    /// session of the suite's database reads — workers' included) at the instant it passes, and
    /// an `advance` that moves it forward: what is due "later" (a deadline, a wake time) comes
    /// when the test says so, never by the real clock. The real clock is back afterwards. The
    /// clock is the database's: a suite that uses this runs its tests one at a time.
    func withFrozenClock<T>(_ body: (_ frozenAt: Date, _ advance: @Sendable (Duration) async throws -> Void) async throws -> T) async throws -> T {
        let frozenAt = try await pool.query("select steadfast.set_fake_now(clock_timestamp()) as t")[0].decode("t", as: Date.self)
        let pool = self.pool
        let advance: @Sendable (Duration) async throws -> Void = { duration in
            _ = try await pool.query("select steadfast.set_fake_now(steadfast.now() + make_interval(secs => $1::float8))",
                                     [String(duration.seconds)])
        }
        do {
            let result = try await body(frozenAt, advance)
            _ = try await pool.query("select steadfast.set_fake_now(null)")
            return result
        } catch {
            _ = try? await pool.query("select steadfast.set_fake_now(null)")
            throw error
        }
    }
}
