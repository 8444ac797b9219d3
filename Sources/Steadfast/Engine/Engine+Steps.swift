package import Foundation

/// Checkpoints (sql/50_steps.sql): `record_step`.
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

    /// `record_step`'s options for `step`. The hot path of every workflow: written by hand
    /// (numbers and a boolean), sparing a JSONEncoder and a date formatter per step.
    static func optionsJSON(of step: StepRecord) throws -> String {
        var options = "{\"occurrence\":\(step.occurrence),\"started_at\":\(step.startedAt.timeIntervalSince1970),\"step_attempts\":\(step.runs)"
        if step.parallel { options += ",\"parallel\":true" }
        if let error = step.error { options += ",\"error\":" + (try JSONCoding.encode(error)) }
        return options + "}"
    }
}

/// A step result to record (`steadfast.record_step`).
package struct StepRecord: Sendable {
    var workflowID: String
    var attempt: Int
    var name: String
    var occurrence: Int
    /// The output's JSON; `nil` when the step failed.
    var outputJSON: String?
    var error: ErrorInfo?
    var startedAt: Date
    var runs: Int
    var parallel: Bool

    package init(workflowID: String, attempt: Int, name: String, occurrence: Int, outputJSON: String?, error: ErrorInfo?,
                 startedAt: Date, runs: Int, parallel: Bool) {
        self.workflowID = workflowID
        self.attempt = attempt
        self.name = name
        self.occurrence = occurrence
        self.outputJSON = outputJSON
        self.error = error
        self.startedAt = startedAt
        self.runs = runs
        self.parallel = parallel
    }
}
