import Foundation

/// Operating workflows: the same operations as the SQL functions `list_workflows`,
/// `list_steps`, `list_executors`, `cancel_workflow`, `resume_workflow`, `fork_workflow` and
/// `prune_workflows` (and the `steadfast` command line), one call each.
extension Client {
    /// Workflows matching `filter`, newest first, a page at a time.
    ///
    /// ```swift
    /// var page = try await client.list(WorkflowFilter(status: [.failed]), limit: 50)
    /// while let last = page.last {
    ///     page = try await client.list(WorkflowFilter(status: [.failed]), limit: 50, after: last.cursor)
    /// }
    /// ```
    /// - Parameters:
    ///   - filter: What to match.
    ///   - limit: At most this many (1…1000). Defaults to 100.
    ///   - after: The ``WorkflowSummary/cursor`` of the previous page's last row, to continue
    ///     after it (keyset pagination: stable while workflows are added). Defaults to `nil`:
    ///     the newest.
    /// - Throws: ``SteadfastError`` with code ``SteadfastError/Code/invalidArgument`` for a limit
    ///   out of range.
    public func list(_ filter: WorkflowFilter, limit: Int = 100, after: WorkflowCursor? = nil) async throws -> [WorkflowSummary] {
        try await engine.list(filter: filter, limit: limit, after: after)
    }

    /// The workflow's recorded steps in order, with their timings: `seq` is the number
    /// ``fork(_:fromStep:options:)`` takes.
    /// - Throws: ``SteadfastError`` with code ``SteadfastError/Code/notFound`` for an unknown workflow.
    public func steps(_ id: String) async throws -> [WorkflowStep] {
        try await engine.steps(workflowID: id)
    }

    /// The shards behind a router, as each says it is (`steadfast.shard_identity()`), by
    /// number; one entry for a shard itself; none for a database that is neither.
    public func shards() async throws -> [ShardIdentity] {
        try await engine.shardIdentities()
    }

    /// The executors (worker processes): alive or dead, their version, queues and how many
    /// workflows each is running.
    /// - Parameter includeStopped: Include executors that deregistered or were found dead.
    ///   Defaults to `false`.
    public func executors(includeStopped: Bool = false) async throws -> [ExecutorInfo] {
        try await engine.executors(includeStopped: includeStopped)
    }

    /// Cancels an enqueued, running or waiting workflow and every unfinished descendant (the
    /// child workflows it started, theirs, …).
    ///
    /// A running workflow's worker is told at once (`NOTIFY steadfast_cancelled`): a Steadfast
    /// ``Worker`` cancels the workflow's task, so a step that honours task cancellation stops
    /// early; whatever it tries to record afterwards is refused. Waiting for its result throws
    /// ``WorkflowFailedError`` with status ``WorkflowStatus/cancelled``.
    /// - Parameters:
    ///   - id: The workflow.
    ///   - reason: Stored as the workflow's error message. Defaults to `nil`: "cancelled".
    /// - Returns: The workflows cancelled, the named one first. Cancelling a cancelled workflow
    ///   again changes nothing and returns it with ``CancelledWorkflow/previousStatus``
    ///   ``WorkflowStatus/cancelled``.
    /// - Throws: ``SteadfastError``: ``SteadfastError/Code/notFound`` for an unknown workflow;
    ///   ``SteadfastError/Code/wrongState`` when it already succeeded, failed or is dead.
    @discardableResult
    public func cancel(_ id: String, reason: String? = nil) async throws -> [CancelledWorkflow] {
        try await engine.cancel(workflowID: id, reason: reason)
    }

    /// Puts a cancelled, failed or dead workflow back in its queue, with the same id and its
    /// checkpoints: its next run replays the steps that succeeded and runs the failed ones again.
    ///
    /// The options also move a workflow that waits in its queue, for example one no live worker
    /// can run (``WorkflowFilter/stranded``), to a queue or version that a worker serves.
    /// - Parameters:
    ///   - id: The workflow.
    ///   - queue: Move it to this queue. Defaults to `nil`: its own.
    ///   - appVersion: Change the version of the code that may run it. Defaults to
    ///     ``AppVersionChange/unchanged``.
    /// - Throws: ``SteadfastError``: ``SteadfastError/Code/notFound`` for an unknown workflow or
    ///   queue; ``SteadfastError/Code/wrongState`` when it is running, waiting or succeeded.
    @discardableResult
    public func resume(_ id: String, queue: String? = nil,
                       appVersion: AppVersionChange = .unchanged) async throws -> ResumedWorkflow {
        try await engine.resume(workflowID: id, queue: queue, appVersion: appVersion)
    }

