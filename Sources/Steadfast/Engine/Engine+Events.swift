import Foundation

/// Events and streams (sql/58_events.sql).
extension Engine {
    /// `set_event`: the workflow sets its event `key` as its step `name`. Idempotent (a replay
    /// writes nothing), so sent again until it lands while the database cannot be reached.
    func setEvent(workflowID: String, attempt: Int, name: String, occurrence: Int, key: String,
                  valueJSON: String) async throws {
        let parameters = [workflowID, String(attempt), name, key, valueJSON,
                          try JSONCoding.encode(["occurrence": JSONValue.int(Int64(occurrence))])]
        _ = try await retrying("set_event") {
            try await pool.query("select recorded from steadfast.set_event($1, $2, $3, $4, $5::jsonb, $6::jsonb)", parameters)
        }
    }

    /// `get_event`: the event's latest value as JSON, `nil` while unset.
    func event(workflowID: String, key: String) async throws -> String? {
        let rows = try await pool.query("select found, value::text from steadfast.get_event($1, $2)", [workflowID, key])
        guard let row = rows.first, try row.bool("found") else { return nil }
        return try row.string("value")
    }

    /// `list_events`: every event with its latest value.
    func events(workflowID: String) async throws -> [WorkflowEvent] {
        let rows = try await pool.query("select key, value::text, step_key, written_at from steadfast.list_events($1)", [workflowID])
        return try rows.map {
            WorkflowEvent(key: try $0.string("key"), valueJSON: try $0.string("value"), step: try $0.string("step_key"),
                          writtenAt: try $0.decode("written_at", as: Date.self))
        }
    }

    /// `await_event`: the workflow reads `targetID`'s event `key` as its step `name`, waiting
    /// at most `timeout`. `.waiting` when the workflow now waits (this attempt has ended), else
    /// the recorded outcome: the value's JSON, or `.timedOut` when it was not set in time (or
    /// the target finished without it). Idempotent, so sent again until it lands while the
    /// database cannot be reached.
    func awaitEvent(workflowID: String, attempt: Int, name: String, occurrence: Int, targetID: String, key: String,
                    timeout: Double?) async throws -> ReceiveOutcome {
        var options: [String: JSONValue] = ["occurrence": .int(Int64(occurrence))]
        if let timeout { options["timeout_seconds"] = .number(timeout) }
        let parameters = [workflowID, String(attempt), name, targetID, key, try JSONCoding.encode(options)]
        let rows = try await retrying("await_event") {
            try await pool.query("select waiting, found, value::text from steadfast.await_event($1, $2, $3, $4, $5, $6::jsonb)",
                                 parameters)
        }
        guard let row = rows.first else {
            throw SteadfastError(.decodingFailed, message: "await_event returned no row")
        }
        if try row.bool("waiting") { return .waiting }
        return try row.bool("found") ? .received(try row.string("value")) : .timedOut
    }

    /// `write_stream`: appends to (or, `closed`, closes) the stream `key` as the step `name`.
    /// Returns the entry's offset — the recorded one on a replay. Idempotent, so sent again
    /// until it lands while the database cannot be reached.
    func writeStream(workflowID: String, attempt: Int, name: String, occurrence: Int, key: String,
                     valueJSON: String?, closed: Bool) async throws -> Int {
        var options: [String: JSONValue] = ["occurrence": .int(Int64(occurrence))]
        if closed { options["closed"] = .bool(true) }
        let parameters = [workflowID, String(attempt), name, key, valueJSON ?? "null", try JSONCoding.encode(options)]
        let rows = try await retrying("write_stream") {
            try await pool.query("select \"offset\" from steadfast.write_stream($1, $2, $3, $4, $5::jsonb, $6::jsonb)", parameters)
        }
        guard let row = rows.first else {
            throw SteadfastError(.decodingFailed, message: "write_stream returned no row")
        }
        return try row.int("offset")
    }

    /// `read_stream`: up to `limit` entries from `offset`, in order.
    package func readStream(workflowID: String, key: String, from offset: Int, limit: Int) async throws
        -> [(offset: Int, valueJSON: String?, closed: Bool)] {
        let rows = try await pool.query("select \"offset\", value::text, closed from steadfast.read_stream($1, $2, $3, $4)",
                                        [workflowID, key, String(offset), String(limit)])
        return try rows.map { (try $0.int("offset"), try $0.value("value"), try $0.bool("closed")) }
    }
}
