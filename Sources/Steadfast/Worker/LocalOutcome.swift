import Synchronization

/// How an execution running in this process ended, for the handle of a workflow a ``Worker``
/// started and runs itself (``Worker/start(_:_:options:)``): its result is known here the
/// moment the completion commits, without a notification's round trip.
final class LocalOutcome: Sendable {
    private enum State {
        case pending([CheckedContinuation<WorkflowExecution.Outcome?, Never>])
        case resolved(WorkflowExecution.Outcome?)
    }
    private let state = Mutex(State.pending([]))

    /// Sets the outcome (`nil`: the execution did not run) and wakes the waiters; later calls
    /// are ignored.
    func resolve(_ outcome: WorkflowExecution.Outcome?) {
        let waiters = state.withLock { state -> [CheckedContinuation<WorkflowExecution.Outcome?, Never>] in
            guard case .pending(let waiters) = state else { return [] }
            state = .resolved(outcome)
            return waiters
        }
        for waiter in waiters { waiter.resume(returning: outcome) }
    }

    /// The outcome, once the execution has ended.
    var value: WorkflowExecution.Outcome? {
        get async {
            await withCheckedContinuation { continuation in
                let resolved = state.withLock { state -> WorkflowExecution.Outcome?? in
                    switch state {
                    case .pending(let waiters):
                        state = .pending(waiters + [continuation])
                        return .none
                    case .resolved(let outcome):
                        return .some(outcome)
                    }
                }
                if case .some(let outcome) = resolved { continuation.resume(returning: outcome) }
            }
        }
    }
}
