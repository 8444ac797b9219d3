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
