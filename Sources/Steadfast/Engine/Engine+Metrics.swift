package import Foundation

/// Monitoring (sql/76_metrics.sql): `steadfast.metrics()`.
extension Engine {
    /// `metrics()`: the engine's gauges, one per (metric, queue, label).
    func metrics() async throws -> [MetricSample] {
        try await pool.query("select metric, queue, label, value from steadfast.metrics()").map { row in
            MetricSample(metric: try row.string("metric"), queue: try row.value("queue"), label: try row.value("label"),
                         value: try row.double("value"))
        }
    }
}

/// One value of `steadfast.metrics()`: unfinished workflows by queue and status, the claimable
/// backlog and its age, waiting workflows by kind, executors by state, stranded workflows.
public struct MetricSample: Sendable, Hashable, Codable {
    /// The metric's name, e.g. `steadfast_workflows`.
    public var metric: String
    /// The queue it counts, when it counts one.
    public var queue: String?
    /// What it counts within the queue: a status, a kind of wait, an executor state.
    public var label: String?
    public var value: Double
}

extension Client {
    /// The engine's gauges (`steadfast.metrics()`), read as a monitoring agent reads them.
    public func metrics() async throws -> [MetricSample] {
        try await engine.metrics()
    }
}
