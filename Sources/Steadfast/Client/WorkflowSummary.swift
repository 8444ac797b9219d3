public import Foundation

/// One row of a workflow listing.
public struct WorkflowSummary: Sendable {
    /// The workflow's id.
    public var id: String
    /// The workflow's name.
    public var name: String
    /// Its status.
    public var status: WorkflowStatus
    /// Its queue.
    public var queue: String
    /// How many times it was claimed.
    public var attempt: Int
    /// When it was started.
    public var createdAt: Date
    /// When it finished.
    public var completedAt: Date?
    /// The executor running it, while it runs.
    public var executorID: String?
    /// The error it failed with (or its last error, while it waits for a retry).
    public var error: ErrorInfo?
    /// Lower runs first within its queue.
    public var priority: Int = 0
    /// The version of the code that may run it; `nil` for any worker.
    public var appVersion: String?
    /// The workflow that started it, for a child workflow.
    public var parentID: String?
    /// The workflow it was forked from.
    public var forkedFrom: String?
    /// The first step the fork ran again.
    public var forkedAtStep: Int?
    /// When it was first claimed.
    public var startedAt: Date?
    /// What it waits for, while it is ``WorkflowStatus/waiting``.
    public var wait: WorkflowWait?
    /// `created_at` exactly as the database printed it: the keyset cursor of the next page.
    var createdAtCursor: String?
}
