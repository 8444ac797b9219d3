package import Foundation

/// Operating workflows (sql/80_operate.sql): cancel, resume, fork, prune — one `steadfast.*`
/// function call each.
extension Engine {
    // MARK: Changing

    /// `cancel_workflow`: the workflow and the descendants it cancelled.
    func cancel(workflowID: String, reason: String?) async throws -> [CancelledWorkflow] {
        var options: [String: JSONValue] = [:]
        if let reason { options["reason"] = .string(reason) }
        let rows = try await pool.query("select workflow_id, previous_status from steadfast.cancel_workflow($1, $2::jsonb)",
                                        [workflowID, try JSONCoding.encode(options)])
        return try rows.map { row in
            CancelledWorkflow(id: try row.string("workflow_id"), previousStatus: try Self.status(row.string("previous_status")))
        }
    }

    /// `resume_workflow`.
    func resume(workflowID: String, queue: String?, appVersion: AppVersionChange) async throws -> ResumedWorkflow {
        var options: [String: JSONValue] = [:]
        if let queue { options["queue"] = .string(queue) }
        options["app_version"] = Self.json(appVersion)
        let rows = try await pool.query("select * from steadfast.resume_workflow($1, $2::jsonb)",
                                        [workflowID, try JSONCoding.encode(options)])
        guard let row = rows.first else {
            throw SteadfastError(.decodingFailed, message: "resume_workflow returned no row")
        }
        return ResumedWorkflow(
            id: try row.string("workflow_id"), previousStatus: try Self.status(row.string("previous_status")),
            status: try Self.status(row.string("status")), queue: try row.string("queue"),
            appVersion: try row.value("app_version"), availableAt: try row.decode("available_at", as: Date.self))
    }

    /// `fork_workflow`.
    func fork(workflowID: String, fromStep: Int, options fork: ForkOptions) async throws -> ForkedWorkflow {
        var options: [String: JSONValue] = [:]
        if let id = fork.id { options["workflow_id"] = .string(id) }
        if let queue = fork.queue { options["queue"] = .string(queue) }
        options["app_version"] = Self.json(fork.appVersion)
        let rows = try await pool.query("select * from steadfast.fork_workflow($1, $2::int, $3::jsonb)",
                                        [workflowID, String(fromStep), try JSONCoding.encode(options)])
        guard let row = rows.first else {
            throw SteadfastError(.decodingFailed, message: "fork_workflow returned no row")
        }
        return ForkedWorkflow(
            id: try row.string("workflow_id"), created: try row.bool("created"),
            forkedFrom: try row.string("forked_from"), forkedAtStep: try row.int("forked_at_step"),
            copiedSteps: try row.int("copied_steps"), status: try Self.status(row.string("status")),
            queue: try row.string("queue"), appVersion: try row.value("app_version"))
    }

    /// `prune_workflows`, one batch: what it deleted and whether more remain.
    func pruneBatch(olderThanSeconds: Double, batchSize: Int, statuses: [WorkflowStatus]?,
                    queue: String?, dryRun: Bool = false) async throws -> (workflows: Int, steps: Int, more: Bool) {
        var options: [String: JSONValue] = [:]
        if dryRun { options["dry_run"] = .bool(true) }
        if let statuses { options["status"] = .array(statuses.map { .string($0.rawValue) }) }
        if let queue { options["queue"] = .string(queue) }
        let rows = try await pool.query(
            "select * from steadfast.prune_workflows(make_interval(secs => $1::float8), $2::int, $3::jsonb)",
            [String(olderThanSeconds), String(batchSize), try JSONCoding.encode(options)])
        guard let row = rows.first else {
            throw SteadfastError(.decodingFailed, message: "prune_workflows returned no row")
        }
        return (try row.int("deleted_workflows"), try row.int("deleted_steps"), try row.bool("more"))
    }

    // MARK: Decoding

    /// An option value for an ``AppVersionChange``; `nil` (no option) keeps the version.
    static func json(_ change: AppVersionChange) -> JSONValue? {
        switch change {
        case .unchanged: nil
        case .any: .null
        case .version(let version): .string(version)
        }
    }
}
