public import Foundation

/// A queue and its flow-control settings, defined in code and written to the database with
/// ``Client/defineQueue(_:)``.
///
/// Every setting is enforced by the engine when workers claim, whichever worker or language
/// claims: a limit holds across all worker processes. `nil` imposes nothing.
///
/// ```swift
/// try await client.defineQueue(Queue("emails", concurrency: 5,
///                                    rateLimit: .init(starts: 100, per: .seconds(60))))
/// try await client.defineQueue(Queue("exports", partitionConcurrency: 1))   // one per customer
/// ```
///
/// Limits count running workflows; a workflow waiting on a sleep or a message holds no slot.
/// A limit of 0 lets nothing start: the queue is paused.
public struct Queue: Sendable, Hashable {
    /// At most ``starts`` starts in any window of ``period``.
    public struct RateLimit: Sendable, Hashable {
        /// How many workflows may start per period.
        public var starts: Int
        /// The length of the rolling window (more than zero, at most a year).
        public var period: Duration

        /// A rate limit of `starts` per `period`.
        public init(starts: Int, per period: Duration) {
            self.starts = starts
            self.period = period
        }
    }

    /// The queue's name (1…200 characters).
    public var name: String
    /// At most this many of the queue's workflows run at once, across all workers. Defaults to
    /// `nil`: no limit.
    public var concurrency: Int?
    /// At most this many of the queue's workflows run at once on one worker (executor), on
    /// top of the worker's own ``Worker/Configuration/concurrency``. Defaults to `nil`.
    public var workerConcurrency: Int?
    /// At most ``RateLimit/starts`` workflows start in any window of ``RateLimit/period``. A
    /// start is every claim that hands a workflow to a worker: its first run, and each retry
    /// or re-run after a crash. Defaults to `nil`: no limit.
    public var rateLimit: RateLimit?
    /// At most this many workflows of one ``StartOptions/partitionKey`` run at once; partitions
    /// are served in turn, so one partition's backlog cannot starve the others. Workflows
    /// without a key are not limited by it. Defaults to `nil`: no limit.
    public var partitionConcurrency: Int?

    /// Creates a queue definition; every setting defaults to `nil` (no limit).
    public init(_ name: String, concurrency: Int? = nil, workerConcurrency: Int? = nil, rateLimit: RateLimit? = nil,
                partitionConcurrency: Int? = nil) {
        self.name = name
        self.concurrency = concurrency
        self.workerConcurrency = workerConcurrency
        self.rateLimit = rateLimit
        self.partitionConcurrency = partitionConcurrency
    }

    /// The options object of `steadfast.create_queue` and `steadfast.define_queue`: every
    /// setting, `null` for none.
    var settingsJSON: [String: JSONValue] {
        [
            "concurrency": concurrency.map { .int(Int64($0)) } ?? .null,
            "worker_concurrency": workerConcurrency.map { .int(Int64($0)) } ?? .null,
            "partition_concurrency": partitionConcurrency.map { .int(Int64($0)) } ?? .null,
            "rate_limit": rateLimit.map { .int(Int64($0.starts)) } ?? .null,
            "rate_period": rateLimit.map { .number($0.period.inSeconds) } ?? .null,
        ]
    }
}

/// A queue as the database has it now: its settings and what it holds
/// (`steadfast.list_queues`, the view `steadfast.queue_stats`).
public struct QueueStatus: Sendable, Hashable {
    /// The queue's settings.
    public var queue: Queue
    /// Workflows waiting to be claimed, including ``delayed`` ones.
    public var enqueued: Int
    /// Of ``enqueued``, those not claimable before a later time (delayed starts, retry backoffs).
    public var delayed: Int
    /// Workflows held by workers.
    public var running: Int
    /// Workflows suspended on a sleep, message, event or child.
    public var waiting: Int
    /// How long the oldest claimable workflow has waited since it became claimable; `nil`
    /// when none waits.
    public var oldestEnqueuedAge: Duration?
    /// When the queue was created.
    public var createdAt: Date
    /// When its settings last changed.
    public var updatedAt: Date
}
