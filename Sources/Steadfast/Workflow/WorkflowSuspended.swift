public import Foundation

/// Ends an execution whose workflow now waits — it went to sleep
/// (``WorkflowContext/sleep(for:name:)``) or waits for children
/// (``WorkflowContext/results(of:name:)``): the workflow is `waiting` in the database, holding
/// no worker, until its wait ends. Not an error of the workflow's: let it pass.
public struct WorkflowSuspended: Error, Sendable, CustomStringConvertible {
    /// The key of the step that waits.
    public var step: String
    /// When the workflow wakes, for a sleep; `nil` for a wait that no time ends.
    public var until: Date?

    public var description: String {
        if let until { return "the workflow sleeps in step '\(step)' until \(until)" }
        return "the workflow waits in step '\(step)'"
    }
}