    /// Starts a new workflow with the original's name and input that reuses the original's
    /// recorded steps before `fromStep`: they return their recorded outputs without running
    /// (their side effects do not happen again), and the new workflow runs from step
    /// `fromStep` with the code of the worker that claims it — typically code with a fix.
    ///
    /// The original is not changed. The new workflow records its lineage
    /// (``WorkflowRecord/forkedFrom``, ``WorkflowRecord/forkedAtStep``).
    /// - Parameters:
    ///   - id: The original workflow.
    ///   - fromStep: The first step to run again: its `seq` (1-based) as ``steps(_:)`` shows it.
    ///     1 copies nothing; the last step's seq + 1 copies them all.
    ///   - options: The new id, queue and version. Defaults to ``ForkOptions/init(id:queue:appVersion:)``'s defaults.
    /// - Throws: ``SteadfastError``: ``SteadfastError/Code/notFound`` for an unknown workflow or
    ///   queue, or a `fromStep` past the last step + 1; ``SteadfastError/Code/workflowConflict``
    ///   when `options.id` is used by another workflow; ``SteadfastError/Code/invalidArgument``
    ///   for `fromStep` < 1.
    public func fork(_ id: String, fromStep: Int, options: ForkOptions = ForkOptions()) async throws -> ForkedWorkflow {
        try await engine.fork(workflowID: id, fromStep: fromStep, options: options)
    }

    /// ``fork(_:fromStep:options:)``, returning a handle to await the new workflow's result.
    public func fork<W: Workflow>(_ workflow: W.Type, id: String, fromStep: Int,
                                  options: ForkOptions = ForkOptions()) async throws -> WorkflowHandle<W.Output> {
        let forked = try await fork(id, fromStep: fromStep, options: options)
        return WorkflowHandle(id: forked.id, created: forked.created, client: self)
    }

    /// Deletes finished workflows (succeeded, failed, cancelled, dead) that completed more than
    /// `olderThan` ago, with their steps, in batches of `batchSize` (one transaction each) until
    /// none is left.
    /// - Parameters:
    ///   - olderThan: How long ago they must have finished.
    ///   - batchSize: Workflows per transaction (1…100000). Defaults to 1000.
    ///   - statuses: Only these finished statuses. Defaults to `nil`: all four.
    ///   - queue: Only this queue's workflows. Defaults to `nil`: every queue.
    ///   - dryRun: Delete nothing; return how many workflows and steps would be deleted (in
    ///     one call: ``PruneResult/batches`` is 0). Defaults to `false`.
    /// - Throws: ``SteadfastError`` with code ``SteadfastError/Code/invalidArgument`` for a
    ///   negative age, a batch size out of range or an unfinished status.
    @discardableResult
    public func prune(olderThan: Duration, batchSize: Int = 1000, statuses: [WorkflowStatus]? = nil,
                      queue: String? = nil, dryRun: Bool = false) async throws -> PruneResult {
        if dryRun {
            let counted = try await engine.pruneBatch(olderThanSeconds: olderThan.inSeconds, batchSize: batchSize,
                                                      statuses: statuses, queue: queue, dryRun: true)
            return PruneResult(workflows: counted.workflows, steps: counted.steps, batches: 0)
        }
        var result = PruneResult(workflows: 0, steps: 0, batches: 0)
        while true {
            let batch = try await engine.pruneBatch(olderThanSeconds: olderThan.inSeconds, batchSize: batchSize,
                                                    statuses: statuses, queue: queue)
            result.workflows += batch.workflows
            result.steps += batch.steps
            result.batches += 1
            if !batch.more || batch.workflows == 0 { return result }
        }
    }
}

extension Client {
    /// Sends `message` to a workflow under `topic`; the workflow takes it with
    /// ``WorkflowContext/receive(_:topic:timeout:name:)`` — woken at once if it waits for that
    /// topic.
    /// - Parameters:
    ///   - workflowID: The receiving workflow.
    ///   - message: Any `Encodable` value, stored as JSON.
    ///   - topic: The topic. Defaults to `"default"`.
    ///   - idempotencyKey: A key that makes a repeated send (a retry after a lost answer) store
    ///     nothing: the first message stands. Defaults to `nil`.
    /// - Returns: Whether this call stored the message (`false`: the key was used before).
    /// - Throws: ``SteadfastError`` — ``SteadfastError/Code/notFound`` for an unknown workflow,
    ///   ``SteadfastError/Code/wrongState`` when it has finished (nothing is stored).
    @discardableResult
    public func send<M: Encodable & Sendable>(to workflowID: String, _ message: M, topic: String = "default",
                                              idempotencyKey: String? = nil) async throws -> Bool {
        try await engine.sendMessage(to: workflowID, messageJSON: try JSONCoding.encode(message), topic: topic,
                                     idempotencyKey: idempotencyKey)
    }
}
