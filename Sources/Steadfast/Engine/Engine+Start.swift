package import Foundation

/// Starting workflows (sql/30_start.sql): `start_workflow` and `start_workflows`.
extension Engine {
    /// One element of a batch start.
    struct BatchStart: Sendable {
        var id: String?
        var name: String
        var inputJSON: String
        var options: [String: JSONValue]
    }

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

    /// `start_workflows`: the batch in one call and one transaction; one result per element,
    /// in order.
    func startBatch(_ batch: [BatchStart]) async throws -> [StartedWorkflow] {
        guard !batch.isEmpty else { return [] }
        // Inputs are JSON already: the array is assembled as text around them. Batches usually
        // share their options: then they travel once, as the batch's own (`start_workflows`'
        // second argument); else each distinct options object is encoded once.
        let shared = batch.allSatisfy { $0.options == batch[0].options } ? batch[0].options : nil
        var encodedOptions: [[String: JSONValue]: String] = [:]
        var elements: [String] = []
        elements.reserveCapacity(batch.count)
        for element in batch {
            var json = "{\"name\":" + JSONCoding.quoted(element.name) + ",\"input\":" + element.inputJSON
            if shared == nil {
                let options: String
                if let known = encodedOptions[element.options] {
                    options = known
                } else {
                    options = try JSONCoding.encode(element.options)
                    encodedOptions[element.options] = options
                }
                json += ",\"options\":" + options
            }
            if let id = element.id { json += ",\"workflow_id\":" + JSONCoding.quoted(id) }
            elements.append(json + "}")
        }
        let rows = try await pool.query(
            "select workflow_id, status, created from steadfast.start_workflows($1::jsonb, $2::jsonb) order by ordinal",
            ["[" + elements.joined(separator: ",") + "]", try JSONCoding.encode(shared ?? [:])])
        return try rows.map { row in
            StartedWorkflow(id: try row.string("workflow_id"), status: try Self.status(row.string("status")),
                            created: try row.bool("created"))
        }
    }
}

/// The answer to starting a workflow.
package struct StartedWorkflow: Sendable {
    package var id: String
    package var status: WorkflowStatus
    package var created: Bool
}
