package import Foundation
package import Logging

/// The one place where the client library calls the engine: one `steadfast.*` SQL function
/// per operation, arguments as text parameters, rows mapped to typed records. No other file
/// holds SQL (the migrator runs the embedded schema files).
package struct Engine: Sendable {
    package let pool: ConnectionPool
    package let logger: Logger
    /// When set, checkpoints and completions made without a connection of their own go through
    /// it, many executions' writes to a transaction (see ``batchingCheckpoints(inFlight:)``).
    var batcher: CheckpointBatcher?

    package init(pool: ConnectionPool, logger: Logger) {
        self.pool = pool
        self.logger = logger
    }

    /// This engine, with checkpoints and completions batched across the workflows running at
    /// once (`record_batch`): a worker's writes share commits instead of paying one each. At
    /// most `inFlight` batches are written at a time; a write arriving meanwhile waits for the
    /// next one, so a lone write goes out at once, as a single call.
    package func batchingCheckpoints(inFlight: Int = 2) -> Engine {
        var engine = self
        engine.batcher = CheckpointBatcher(engine: self, inFlight: inFlight)
        return engine
    }

    // MARK: Executors
    //
    // Every call that acts for an executor — register, heartbeat, release, deregister, claim,
    // start-and-claim — runs on the executor's own session (`on session:`): the engine accepts
    // them only from the session that registered the executor and holds its advisory lock, and
    // raises `executorInUse` (SF008) from any other. None of them is retried on another
    // connection: a lost session means registering again (see `ExecutorSession`).

    /// `register_executor`, on the session that will hold the executor's liveness lock.
    package static func registerExecutor(on session: Connection, id: String, queues: [String], leaseSeconds: Double,
                                 appVersion: String?, metadata: [String: JSONValue] = [:]) async throws -> Date {
        var options: [String: JSONValue] = [
            "queues": .array(queues.map { .string($0) }),
            "lease_seconds": .number(leaseSeconds),
            "host": .string(ProcessInfo.processInfo.hostName),
            "pid": .int(Int64(ProcessInfo.processInfo.processIdentifier)),
            "metadata": .object(metadata),
        ]
        if let appVersion { options["app_version"] = .string(appVersion) }
        let rows = try await session.query(
            "select lease_expires_at from steadfast.register_executor($1, $2::jsonb)",
            [id, try JSONCoding.encode(options)])
        return try rows.first?.decode("lease_expires_at", as: Date.self) ?? Date()
    }

    /// `deregister_executor`, on the session holding the lock (which it frees): hands back
    /// every workflow the executor still holds. Returns how many.
    package static func deregisterExecutor(on session: Connection, id: String) async throws -> Int {
        let rows = try await session.query("select steadfast.deregister_executor($1) as released", [id])
        return try rows.first?.int("released") ?? 0
    }

    /// `heartbeat_executor`, on the executor's session: extends the lease. Throws `fenced` when
    /// the executor was declared dead, `executorInUse` on another session, `connectionLost`
    /// when the session is gone — not retried: registering again on a new session renews the
    /// lease instead.
    static func heartbeat(on session: Connection, executorID: String) async throws -> Date {
        let rows = try await session.query("select steadfast.heartbeat_executor($1) as lease_expires_at", [executorID])
        return try rows.first?.decode("lease_expires_at", as: Date.self) ?? Date()
    }

    /// `release_workflows`, on the executor's session: hands workflows back (all of them when
    /// `workflowIDs` is nil) without counting a recovery attempt. Returns how many.
    @discardableResult
    static func release(on session: Connection, executorID: String, workflowIDs: [String]?) async throws -> Int {
        let rows = try await session.query("select steadfast.release_workflows($1, $2::text[]) as released",
                                           [executorID, workflowIDs.map(Self.textArray)])
        return try rows.first?.int("released") ?? 0
    }

    // MARK: Claiming

    /// `claim_workflows`, on the executor's session: up to `limit` workflows, each with its
    /// recorded steps.
    package static func claim(on session: Connection, executorID: String, limit: Int,
                              names: [String]?) async throws -> [ClaimedWorkflow] {
        var options: [String: JSONValue] = [:]
        if let names { options["names"] = .array(names.map { .string($0) }) }
        let rows = try await session.query(
            "select workflow_id, name, queue, input, attempt, steps from steadfast.claim_workflows($1, $2, $3::jsonb)",
            [executorID, String(limit), try JSONCoding.encode(options)])
        return try rows.map { row in
            ClaimedWorkflow(
                id: try row.string("workflow_id"), name: try row.string("name"), queue: try row.string("queue"),
                inputJSON: try row.string("input"), attempt: try row.int("attempt"),
                steps: try Self.recordedSteps(fromJSON: try row.string("steps")))
        }
    }

    // MARK: Starting

    /// `start_workflow`, on the pool or on `connection` (inside the caller's transaction).
    package func start(id: String?, name: String, inputJSON: String, options: [String: JSONValue],
                       on connection: Connection? = nil) async throws -> StartedWorkflow {
        let sql = "select workflow_id, status, created from steadfast.start_workflow($1, $2, $3::jsonb, $4::jsonb)"
        let parameters = [id, name, inputJSON, try JSONCoding.encode(options)]
        let rows = if let connection {
            try await connection.query(sql, parameters)
        } else {
            try await pool.query(sql, parameters)
        }
        guard let row = rows.first else {
            throw SteadfastError(.decodingFailed, message: "start_workflow returned no row")
        }
        return StartedWorkflow(id: try row.string("workflow_id"), status: try Self.status(row.string("status")),
                               created: try row.bool("created"))
    }

    /// `start_workflow_and_claim`, on the executor's session: starts the workflow already
    /// running under the executor, or claims the existing one with this id when it is
    /// claimable. Returns the claimed workflow (with its steps), or `nil` when it was not
    /// claimable, and whether it was created.
    package static func startAndClaim(on session: Connection, executorID: String, id: String?, name: String,
                                      inputJSON: String, options: [String: JSONValue]) async throws
        -> (claimed: ClaimedWorkflow?, created: Bool, id: String) {
        let rows = try await session.query(
            "select workflow_id, name, queue, input, attempt, steps, created, claimed from steadfast.start_workflow_and_claim($1, $2, $3, $4::jsonb, $5::jsonb)",
            [executorID, id, name, inputJSON, try JSONCoding.encode(options)])
        guard let row = rows.first else {
            throw SteadfastError(.decodingFailed, message: "start_workflow_and_claim returned no row")
        }
        let created = try row.bool("created")
        let id = try row.string("workflow_id")
        guard try row.bool("claimed") else { return (nil, created, id) }
        return (ClaimedWorkflow(
            id: try row.string("workflow_id"), name: try row.string("name"), queue: try row.string("queue"),
            inputJSON: try row.string("input"), attempt: try row.int("attempt"),
            steps: try Self.recordedSteps(fromJSON: try row.string("steps"))), created, id)
    }

    /// `recover_workflows`: the recovery every claim runs first, without claiming.
    @discardableResult
    package func recoverWorkflows() async throws -> Int {
        try await pool.query("select steadfast.recover_workflows() as recovered").first?.int("recovered") ?? 0
    }

    /// `steadfast.now()`: the engine's clock (fake in tests).
    package func now() async throws -> Date {
        let rows = try await pool.query("select steadfast.now() as now")
        guard let row = rows.first else { throw SteadfastError(.decodingFailed, message: "steadfast.now() returned no row") }
        return try row.decode("now", as: Date.self)
    }

    /// When the workflow becomes claimable (`available_at`).
    package func availableAt(workflowID: String) async throws -> Date {
        let rows = try await pool.query("select available_at from steadfast.get_workflow($1)", [workflowID])
        guard let row = rows.first else { throw SteadfastError(.notFound, message: "workflow \(workflowID) not found") }
        return try row.decode("available_at", as: Date.self)
    }

    /// Whether a server process (backend) with this pid still exists: a closed session's
    /// advisory locks are free once it is gone.
    package func backendExists(pid: Int32) async throws -> Bool {
        let rows = try await pool.query("select count(*) as n from pg_stat_activity where pid = $1::int", [String(pid)])
        return try rows.first?.int("n") != 0
    }

    /// `set_fake_now`: the database-wide fake clock; `nil` clears it.
    package func setFakeNow(_ date: Date?) async throws {
        _ = try await pool.query("select steadfast.set_fake_now($1::timestamptz)", [date?.postgresText])
    }

    // MARK: Checkpoints and results

    /// `complete_workflow`; idempotent for the same attempt and output, so sent again until it
    /// lands while the database cannot be reached (``retrying(_:stillWanted:_:)``). With
    /// `finalStep`, the workflow's last checkpoint travels with it: one `record_batch` write
    /// records the step and completes the workflow in one transaction (or, the step refused,
    /// neither).
    func complete(workflowID: String, attempt: Int, outputJSON: String, finalStep: StepRecord? = nil,
                  stillWanted: () -> Bool = { true }) async throws {
        let write = CheckpointWrite.complete(workflowID: workflowID, attempt: attempt, outputJSON: outputJSON,
                                             finalStep: finalStep)
        if let batcher {
            try await batcher.submit(write)
            return
        }
        if finalStep != nil {
            let outcomes = try await recordBatch(json: "[" + (try Self.batchElementJSON(write)) + "]", stillWanted: stillWanted)
            if let refusal = outcomes.first?.refusal { throw refusal }
            return
        }
        _ = try await retrying("complete_workflow", stillWanted: stillWanted) {
            try await pool.query("select steadfast.complete_workflow($1, $2, $3::jsonb)",
                                 [workflowID, String(attempt), outputJSON])
        }
    }

    /// `fail_workflow`; idempotent for the same attempt and error, so sent again until it lands
    /// while the database cannot be reached. Returns the new status (`enqueued` when a retry was
    /// scheduled).
    @discardableResult
    func fail(workflowID: String, attempt: Int, error: ErrorInfo, retryable: Bool) async throws -> WorkflowStatus {
        let rows = try await retrying("fail_workflow") {
            try await pool.query("select status from steadfast.fail_workflow($1, $2, $3::jsonb, $4::jsonb)",
                                 [workflowID, String(attempt), try JSONCoding.encode(error),
                                  try JSONCoding.encode(["retryable": JSONValue.bool(retryable)])])
        }
        return try Self.status(rows.first?.string("status") ?? "failed")
    }

    /// `get_workflow`.
    package func workflow(id: String) async throws -> WorkflowRecord {
        let rows = try await pool.query("select * from steadfast.get_workflow($1)", [id])
        guard let row = rows.first else {
            throw SteadfastError(.notFound, message: "workflow \(id) not found")
        }
        return try Self.workflowRecord(from: row)
    }

    /// `list_workflows`, newest first.
    func list(statuses: [WorkflowStatus]?, name: String?, queue: String?, limit: Int) async throws -> [WorkflowSummary] {
        var options: [String: JSONValue] = ["limit": .int(Int64(limit))]
        if let statuses { options["status"] = .array(statuses.map { .string($0.rawValue) }) }
        if let name { options["name"] = .string(name) }
        if let queue { options["queue"] = .string(queue) }
        let rows = try await pool.query(
            "select workflow_id, name, status, queue, attempt, created_at, completed_at from steadfast.list_workflows($1::jsonb)",
            [try JSONCoding.encode(options)])
        return try rows.map { row in
            WorkflowSummary(
                id: try row.string("workflow_id"), name: try row.string("name"),
                status: try Self.status(row.string("status")), queue: try row.string("queue"),
                attempt: try row.int("attempt"), createdAt: try row.decode("created_at", as: Date.self),
                completedAt: try row.decodeIfPresent("completed_at", as: Date.self))
        }
    }

    // MARK: Helpers

    /// Runs an idempotent write until it lands: again and again while the database cannot be
    /// reached (``SteadfastError/isDatabaseUnavailable``: server down or restarting, failover,
    /// connection broken — whether a try took effect is unknown, and the engine accepts the
    /// same write twice), with backoff from 50 ms up to 2 s. It ends when the write lands,
    /// when the engine refuses it (fenced, and any other error: thrown), when the task is
    /// cancelled (the worker shuts down: `CancellationError`), or when `stillWanted` says
    /// nobody waits for it any more. An outage is an interruption, never a failure of the
    /// workflow: a checkpoint, completion or failure is never dropped because of one.
    func retrying<T: Sendable>(_ what: String, stillWanted: () -> Bool = { true },
                               _ body: () async throws -> T) async throws -> T {
        var failures = 0
        let started = ContinuousClock.now
        while true {
            do {
                let result = try await body()
                if failures > 0 {
                    logger.info("\(what): the database is reachable again; written",
                                metadata: ["tries": "\(failures + 1)", "waited": "\(ContinuousClock.now - started)"])
                }
                return result
            } catch let error as SteadfastError where error.isDatabaseUnavailable {
                failures += 1
                guard stillWanted() else { throw error }
                if failures == 1 || failures % 20 == 0 {
                    logger.warning("\(what): the database cannot be reached; trying again until it can",
                                   metadata: ["error": "\(error)", "tries": "\(failures)"])
                }
                try await Task.sleep(for: Self.backoff(afterFailures: failures))
            }
        }
    }

    /// The pause after `failures` tries that could not reach the database: 50 ms doubling up
    /// to 2 s, with ±25 % jitter so that many writers do not return in step.
    static func backoff(afterFailures failures: Int) -> Duration {
        let milliseconds = min(2000.0, 50.0 * pow(2.0, Double(min(failures, 8) - 1)))
        return .milliseconds(Int64(milliseconds * Double.random(in: 0.75...1.25)))
    }

    static func status(_ text: String) throws(SteadfastError) -> WorkflowStatus {
        guard let status = WorkflowStatus(rawValue: text) else {
            throw SteadfastError(.decodingFailed, message: "unknown workflow status '\(text)'")
        }
        return status
    }

    static func textArray(_ values: [String]) -> String {
        "{" + values.map { "\"" + $0.replacingOccurrences(of: "\\", with: "\\\\")
            .replacingOccurrences(of: "\"", with: "\\\"") + "\"" }.joined(separator: ",") + "}"
    }

    /// Parses the `steps` JSON array of `claim_workflows` and `get_workflow`.
    static func recordedSteps(fromJSON json: String) throws -> [RecordedStep] {
        guard json != "[]" else { return [] }
        guard let array = try JSONSerialization.jsonObject(with: Data(json.utf8), options: [.fragmentsAllowed]) as? [[String: Any]] else {
            throw SteadfastError(.decodingFailed, message: "steps is not a JSON array of objects")
        }
        return try array.map { object in
            guard let key = object["key"] as? String, let name = object["name"] as? String,
                  let seq = (object["seq"] as? NSNumber)?.intValue
            else { throw SteadfastError(.decodingFailed, message: "malformed step in \(json.prefix(200))") }
            var error: ErrorInfo?
            if let errorObject = object["error"] as? [String: Any] {
                error = ErrorInfo(type: errorObject["type"] as? String ?? "Error",
                                  message: errorObject["message"] as? String ?? "\(errorObject)")
            }
            var output: Data?
            if error == nil, let value = object["output"] {
                output = try JSONSerialization.data(withJSONObject: value, options: [.fragmentsAllowed])
            }
            return RecordedStep(key: key, seq: seq, name: name, output: output, error: error,
                                parallel: object["parallel"] as? Bool ?? false,
                                attempt: (object["attempt"] as? NSNumber)?.intValue ?? 0)
        }
    }
}

extension Engine {
    /// `record_step`. On a pooled connection it is sent again until it lands while the
    /// database cannot be reached (the same result recorded twice is accepted); on
    /// `connection` — a transaction step's own — it runs once, inside that transaction.
    package func recordStep(_ step: StepRecord, on connection: Connection? = nil,
                            stillWanted: () -> Bool = { true }) async throws {
        if connection == nil, let batcher {
            try await batcher.submit(.step(step))
            return
        }
        let sql = "select seq from steadfast.record_step($1, $2, $3, $4::jsonb, $5::jsonb)"
        let parameters = [step.workflowID, String(step.attempt), step.name, step.outputJSON, try Self.optionsJSON(of: step)]
        if let connection {
            _ = try await connection.query(sql, parameters)
            return
        }
        _ = try await retrying("record_step", stillWanted: stillWanted) {
            try await pool.query(sql, parameters)
        }
    }
}
