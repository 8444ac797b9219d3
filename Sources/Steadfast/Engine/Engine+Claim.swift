package import Foundation

/// Claiming (sql/40_claim.sql): `claim_workflows` and `start_workflow_and_claim`, on the
/// executor's session; the steps a claim brings for replay.
extension Engine {
    /// `claim_workflows`, on the executor's session: up to `limit` workflows, each with its
    /// recorded steps.
    package static func claim(on session: Connection, executorID: String, limit: Int,
                              names: [String]?) async throws -> [ClaimedWorkflow] {
        var options: [String: JSONValue] = [:]
        if let names { options["names"] = .array(names.map { .string($0) }) }
        let rows = try await session.query(
            "select \(claimedColumns) from steadfast.claim_workflows($1, $2, $3::jsonb)",
            [executorID, String(limit), try JSONCoding.encode(options)])
        return try rows.map(claimedWorkflow(from:))
    }

    /// The columns of a claimed workflow, as both claims return them.
    private static let claimedColumns =
        "workflow_id, name, queue, input, attempt, steps, traceparent, tracestate, recovery_attempts, queued_seconds"

    private static func claimedWorkflow(from row: Row) throws -> ClaimedWorkflow {
        ClaimedWorkflow(
            id: try row.string("workflow_id"), name: try row.string("name"), queue: try row.string("queue"),
            inputJSON: try row.string("input"), attempt: try row.int("attempt"),
            steps: try Self.recordedSteps(fromJSON: try row.string("steps")),
            traceparent: try row.value("traceparent"), tracestate: try row.value("tracestate"),
            recoveryAttempts: try row.int("recovery_attempts"), queuedSeconds: try row.double("queued_seconds"))
    }

    /// `start_workflow_and_claim`, on the executor's session: starts the workflow already
    /// running under the executor, or claims the existing one with this id when it is
    /// claimable. Returns the claimed workflow (with its steps), or `nil` when it was not
    /// claimable, and whether it was created.
    package static func startAndClaim(on session: Connection, executorID: String, id: String?, name: String,
                                      inputJSON: String, options: [String: JSONValue]) async throws
        -> (claimed: ClaimedWorkflow?, created: Bool, id: String) {
        let rows = try await session.query(
            "select \(claimedColumns), created, claimed from steadfast.start_workflow_and_claim($1, $2, $3, $4::jsonb, $5::jsonb)",
            [executorID, id, name, inputJSON, try JSONCoding.encode(options)])
        guard let row = rows.first else {
            throw SteadfastError(.decodingFailed, message: "start_workflow_and_claim returned no row")
        }
        let created = try row.bool("created")
        let id = try row.string("workflow_id")
        guard try row.bool("claimed") else { return (nil, created, id) }
        return (try claimedWorkflow(from: row), created, id)
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

/// A workflow claimed by an executor (`steadfast.claim_workflows`).
package struct ClaimedWorkflow: Sendable {
    package var id: String
    package var name: String
    package var queue: String
    package var inputJSON: String
    package var attempt: Int
    package var steps: [RecordedStep]
    /// The W3C trace context its starter gave, which every execution of it joins.
    package var traceparent: String? = nil
    package var tracestate: String? = nil
    /// Its claims since it last ended an execution with an outcome, this one included: above 1,
    /// this execution recovers it from one that ended without (a crash, a lost session).
    package var recoveryAttempts = 1
    /// How long it waited claimable before this claim (schedule-to-start).
    package var queuedSeconds = 0.0
}

/// A step as the engine recorded it, returned with a claimed workflow for replay.
package struct RecordedStep: Sendable {
    package var key: String
    package var seq: Int
    package var name: String
    /// The output's JSON; `nil` when the step failed.
    var output: Data?
    var error: ErrorInfo?
    var parallel: Bool
    /// The workflow attempt that recorded it.
    var attempt: Int

    package init(key: String, seq: Int, name: String, output: Data?, error: ErrorInfo?, parallel: Bool, attempt: Int) {
        self.key = key
        self.seq = seq
        self.name = name
        self.output = output
        self.error = error
        self.parallel = parallel
        self.attempt = attempt
    }
}
