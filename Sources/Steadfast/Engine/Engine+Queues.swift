import Foundation

/// Queues and batch starts: `create_queue`, `define_queue`, `delete_queue`, `list_queues`,
/// `start_workflows`.
extension Engine {
    /// One element of a batch start.
    struct BatchStart: Sendable {
        var id: String?
        var name: String
        var inputJSON: String
        var options: [String: JSONValue]
    }

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
            var rateLimit: Queue.RateLimit?
            if let starts = try row.decodeIfPresent("rate_limit", as: Int.self),
               let period = try row.decodeIfPresent("rate_period", as: Double.self) {
                rateLimit = Queue.RateLimit(starts: starts, per: .seconds(period))
            }
            let queue = Queue(try row.string("queue"),
                              concurrency: try row.decodeIfPresent("concurrency", as: Int.self),
                              workerConcurrency: try row.decodeIfPresent("worker_concurrency", as: Int.self),
                              rateLimit: rateLimit,
                              partitionConcurrency: try row.decodeIfPresent("partition_concurrency", as: Int.self))
            return QueueStatus(
                queue: queue, enqueued: try row.int("enqueued"), delayed: try row.int("delayed"),
                running: try row.int("running"), waiting: try row.int("waiting"),
                oldestEnqueuedAge: try row.decodeIfPresent("oldest_enqueued_age", as: Double.self).map { .seconds($0) },
                createdAt: try row.decode("created_at", as: Date.self),
                updatedAt: try row.decode("updated_at", as: Date.self))
        }
    }

    /// `start_workflows`: the batch in one call and one transaction; one result per element,
    /// in order.
    func startBatch(_ batch: [BatchStart]) async throws -> [StartedWorkflow] {
        guard !batch.isEmpty else { return [] }
        // Inputs are JSON already: the array is assembled as text around them.
        // Batches usually share their options: each distinct options object is encoded once.
        var encodedOptions: [[String: JSONValue]: String] = [:]
        var elements: [String] = []
        elements.reserveCapacity(batch.count)
        for element in batch {
            let options: String
            if let known = encodedOptions[element.options] {
                options = known
            } else {
                options = try JSONCoding.encode(element.options)
                encodedOptions[element.options] = options
            }
            var json = "{\"name\":" + JSONCoding.quoted(element.name) + ",\"input\":" + element.inputJSON + ",\"options\":" + options
            if let id = element.id { json += ",\"workflow_id\":" + JSONCoding.quoted(id) }
            elements.append(json + "}")
        }
        let rows = try await pool.query(
            "select workflow_id, status, created from steadfast.start_workflows($1::jsonb) order by ordinal",
            ["[" + elements.joined(separator: ",") + "]"])
        return try rows.map { row in
            StartedWorkflow(id: try row.string("workflow_id"), status: try Self.status(row.string("status")),
                            created: try row.bool("created"))
        }
    }
}
