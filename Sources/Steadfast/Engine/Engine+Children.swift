import Foundation

/// Child workflows (sql/56_children.sql): `start_child_workflow(s)`, `await_children`.
extension Engine {
    /// `start_child_workflow`: the workflow starts a child `childName` as its step `name` (its
    /// `occurrence`-th call) and records the start. Returns the child's id — the recorded one
    /// on a replay. Idempotent (one child however often it is sent), so sent again until it
    /// lands while the database cannot be reached.
    func startChild(workflowID: String, attempt: Int, name: String, occurrence: Int, childName: String,
                    inputJSON: String, options: [String: JSONValue]) async throws -> String {
        var options = options
        options["occurrence"] = .int(Int64(occurrence))
        let parameters = [workflowID, String(attempt), name, childName, inputJSON, try JSONCoding.encode(options)]
        let rows = try await retrying("start_child_workflow") {
            try await pool.query("select child_id from steadfast.start_child_workflow($1, $2, $3, $4, $5::jsonb, $6::jsonb)",
                                 parameters)
        }
        guard let row = rows.first else {
            throw SteadfastError(.decodingFailed, message: "start_child_workflow returned no row")
        }
        return try row.string("child_id")
    }

    /// `start_child_workflows`: the workflow starts one child `childName` per input as its
    /// steps `name`, occurrences `occurrence`, `occurrence` + 1, …, in one transaction. Returns
    /// the children's ids, in order — the recorded ones on a replay. Idempotent, so sent again
    /// until it lands while the database cannot be reached.
    func startChildren(workflowID: String, attempt: Int, name: String, occurrence: Int, childName: String,
                       inputsJSON: [String], options: [String: JSONValue]) async throws -> [String] {
        var options = options
        options["occurrence"] = .int(Int64(occurrence))
        let element = "{\"name\":" + JSONCoding.quoted(childName) + ",\"input\":"
        let children = "[" + inputsJSON.map { element + $0 + "}" }.joined(separator: ",") + "]"
        let parameters = [workflowID, String(attempt), name, children, try JSONCoding.encode(options)]
        let rows = try await retrying("start_child_workflows") {
            try await pool.query("select child_id from steadfast.start_child_workflows($1, $2, $3, $4::jsonb, $5::jsonb) order by ordinal",
                                 parameters)
        }
        guard rows.count == inputsJSON.count else {
            throw SteadfastError(.decodingFailed, message: "start_child_workflows returned \(rows.count) rows for \(inputsJSON.count) children")
        }
        return try rows.map { try $0.string("child_id") }
    }

    /// `await_children`: the workflow waits, as its step `name` (its `occurrence`-th call), for
    /// all of `children` or, with `first`, for the first of them to finish. Returns the
    /// outcomes' JSON (recorded as the step) when the wait is satisfied, or `nil` when the
    /// workflow is now `waiting` (this attempt has ended). Idempotent, so sent again until it
    /// lands while the database cannot be reached.
    func awaitChildren(workflowID: String, attempt: Int, name: String, occurrence: Int, children: [String],
                       first: Bool) async throws -> String? {
        let options: [String: JSONValue] = ["occurrence": .int(Int64(occurrence)), "mode": .string(first ? "any" : "all")]
        let parameters = [workflowID, String(attempt), name, Self.textArray(children), try JSONCoding.encode(options)]
        let rows = try await retrying("await_children") {
            try await pool.query("select waiting, results::text from steadfast.await_children($1, $2, $3, $4::text[], $5::jsonb)",
                                 parameters)
        }
        guard let row = rows.first else {
            throw SteadfastError(.decodingFailed, message: "await_children returned no row")
        }
        return try row.bool("waiting") ? nil : try row.string("results")
    }
}
