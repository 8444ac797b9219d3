package import Foundation

/// Operating workflows (sql/75_views.sql, sql/80_operate.sql): list with filters, steps,
/// executors, cancel, resume, fork, prune — one `steadfast.*` function call each.
extension Engine {
    // MARK: Reading

    /// `list_workflows` with every filter, newest first; `after` continues from that row.
    func list(filter: WorkflowFilter, limit: Int, after: WorkflowCursor?) async throws -> [WorkflowSummary] {
        var options: [String: JSONValue] = ["limit": .int(Int64(limit))]
        if let status = filter.status { options["status"] = .array(status.map { .string($0.rawValue) }) }
        if let name = filter.name { options["name"] = .string(name) }
        if let queue = filter.queue { options["queue"] = .string(queue) }
        if let appVersion = filter.appVersion { options["app_version"] = .string(appVersion) }
        if let parentID = filter.parentID { options["parent_id"] = .string(parentID) }
        if let forkedFrom = filter.forkedFrom { options["forked_from"] = .string(forkedFrom) }
        if let createdAfter = filter.createdAfter { options["created_after"] = .string(createdAfter.microsecondText) }
        if let createdBefore = filter.createdBefore { options["created_before"] = .string(createdBefore.microsecondText) }
        if filter.stranded { options["stranded"] = .bool(true) }
        if let after {
            options["before_created_at"] = .string(after.createdAtText ?? after.createdAt.microsecondText)
            options["before_id"] = .string(after.id)
        }
        let rows = try await pool.query("select * from steadfast.list_workflows($1::jsonb)", [try JSONCoding.encode(options)])
        return try rows.map(Self.workflowSummary(from:))
    }

    /// `list_steps`: the workflow's steps in order, with their timings.
    func steps(workflowID: String) async throws -> [WorkflowStep] {
        let rows = try await pool.query("select * from steadfast.list_steps($1)", [workflowID])
        return try rows.map { row in
            WorkflowStep(
                key: try row.string("step_key"), name: try row.string("name"), seq: try row.int("seq"),
                outputJSON: try row.value("error") == nil ? try row.value("output") ?? "null" : nil,
                error: try Self.errorInfo(row.value("error")), attempt: try row.int("attempt"),
                parallel: try row.bool("parallel"), childWorkflowID: try row.value("child_workflow_id"),
                startedAt: try row.decodeIfPresent("started_at", as: Date.self),
                completedAt: try row.decodeIfPresent("completed_at", as: Date.self),
                runs: try row.int("step_attempts"))
        }
    }

