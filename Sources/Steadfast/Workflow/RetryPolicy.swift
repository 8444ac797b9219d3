import Foundation

/// How often, and how soon, a failing step is tried again.
///
/// The delay before retry *n* (counting from 0) is `initialDelay × backoffFactor^n`, capped at
/// `maxDelay`, then reduced by a random fraction of at most `jitter`.
public struct RetryPolicy: Sendable {
    /// Runs in all, the first included. `1` means no retry.
    public var maxAttempts: Int
    /// The delay before the first retry.
    public var initialDelay: Duration
    /// The factor by which the delay grows after each retry (`1` keeps it fixed).
    public var backoffFactor: Double
    /// The longest delay between two runs.
    public var maxDelay: Duration
    /// The largest fraction of each delay taken off at random (0…1), so many failing steps do
    /// not retry in lock step.
    public var jitter: Double
    /// Whether an error is worth retrying. Errors it rejects fail the step at once.
    public var shouldRetry: @Sendable (any Error) -> Bool

    /// A policy with every field given.
    public init(
        maxAttempts: Int,
        initialDelay: Duration = .seconds(1),
        backoffFactor: Double = 2,
        maxDelay: Duration = .seconds(60),
        jitter: Double = 0.1,
        retryIf shouldRetry: @escaping @Sendable (any Error) -> Bool = { _ in true }
    ) {
        self.maxAttempts = max(1, maxAttempts)
        self.initialDelay = initialDelay
        self.backoffFactor = max(1, backoffFactor)
        self.maxDelay = maxDelay
        self.jitter = min(max(jitter, 0), 1)
        self.shouldRetry = shouldRetry
    }

    /// Run once; a failure fails the step.
    public static let none = RetryPolicy(maxAttempts: 1)

    /// Exponential backoff. Defaults: 3 runs, 1 s, doubling, at most 60 s apart, 10 % jitter.
    public static func exponential(
        maxAttempts: Int = 3,
        initialDelay: Duration = .seconds(1),
        factor: Double = 2,
        maxDelay: Duration = .seconds(60),
        jitter: Double = 0.1,
        retryIf shouldRetry: @escaping @Sendable (any Error) -> Bool = { _ in true }
    ) -> RetryPolicy {
        RetryPolicy(maxAttempts: maxAttempts, initialDelay: initialDelay, backoffFactor: factor,
                    maxDelay: maxDelay, jitter: jitter, retryIf: shouldRetry)
    }

    /// The same delay between every run. Defaults: 3 runs, 1 s apart, no jitter.
    public static func fixed(
        maxAttempts: Int = 3,
        delay: Duration = .seconds(1),
        retryIf shouldRetry: @escaping @Sendable (any Error) -> Bool = { _ in true }
    ) -> RetryPolicy {
        RetryPolicy(maxAttempts: maxAttempts, initialDelay: delay, backoffFactor: 1, maxDelay: delay,
                    jitter: 0, retryIf: shouldRetry)
    }

    /// The delay before retry `retry` (0 for the first retry), jitter applied.
    func delay(beforeRetry retry: Int) -> Duration {
        let base = initialDelay.inSeconds * pow(backoffFactor, Double(min(retry, 1000)))
        let capped = min(base, maxDelay.inSeconds)
        let jittered = capped * (1 - jitter * Double.random(in: 0...1))
        return .milliseconds(Int64((jittered * 1000).rounded()))
    }

    /// The policy as the engine's JSON (see `steadfast._retry_policy`), for workflow retries.
    var json: [String: JSONValue] {
        [
            "kind": .string(backoffFactor == 1 ? "fixed" : "exponential"),
            "max_attempts": .number(Double(maxAttempts)),
            "base_delay": .number(initialDelay.inSeconds),
            "factor": .number(backoffFactor),
            "max_delay": .number(maxDelay.inSeconds),
            "jitter": .number(jitter),
        ]
    }
}

extension Duration {
    /// The duration in seconds, as a `Double`.
    package var inSeconds: Double {
        let (s, attoseconds) = components
        return Double(s) + Double(attoseconds) / 1e18
    }
}
