/// A change to some of a queue's settings, applied with ``Client/alterQueue(_:_:)``
/// (`steadfast.alter_queue`): each setting is kept, set or cleared; the others stay as they are.
///
/// ```swift
/// try await client.alterQueue("emails", QueueChanges(concurrency: .set(0)))      // pause it
/// try await client.alterQueue("emails", QueueChanges(concurrency: .set(5), rateLimit: .clear))
/// ```
public struct QueueChanges: Sendable, Hashable {
    /// What happens to one setting.
    public enum Change<Value: Sendable & Hashable>: Sendable, Hashable {
        /// Left as it is.
        case keep
        /// Set to this value.
        case set(Value)
        /// Cleared: no limit.
        case clear
    }

    /// See ``Queue/concurrency``.
    public var concurrency: Change<Int>
    /// See ``Queue/workerConcurrency``.
    public var workerConcurrency: Change<Int>
    /// See ``Queue/partitionConcurrency``.
    public var partitionConcurrency: Change<Int>
    /// See ``Queue/rateLimit``.
    public var rateLimit: Change<Queue.RateLimit>

    /// A change; every setting defaults to ``Change/keep``.
    public init(concurrency: Change<Int> = .keep, workerConcurrency: Change<Int> = .keep,
                partitionConcurrency: Change<Int> = .keep, rateLimit: Change<Queue.RateLimit> = .keep) {
        self.concurrency = concurrency
        self.workerConcurrency = workerConcurrency
        self.partitionConcurrency = partitionConcurrency
        self.rateLimit = rateLimit
    }

    /// Whether it changes nothing.
    public var isEmpty: Bool {
        concurrency == .keep && workerConcurrency == .keep && partitionConcurrency == .keep && rateLimit == .keep
    }

    /// The options object of `steadfast.alter_queue`: only the settings that change, `null`
    /// for a cleared one.
    var optionsJSON: [String: JSONValue] {
        var options: [String: JSONValue] = [:]
        func put(_ key: String, _ change: Change<Int>) {
            switch change {
            case .keep: break
            case .set(let value): options[key] = .int(Int64(value))
            case .clear: options[key] = .null
            }
        }
        put("concurrency", concurrency)
        put("worker_concurrency", workerConcurrency)
        put("partition_concurrency", partitionConcurrency)
        switch rateLimit {
        case .keep: break
        case .set(let limit):
            options["rate_limit"] = .int(Int64(limit.starts))
            options["rate_period"] = .number(limit.period.inSeconds)
        case .clear:
            options["rate_limit"] = .null
            options["rate_period"] = .null
        }
        return options
    }
}
