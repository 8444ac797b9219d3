import Foundation

/// One write of a checkpoint batch: a step's result, or a workflow's completion with, when it
/// is given, the checkpoint of its last step (recorded in the same transaction, first).
package enum CheckpointWrite: Sendable {
    case step(StepRecord)
    case complete(workflowID: String, attempt: Int, outputJSON: String, finalStep: StepRecord?)
}

extension Engine {
    /// What `record_batch` said of one write: nil when it was applied, else the error it was
    /// refused with (fenced, unknown workflow, non-determinism).
    struct BatchOutcome: Sendable {
        var ordinal: Int
        var refusal: SteadfastError?
    }

    /// `record_batch` with `writes` (a JSON array of ``batchElementJSON(_:)``), sent again while
    /// the database cannot be reached and `stillWanted` (every write is idempotent). Throws
    /// when the whole batch failed: then nothing in it was applied.
    func recordBatch(json writes: String, stillWanted: () -> Bool = { true }) async throws -> [BatchOutcome] {
        let rows = try await retrying("record_batch", stillWanted: stillWanted) {
            try await pool.query("select ordinal, error_code, error_message from steadfast.record_batch($1::jsonb)", [writes])
        }
        return try rows.map { row in
            var outcome = BatchOutcome(ordinal: try row.int("ordinal"))
            if let code = row["error_code"] {
                outcome.refusal = SteadfastError(.forSQLState(code), message: row["error_message"] ?? code, sqlState: code)
            }
            return outcome
        }
    }

    /// Writes `write` on its own, with its single call (`record_step`, `complete_workflow`, or
    /// for a completion with its last step `record_batch` of that one write), sent again while
    /// the database cannot be reached and `stillWanted`.
    func writeAlone(_ write: CheckpointWrite, stillWanted: () -> Bool = { true }) async throws {
        var engine = self
        engine.batcher = nil
        switch write {
        case .step(let step):
            try await engine.recordStep(step, stillWanted: stillWanted)
        case .complete(let workflowID, let attempt, let outputJSON, let finalStep):
            try await engine.complete(workflowID: workflowID, attempt: attempt, outputJSON: outputJSON,
                                      finalStep: finalStep, stillWanted: stillWanted)
        }
    }

    /// `write` as an element of `record_batch`'s array.
    static func batchElementJSON(_ write: CheckpointWrite) throws -> String {
        switch write {
        case .step(let step):
            return "{\"kind\":\"step\",\"workflow_id\":\(JSONCoding.quoted(step.workflowID)),\"attempt\":\(step.attempt),"
                + "\"name\":\(JSONCoding.quoted(step.name)),\"output\":\(step.outputJSON ?? "null"),"
                + "\"options\":\(try optionsJSON(of: step))}"
        case .complete(let workflowID, let attempt, let outputJSON, let finalStep):
            var json = "{\"kind\":\"complete\",\"workflow_id\":\(JSONCoding.quoted(workflowID)),\"attempt\":\(attempt),"
                + "\"output\":\(outputJSON)"
            if let step = finalStep {
                json += ",\"step\":{\"name\":\(JSONCoding.quoted(step.name)),\"output\":\(step.outputJSON ?? "null"),"
                    + "\"options\":\(try optionsJSON(of: step))}"
            }
            return json + "}"
        }
    }

}
