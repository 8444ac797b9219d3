public import Foundation

/// The status of a workflow.
public enum WorkflowStatus: String, Sendable, Codable, CaseIterable {
    /// Waiting in its queue to be claimed (possibly not before a given time).
    case enqueued
    /// Held by an executor that is running it.
    case running
    /// Suspended on a sleep, message, event or child workflow; holds no worker.
    case waiting
    /// Finished with an output.
    case succeeded
    /// Finished with an error (its retries, if any, ran out).
    case failed
    /// Cancelled before finishing.
    case cancelled
    /// Claimed more often than its recovery limit without finishing: given up, kept for
    /// inspection.
    case dead

    /// Whether the workflow has reached a status it never leaves on its own.
    public var isFinal: Bool {
        switch self {
        case .succeeded, .failed, .cancelled, .dead: true
        case .enqueued, .running, .waiting: false
        }
    }
}

/// The error a workflow or step failed with, as stored in the database: `{"type", "message"}`.
public struct ErrorInfo: Sendable, Codable, Hashable {
    /// The error's type (for Swift errors, `String(reflecting: type(of: error))`).
    public var type: String
    /// A human-readable message.
    public var message: String

    /// Creates an error description.
    public init(type: String, message: String) {
        self.type = type
        self.message = message
    }
}

/// A step's recorded failure; the same shape as ``ErrorInfo``.
typealias StepErrorInfo = ErrorInfo

/// A step as the engine recorded it, returned with a claimed workflow for replay.
package struct RecordedStep: Sendable {
    package var key: String
    package var seq: Int
    package var name: String
    /// The output's JSON; `nil` when the step failed.
    var output: Data?
    var error: ErrorInfo?
    var parallel: Bool
    /// The workflow attempt that recorded it.
    var attempt: Int

    package init(key: String, seq: Int, name: String, output: Data?, error: ErrorInfo?, parallel: Bool, attempt: Int) {
        self.key = key
        self.seq = seq
        self.name = name
        self.output = output
        self.error = error
        self.parallel = parallel
        self.attempt = attempt
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

/// A workflow claimed by an executor (`steadfast.claim_workflows`).
package struct ClaimedWorkflow: Sendable {
    package var id: String
    package var name: String
    package var queue: String
    package var inputJSON: String
    package var attempt: Int
    package var steps: [RecordedStep]
}

/// The answer to starting a workflow.
package struct StartedWorkflow: Sendable {
    package var id: String
    package var status: WorkflowStatus
    package var created: Bool
}

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
    /// `created_at` exactly as the database printed it: the keyset cursor of the next page.
    var createdAtCursor: String?
}
