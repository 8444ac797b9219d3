package import Foundation

/// Finishing workflows (sql/60_finish.sql, and sql/65_batch.sql for a completion carrying the
/// last step): `complete_workflow`, `fail_workflow`.
extension Engine {
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
}
