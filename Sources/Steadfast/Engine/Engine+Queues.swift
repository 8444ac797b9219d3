import Foundation

/// Queues (sql/15_queues.sql): `create_queue`, `define_queue`, `alter_queue`, `delete_queue`,
/// `list_queues`.
extension Engine {

    /// `create_queue`: creates the queue with these settings, or leaves an existing one as it
    /// is. Returns whether it was created.
    func createQueue(name: String, settings: [String: JSONValue]) async throws -> Bool {
        let rows = try await pool.query("select created from steadfast.create_queue($1, $2::jsonb)",
                                        [name, try JSONCoding.encode(settings)])
        return try rows.first?.bool("created") ?? false
    }

    /// `define_queue`: creates the queue, or gives an existing one exactly these settings (an
    /// absent one is cleared). Returns whether it was created.
    func defineQueue(name: String, settings: [String: JSONValue]) async throws -> Bool {
        let rows = try await pool.query("select created from steadfast.define_queue($1, $2::jsonb)",
                                        [name, try JSONCoding.encode(settings)])
        return try rows.first?.bool("created") ?? false
    }

    /// `alter_queue`: changes the settings named in `options` (`null` clears one); returns the
    /// queue's settings after the change.
    func alterQueue(name: String, options: [String: JSONValue]) async throws -> Queue {
        let rows = try await pool.query(
            """
            select queue, concurrency, worker_concurrency, partition_concurrency, rate_limit, rate_period
            from steadfast.alter_queue($1, $2::jsonb)
            """, [name, try JSONCoding.encode(options)])
        guard let row = rows.first else {
            throw SteadfastError(.decodingFailed, message: "alter_queue returned no row")
        }
        return try Self.queue(row)
    }

    /// A queue's settings from a row of `list_queues` or `alter_queue`.
    static func queue(_ row: Row) throws -> Queue {
        var rateLimit: Queue.RateLimit?
        if let starts = try row.decodeIfPresent("rate_limit", as: Int.self),
           let period = try row.decodeIfPresent("rate_period", as: Double.self) {
            rateLimit = Queue.RateLimit(starts: starts, per: .seconds(period))
        }
        return Queue(try row.string("queue"),
                     concurrency: try row.decodeIfPresent("concurrency", as: Int.self),
                     workerConcurrency: try row.decodeIfPresent("worker_concurrency", as: Int.self),
                     rateLimit: rateLimit,
                     partitionConcurrency: try row.decodeIfPresent("partition_concurrency", as: Int.self))
    }

    /// `delete_queue`.
    func deleteQueue(name: String) async throws {
        _ = try await pool.query("select steadfast.delete_queue($1)", [name])
    }

    /// `list_queues`: every queue with its settings and counts, by name.
    func queues() async throws -> [QueueStatus] {
        let rows = try await pool.query(
            """
            select queue, enqueued, delayed, running, waiting, oldest_enqueued_age, concurrency, worker_concurrency,
                   partition_concurrency, rate_limit, rate_period, created_at, updated_at
            from steadfast.list_queues()
            """)
        return try rows.map { row in
            let queue = try Self.queue(row)
            return QueueStatus(
                queue: queue, enqueued: try row.int("enqueued"), delayed: try row.int("delayed"),
                running: try row.int("running"), waiting: try row.int("waiting"),
                oldestEnqueuedAge: try row.decodeIfPresent("oldest_enqueued_age", as: Double.self).map { .seconds($0) },
                createdAt: try row.decode("created_at", as: Date.self),
                updatedAt: try row.decode("updated_at", as: Date.self))
        }
    }

}
