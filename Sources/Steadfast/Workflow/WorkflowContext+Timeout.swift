import Synchronization

extension WorkflowContext {
    /// Runs `body` as a durable step, as `step(_:retry:_:)` does, cancelling it when a run
    /// takes longer than `timeout`.
    ///
    /// A run that overruns is cancelled (its task sees `Task.isCancelled`; Swift cancellation is
    /// cooperative, so the step ends when its code notices) and counts as a failed attempt
    /// (``StepTimeoutError``): `retry` runs it again, and once the attempts run out the timeout
    /// is recorded as the step's failure — a replay throws it again without running the step.
    /// The body runs in a task of its own, hence `@Sendable`.
    /// - Parameters:
    ///   - name: The step's name.
    ///   - retry: How to retry a failing run, a timed-out one included. Defaults to ``RetryPolicy/none``.
    ///   - timeout: How long one run may take.
    ///   - body: The step's code. Its result is stored as JSON.
    public func step<Output: Codable & Sendable>(
        _ name: String,
        retry: RetryPolicy = .none,
        timeout: Duration,
        _ body: @escaping @Sendable () async throws -> Output
    ) async throws -> Output {
        try await step(name, retry: retry) { try await StepTimeoutError.run(name, timeout: timeout, body) }
    }

    /// Runs `body` as a durable step that returns nothing, cancelled past `timeout`, as the
    /// step with a result and a timeout does.
    public func step(
        _ name: String,
        retry: RetryPolicy = .none,
        timeout: Duration,
        _ body: @escaping @Sendable () async throws -> Void
    ) async throws {
        try await step(name, retry: retry) { try await StepTimeoutError.run(name, timeout: timeout, body) }
    }
}

/// A step's run took longer than the timeout given to `WorkflowContext.step(_:retry:timeout:_:)`
/// and was cancelled. It counts as a failed attempt of the step.
public struct StepTimeoutError: Error, Sendable, CustomStringConvertible {
    /// The step's name.
    public var step: String
    /// The timeout it overran.
    public var timeout: Duration

    public var description: String { "step '\(step)' timed out after \(timeout)" }

    /// Runs `body` in a task of its own and returns its result, or cancels it once `timeout`
    /// has passed and throws this error when it ends (however it ends: a result that comes
    /// after the timeout is not taken). Cancelling the caller cancels the body.
    static func run<T: Sendable>(_ step: String, timeout: Duration,
                                 _ body: @escaping @Sendable () async throws -> T) async throws -> T {
        let task = Task { try await body() }
        let timedOut = Atomic(false)
        let timer = Task {
            try await Task.sleep(for: timeout)
            timedOut.store(true, ordering: .sequentiallyConsistent)
            task.cancel()
        }
        defer { timer.cancel() }
        let result = await withTaskCancellationHandler {
            await task.result
        } onCancel: {
            task.cancel()
        }
        if timedOut.load(ordering: .sequentiallyConsistent) {
            throw StepTimeoutError(step: step, timeout: timeout)
        }
        return try result.get()
    }
}
