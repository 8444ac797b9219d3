package import Foundation

/// Executors (sql/20_executors.sql): `register_executor`, `heartbeat_executor`,
/// `release_workflows`, `deregister_executor`, `recover_workflows`.
///
/// Every call that acts for an executor — register, heartbeat, release, deregister, claim,
/// start-and-claim — runs on the executor's own session (`on session:`): the engine accepts
/// them only from the session that registered the executor and holds its advisory lock, and
/// raises `executorInUse` (SF008) from any other. None of them is retried on another
/// connection: a lost session means registering again (see `ExecutorSession`).
extension Engine {
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

    /// `recover_workflows`: the recovery every claim runs first, without claiming.
    @discardableResult
    package func recoverWorkflows() async throws -> Int {
        try await pool.query("select steadfast.recover_workflows() as recovered").first?.int("recovered") ?? 0
    }

    /// Whether a server process (backend) with this pid still exists: a closed session's
    /// advisory locks are free once it is gone.
    package func backendExists(pid: Int32) async throws -> Bool {
        let rows = try await pool.query("select count(*) as n from pg_stat_activity where pid = $1::int", [String(pid)])
        return try rows.first?.int("n") != 0
    }
}
