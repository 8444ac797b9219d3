public import Foundation

/// A workflow as stored: status, payloads, timings and recorded steps.
public struct WorkflowRecord: Sendable {
    /// The workflow's id.
    public var id: String
    /// The workflow's name.
    public var name: String
    /// Its status.
    public var status: WorkflowStatus
    /// The queue it runs from.
    public var queue: String
    /// Its input as JSON text.
    public var inputJSON: String
    /// Its output as JSON text, once it succeeded.
    public var outputJSON: String?
    /// The error it failed with (or the last error, while it waits for a retry).
    public var error: ErrorInfo?
    /// How many times it was claimed.
    public var attempt: Int
    /// Failures retried so far under its retry policy.
    public var retryCount: Int
    /// The executor running it, while it runs.
    public var executorID: String?
    /// When it was started.
    public var createdAt: Date
    /// When it finished.
    public var completedAt: Date?
    /// Its recorded steps, in recording order.
    public var steps: [WorkflowStep]
    /// The version of the code that may run it; `nil` for any worker.
    public var appVersion: String?
    /// Lower runs first within its queue.
    public var priority: Int = 0
    /// The workflow that started it, for a child workflow.
    public var parentID: String?
    /// The workflow it was forked from (``Client/fork(_:fromStep:options:)``).
    public var forkedFrom: String?
    /// The first step (1-based `seq`) the fork ran again; the steps before it were copied.
    public var forkedAtStep: Int?
    /// Claims since its last clean hand-back; past its limit it is declared dead.
    public var recoveryAttempts: Int = 0
    /// When it was first claimed.
    public var startedAt: Date?
    /// When it last changed.
    public var updatedAt: Date?
    /// When it is claimable: when it was enqueued, or later for a delayed start or a retry.
    public var availableAt: Date?
    /// What it waits for, while it is ``WorkflowStatus/waiting``.
    public var wait: WorkflowWait?
}

/// A recorded step, as ``WorkflowRecord`` shows it.
public struct WorkflowStep: Sendable {
    /// The step's key: its name, or `name#n` for its n-th call.
    public var key: String
    /// The step's name.
    public var name: String
    /// Its position in recording order.
    public var seq: Int
    /// Its output as JSON text, unless it failed.
    public var outputJSON: String?
    /// Its error, if it failed for good.
    public var error: ErrorInfo?
    /// The workflow attempt (execution) that recorded it.
    public var attempt: Int
    /// Whether another step of the workflow ran at the same time.
    public var parallel: Bool = false
    /// The child workflow the step started or waited for, if any.
    public var childWorkflowID: String?
    /// When the step started; `nil` unless read with ``Client/steps(_:)`` (and the recorder said).
    public var startedAt: Date?
    /// When it was recorded; `nil` unless read with ``Client/steps(_:)``.
    public var completedAt: Date?
    /// How many times its code ran (its retries included); `nil` unless read with ``Client/steps(_:)``.
    public var runs: Int?
}
