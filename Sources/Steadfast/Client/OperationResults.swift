public import Foundation

/// A workflow that ``Client/cancel(_:reason:)`` cancelled: the one named, or a descendant.
public struct CancelledWorkflow: Sendable, Hashable, Codable {
    /// The workflow's id.
    public var id: String
    /// Its status before the call; ``WorkflowStatus/cancelled`` when it already was (the call
    /// is idempotent).
    public var previousStatus: WorkflowStatus
}

/// A workflow put back in its queue by ``Client/resume(_:queue:appVersion:)``.
public struct ResumedWorkflow: Sendable, Hashable, Codable {
    /// The workflow's id (unchanged: resuming keeps the id and the checkpoints).
    public var id: String
    /// Its status before the call: ``WorkflowStatus/cancelled``, ``WorkflowStatus/failed``,
    /// ``WorkflowStatus/dead``, or ``WorkflowStatus/enqueued`` when there was nothing to resume.
    public var previousStatus: WorkflowStatus
    /// Its status now: ``WorkflowStatus/enqueued``.
    public var status: WorkflowStatus
    /// The queue it waits in.
    public var queue: String
    /// The version of the code that may run it; `nil` for any.
    public var appVersion: String?
    /// When it becomes claimable.
    public var availableAt: Date
}

/// The new workflow ``Client/fork(_:fromStep:options:)`` started.
public struct ForkedWorkflow: Sendable, Hashable, Codable {
    /// The new workflow's id.
    public var id: String
    /// Whether this call created it (`false`: a fork with this id existed already).
    public var created: Bool
    /// The original workflow's id.
    public var forkedFrom: String
    /// The first step (1-based `seq`) the fork runs again; the steps before it were copied.
    public var forkedAtStep: Int
    /// How many recorded steps were copied from the original.
    public var copiedSteps: Int
    /// Its status (``WorkflowStatus/enqueued`` when just created).
    public var status: WorkflowStatus
    /// The queue it runs from.
    public var queue: String
    /// The version of the code that may run it; `nil` for any.
    public var appVersion: String?
}

/// What ``Client/prune(olderThan:batchSize:statuses:queue:dryRun:)`` deleted (or, in a dry run, would delete).
public struct PruneResult: Sendable, Hashable, Codable {
    /// Finished workflows deleted.
    public var workflows: Int
    /// Their steps, deleted with them.
    public var steps: Int
    /// Batches (transactions) it took.
    public var batches: Int
}
