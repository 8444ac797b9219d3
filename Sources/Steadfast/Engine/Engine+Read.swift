package import Foundation

/// Reading workflows (sql/70_read.sql): `get_workflow`, `list_workflows`, `list_steps`, and
/// their rows as typed records.
extension Engine {
    /// `get_workflow`.
    package func workflow(id: String) async throws -> WorkflowRecord {
        let rows = try await pool.query("select * from steadfast.get_workflow($1)", [id])
        guard let row = rows.first else {
            throw SteadfastError(.notFound, message: "workflow \(id) not found")
        }
        return try Self.workflowRecord(from: row)
    }

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
            updatedAt: try row.decodeIfPresent("updated_at", as: Date.self),
            availableAt: try row.decodeIfPresent("available_at", as: Date.self),
            wait: WorkflowWait.from(json: try row.value("wait")))
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
            wait: WorkflowWait.from(json: try row.value("wait")),
            createdAtCursor: try row.string("created_at"))
    }
}

extension Engine {
    /// `list_stranded`: the workflows no live executor can run, oldest first, with the reason.
    func stranded(queue: String?, name: String? = nil, limit: Int) async throws -> [StrandedWorkflow] {
        var options: [String: JSONValue] = ["limit": .int(Int64(limit))]
        if let queue { options["queue"] = .string(queue) }
        if let name { options["name"] = .string(name) }
        return try await pool.query("select * from steadfast.list_stranded($1::jsonb)", [try JSONCoding.encode(options)]).map { row in
            StrandedWorkflow(id: try row.string("workflow_id"), name: try row.string("name"),
                             status: try Self.status(row.string("status")), queue: try row.string("queue"),
                             appVersion: try row.value("app_version"), createdAt: try row.decode("created_at", as: Date.self),
                             reason: try row.string("reason"))
        }
    }
}
