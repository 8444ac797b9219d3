/// The names of the metrics Steadfast reports through swift-metrics (the README's
/// "Observability" table documents them). Labels: `workflow` (the workflow's name), `queue`,
/// `step` (the step's name, without its occurrence), `outcome`, `kind`.
package enum Metric {
    /// Counter {workflow, queue}: workflows this process created (client, worker and child starts).
    static let workflowsStarted = "steadfast_workflows_started"
    /// Counter {workflow, queue}: executions this worker began (first run, retry, wake-up, recovery).
    static let executionsStarted = "steadfast_executions_started"
    /// Counter {workflow, queue}: executions that recover a workflow whose previous execution
    /// ended without an outcome (a crash, a lost session).
    static let recoveries = "steadfast_recoveries"
    /// Counter {workflow, queue}: workflows whose execution here completed them.
    static let workflowsSucceeded = "steadfast_workflows_succeeded"
    /// Counter {workflow, queue}: workflows whose execution here failed them for good.
    static let workflowsFailed = "steadfast_workflows_failed"
    /// Counter {workflow, queue}: executions here that failed with a retry scheduled.
    static let workflowRetries = "steadfast_workflow_retries"
    /// Counter {workflow, queue}: workflows cancelled while this worker ran them (their code was stopped).
    static let workflowsCancelled = "steadfast_workflows_cancelled"
    /// Timer {workflow, queue}: from the moment a workflow could be claimed to its claim.
    static let scheduleToStart = "steadfast_schedule_to_start_seconds"
    /// Timer {workflow, queue, step, outcome}: a step's run, retries included, to its checkpoint.
    static let stepDuration = "steadfast_step_duration_seconds"
    /// Histogram: workflows per claim (0 for a claim that found none).
    static let claimBatchSize = "steadfast_claim_batch_size"
    /// Histogram: checkpoints and outcomes per write to the database (group commit).
    static let checkpointBatchSize = "steadfast_checkpoint_batch_size"
    /// Gauge: the worker's slots holding a workflow now.
    static let slotsUsed = "steadfast_worker_slots_used"
    /// Gauge: the worker's free slots.
    static let slotsAvailable = "steadfast_worker_slots_available"
    /// Counter {workflow}: executions abandoned because another execution owns the workflow now.
    static let fencedWrites = "steadfast_fenced_writes"
    /// Counter {kind}: database calls that failed and were retried or reported: `unavailable`
    /// (server unreachable, connection lost), `conflict` (deadlock or serialization victim),
    /// `other` (an unexpected error answered by the database).
    static let databaseErrors = "steadfast_database_errors"
}

/// The span attributes Steadfast sets.
package enum TraceAttribute {
    static let workflowID = "steadfast.workflow.id"
    static let workflowName = "steadfast.workflow.name"
    static let queue = "steadfast.workflow.queue"
    static let attempt = "steadfast.workflow.attempt"
    static let recovery = "steadfast.execution.recovery"
    static let outcome = "steadfast.outcome"
    static let stepKey = "steadfast.step.key"
    static let stepName = "steadfast.step.name"
    static let stepRuns = "steadfast.step.runs"
    static let stepAttempt = "steadfast.step.attempt"
    static let replayed = "steadfast.step.replayed"
    static let childWorkflowID = "steadfast.child.workflow.id"
}
