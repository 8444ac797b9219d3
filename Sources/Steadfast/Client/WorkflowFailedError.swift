/// A workflow whose result was awaited finished without an output: it failed, was cancelled,
/// or was declared dead.
public struct WorkflowFailedError: Error, Sendable, CustomStringConvertible {
    /// The workflow's id.
    public var workflowID: String
    /// How it finished: ``WorkflowStatus/failed``, ``WorkflowStatus/cancelled`` or ``WorkflowStatus/dead``.
    public var status: WorkflowStatus
    /// The error it recorded, if any.
    public var error: ErrorInfo?

    public var description: String {
        "workflow \(workflowID) \(status.rawValue)" + (error.map { ": \($0.message)" } ?? "")
    }
}
