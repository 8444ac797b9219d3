import Foundation

/// Durable waits (sql/55_waits.sql): `sleep_workflow`.
extension Engine {
    /// `sleep_workflow`: the workflow sleeps as its step `name` (its `occurrence`-th call),
    /// for `seconds` from now or until `until`. Returns the wake time — the one recorded by the
    /// first call, whatever the arguments of a replay — and whether the workflow is now
    /// `waiting` (this attempt has ended) or its time has come (carry on). Idempotent, so sent
    /// again until it lands while the database cannot be reached.
    func sleep(workflowID: String, attempt: Int, name: String, occurrence: Int, seconds: Double?,
               until: Date?) async throws -> (wakeAt: Date, sleeping: Bool) {
        var options: [String: JSONValue] = ["occurrence": .int(Int64(occurrence))]
        if let seconds { options["seconds"] = .number(seconds) }
        if let until { options["until"] = .number(until.timeIntervalSince1970) }
        let parameters = [workflowID, String(attempt), name, try JSONCoding.encode(options)]
        let rows = try await retrying("sleep_workflow") {
            try await pool.query("select wake_at, sleeping from steadfast.sleep_workflow($1, $2, $3, $4::jsonb)", parameters)
        }
        guard let row = rows.first else {
            throw SteadfastError(.decodingFailed, message: "sleep_workflow returned no row")
        }
        return (try row.decode("wake_at", as: Date.self), try row.bool("sleeping"))
    }
}
