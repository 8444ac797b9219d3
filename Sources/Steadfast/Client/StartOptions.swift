import Foundation

/// How to start a workflow.
public struct StartOptions: Sendable {
    /// The workflow's id, for idempotency: starting the same id again returns the existing
    /// workflow. Defaults to `nil`: a new UUID.
    public var id: String?
    /// The queue to run from. Defaults to `"default"`.
    public var queue: String
    /// Lower runs first within the queue; FIFO among equals. Defaults to 0.
    public var priority: Int
    /// Not claimable before this delay has passed. Defaults to `nil`: at once.
    public var delay: Duration?
    /// How to retry the whole workflow when its code throws (steps have their own retries).
    /// Defaults to `nil`: a failure is final.
    public var retry: RetryPolicy?
    /// How often the workflow may be claimed without finishing (its worker crashed) before it
    /// is declared dead. Defaults to `nil`: the engine's default, 10.
    public var maxRecoveryAttempts: Int?
    /// The application version it must run under. Defaults to `nil`: any worker.
    public var appVersion: String?

    /// Creates options; every argument has the default documented on its property.
    public init(id: String? = nil, queue: String = "default", priority: Int = 0, delay: Duration? = nil,
                retry: RetryPolicy? = nil, maxRecoveryAttempts: Int? = nil, appVersion: String? = nil) {
        self.id = id
        self.queue = queue
        self.priority = priority
        self.delay = delay
        self.retry = retry
        self.maxRecoveryAttempts = maxRecoveryAttempts
        self.appVersion = appVersion
    }

    /// The options object of `steadfast.start_workflow`.
    var json: [String: JSONValue] {
        var options: [String: JSONValue] = ["queue": .string(queue), "priority": .int(Int64(priority))]
        if let delay { options["delay_seconds"] = .number(delay.inSeconds) }
        if let retry { options["retry"] = .object(retry.json) }
        if let maxRecoveryAttempts { options["max_recovery_attempts"] = .int(Int64(maxRecoveryAttempts)) }
        if let appVersion { options["app_version"] = .string(appVersion) }
        return options
    }
}