    /// `list_executors`.
    func executors(includeStopped: Bool) async throws -> [ExecutorInfo] {
        let rows = try await pool.query("select * from steadfast.list_executors($1::jsonb)",
                                        [try JSONCoding.encode(["include_stopped": JSONValue.bool(includeStopped)])])
        return try rows.map { row in
            let stateText = try row.string("state")
            guard let state = ExecutorInfo.State(rawValue: stateText) else {
                throw SteadfastError(.decodingFailed, message: "unknown executor state '\(stateText)'")
            }
            return ExecutorInfo(
                id: try row.string("executor_id"), host: try row.value("host"),
                pid: try row.decodeIfPresent("pid", as: Int.self), appVersion: try row.value("app_version"),
                queues: try JSONCoding.decode([String].self, from: try row.string("queues")), state: state,
                running: try row.int("running"),
                workflows: try row.value("workflows").flatMap { try? JSONCoding.decode([String].self, from: $0) },
                registeredAt: try row.decode("registered_at", as: Date.self),
                heartbeatAt: try row.decode("heartbeat_at", as: Date.self),
                leaseExpiresAt: try row.decode("lease_expires_at", as: Date.self),
                stoppedAt: try row.decodeIfPresent("stopped_at", as: Date.self), stopReason: try row.value("stop_reason"))
        }
    }

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
                    queue: String?) async throws -> (workflows: Int, steps: Int, more: Bool) {
        var options: [String: JSONValue] = [:]
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

    /// A stored error (`{"type", "message", …}`); tolerant of errors written by other clients
    /// without a message.
    static func errorInfo(_ json: String?) throws -> ErrorInfo? {
        guard let json else { return nil }
        if let info = try? JSONCoding.decode(ErrorInfo.self, from: json) { return info }
        let object = (try? JSONSerialization.jsonObject(with: Data(json.utf8))) as? [String: Any]
        return ErrorInfo(type: object?["type"] as? String ?? "Error", message: object?["message"] as? String ?? json)
    }

    /// A row of `get_workflow`.
    static func workflowRecord(from row: Row) throws -> WorkflowRecord {
        let steps = try recordedSteps(fromJSON: try row.string("steps")).map {
            WorkflowStep(key: $0.key, name: $0.name, seq: $0.seq,
                         outputJSON: $0.output.map { String(decoding: $0, as: UTF8.self) }, error: $0.error,
                         attempt: $0.attempt, parallel: $0.parallel)
        }
        return WorkflowRecord(
            id: try row.string("workflow_id"), name: try row.string("name"), status: try status(row.string("status")),
            queue: try row.string("queue"), inputJSON: try row.string("input"), outputJSON: try row.value("output"),
            error: try errorInfo(row.value("error")), attempt: try row.int("attempt"),
            retryCount: try row.int("retry_count"), executorID: try row.value("executor_id"),
            createdAt: try row.decode("created_at", as: Date.self),
            completedAt: try row.decodeIfPresent("completed_at", as: Date.self), steps: steps,
            appVersion: try row.value("app_version"), priority: try row.int("priority"),
            parentID: try row.value("parent_id"), forkedFrom: try row.value("forked_from"),
            forkedAtStep: try row.decodeIfPresent("forked_at_step", as: Int.self),
            recoveryAttempts: try row.int("recovery_attempts"),
            startedAt: try row.decodeIfPresent("started_at", as: Date.self),
            updatedAt: try row.decodeIfPresent("updated_at", as: Date.self))
    }

    /// A row of `list_workflows`.
    static func workflowSummary(from row: Row) throws -> WorkflowSummary {
        WorkflowSummary(
            id: try row.string("workflow_id"), name: try row.string("name"), status: try status(row.string("status")),
            queue: try row.string("queue"), attempt: try row.int("attempt"),
            createdAt: try row.decode("created_at", as: Date.self),
            completedAt: try row.decodeIfPresent("completed_at", as: Date.self),
            executorID: try row.value("executor_id"), error: try errorInfo(row.value("error")),
            priority: try row.int("priority"), appVersion: try row.value("app_version"),
            parentID: try row.value("parent_id"), forkedFrom: try row.value("forked_from"),
            forkedAtStep: try row.decodeIfPresent("forked_at_step", as: Int.self),
            startedAt: try row.decodeIfPresent("started_at", as: Date.self),
            createdAtCursor: try row.string("created_at"))
    }
}

extension Date {
    /// ISO 8601 in UTC with microseconds, PostgreSQL's precision (`2026-11-24T21:42:21.477248Z`):
    /// a `timestamptz` that compares equal to the one the date was read from, as keyset
    /// pagination needs.
    package var microsecondText: String {
        let micros = Int64((timeIntervalSince1970 * 1_000_000).rounded())
        let seconds = Int64((Double(micros) / 1_000_000).rounded(.down))
        let fraction = micros - seconds * 1_000_000
        var time = tm()
        var t = time_t(seconds)
        gmtime_r(&t, &time)
        return String(format: "%04d-%02d-%02dT%02d:%02d:%02d.%06dZ", Int(time.tm_year) + 1900, Int(time.tm_mon) + 1,
                      Int(time.tm_mday), Int(time.tm_hour), Int(time.tm_min), Int(time.tm_sec), Int(fraction))
    }
}
