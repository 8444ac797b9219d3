/// A child workflow, started by ``WorkflowContext/startChild(_:_:options:inheritDeadline:name:)``.
///
/// The child is an ordinary workflow — any worker of its queue runs it — that records its
/// parent. Cancelling the parent cancels it; it inherits the parent's deadline unless told
/// otherwise.
public struct ChildWorkflow<W: Workflow>: Sendable {
    /// The child's id: derived from the parent's id and the start step's key
    /// (`<parent id>/<step key>`) unless the start gave one.
    public let id: String
    let context: WorkflowContext

    /// The child's output, once it has finished.
    ///
    /// Until then the parent waits durably, holding no worker (see
    /// ``WorkflowContext/results(of:name:)``, of which this is the one-child case).
    /// - Parameter name: The waiting step's name. Defaults to `"await"`.
    /// - Throws: ``WorkflowFailedError`` when the child failed, was cancelled or declared dead.
    public func result(name: String = "await") async throws -> W.Output {
        try await context.results(of: [self], name: name)[0].get()
    }
}
