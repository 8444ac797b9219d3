public import Foundation
public import Steadfast

/// One execution of a workflow by ``SteadfastTestEnvironment``: how it ended and which steps it
/// ran or replayed.
public struct TestRun<Output: Codable & Sendable>: Sendable {
    /// How an execution ended.
    public enum Outcome: Sendable {
        /// The workflow completed with this output.
        case succeeded(Output)
        /// The workflow failed; `willRetry` when its retry policy put it back in the queue.
        case failed(ErrorInfo, willRetry: Bool)
        /// The execution was crashed on purpose (``SteadfastTestEnvironment/run(_:_:id:options:replacing:preRecorded:crashAfterStep:)``'s
        /// `crashAfterStep`): its executor's session is gone, as after `kill -9`.
        case crashed
        /// Another execution owned the workflow: this one's writes were refused.
        case abandoned
        /// The workflow went to sleep (`WorkflowContext/sleep(for:name:)`) until this time:
        /// it is `waiting`, and a claim of its queue after that time wakes it.
        case sleeping(until: Date)
        /// The workflow waits for children (`WorkflowContext/results(of:name:)`) or a message
        /// (`WorkflowContext/receive(_:topic:timeout:name:)`): it is `waiting` until they
        /// finish or the message comes.
        case waiting
    }

    /// The workflow's id.
    public let workflowID: String
    /// The claim this execution held (1 for the first execution, +1 per reclaim).
    public let attempt: Int
    /// How it ended.
    public let outcome: Outcome
    /// The keys of the steps whose code this execution ran, in the order they were recorded.
    public let executedSteps: [String]
    /// The keys of the steps this execution returned from their checkpoints without running them.
    public let replayedSteps: [String]

    /// The output, when the workflow succeeded.
    /// - Throws: ``TestRunError`` describing the outcome otherwise.
    public func output() throws -> Output {
        guard case .succeeded(let output) = outcome else {
            throw TestRunError(workflowID: workflowID, description: "workflow \(workflowID) did not succeed: \(outcome)")
        }
        return output
    }
}

/// A ``TestRun`` did not end the way the test expected.
public struct TestRunError: Error, Sendable, CustomStringConvertible {
    /// The workflow's id.
    public let workflowID: String
    /// What happened instead.
    public let description: String
}
