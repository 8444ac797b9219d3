public import Foundation

/// How to start a workflow.
public struct StartOptions: Sendable {
    /// What a start does when an active workflow of its queue already holds its
    /// ``StartOptions/deduplicationKey``.
    public enum DuplicatePolicy: Sendable, Hashable {
        /// Return the workflow holding the key (its handle has `created == false`). A holder
        /// of another workflow type is still an error (``SteadfastError/Code/duplicate``).
        case returnExisting
        /// Throw ``SteadfastError`` with code ``SteadfastError/Code/duplicate``.
        case fail
    }

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
    /// At most one active (enqueued, running or waiting) workflow per queue holds a key: while
    /// one does, starting another with the key returns it or fails, as ``onDuplicate`` says.
    /// The key is free again once the holder finishes, fails or is cancelled. Unlike ``id``,
    /// which names one workflow forever, a key only guards against running the same thing
    /// twice at once (for example `"sync-customer-42"`). Defaults to `nil`: no deduplication.
    public var deduplicationKey: String?
    /// What to do when ``deduplicationKey`` is held. Defaults to ``DuplicatePolicy/returnExisting``.
    public var onDuplicate: DuplicatePolicy
    /// The partition the workflow belongs to (for example a customer id). A queue with a
    /// partition concurrency (``Queue/partitionConcurrency``) runs at most that many workflows
    /// of one partition at once and serves partitions in turn, so one customer's backlog
    /// cannot starve the others. Defaults to `nil`: no partition.
    public var partitionKey: String?
    /// How long the workflow may take, from its start: its deadline is the start plus this
    /// (computed by the database). Defaults to `nil`: no timeout.
    public var timeout: Duration?
    /// When the workflow must have finished. Once its deadline (the earlier of this and the
    /// timeout's) passes, the next claim by any worker cancels it — enqueued, running (its
    /// worker stops its code) or waiting — with the reason "deadline exceeded", and its
    /// unfinished descendants with it. Defaults to `nil`: no deadline.
    public var deadline: Date?

    /// Creates options; every argument has the default documented on its property.
    public init(id: String? = nil, queue: String = "default", priority: Int = 0, delay: Duration? = nil,
                retry: RetryPolicy? = nil, maxRecoveryAttempts: Int? = nil, appVersion: String? = nil,
                deduplicationKey: String? = nil, onDuplicate: DuplicatePolicy = .returnExisting,
                partitionKey: String? = nil, timeout: Duration? = nil, deadline: Date? = nil) {
        self.timeout = timeout
        self.deadline = deadline
        self.id = id
        self.queue = queue
        self.priority = priority
        self.delay = delay
        self.retry = retry
        self.maxRecoveryAttempts = maxRecoveryAttempts
        self.appVersion = appVersion
        self.deduplicationKey = deduplicationKey
        self.onDuplicate = onDuplicate
        self.partitionKey = partitionKey
    }

    /// The options object of `steadfast.start_workflow`.
    package var json: [String: JSONValue] {
        var options: [String: JSONValue] = ["queue": .string(queue), "priority": .int(Int64(priority))]
        if let delay { options["delay_seconds"] = .number(delay.inSeconds) }
        if let retry { options["retry"] = .object(retry.json) }
        if let maxRecoveryAttempts { options["max_recovery_attempts"] = .int(Int64(maxRecoveryAttempts)) }
        if let appVersion { options["app_version"] = .string(appVersion) }
        if let deduplicationKey {
            options["dedup_key"] = .string(deduplicationKey)
            options["dedup_policy"] = .string(onDuplicate == .fail ? "error" : "return")
        }
        if let partitionKey { options["partition_key"] = .string(partitionKey) }
        if let timeout { options["timeout_seconds"] = .number(timeout.inSeconds) }
        if let deadline { options["deadline"] = .number(deadline.timeIntervalSince1970) }
        return options
    }
}
