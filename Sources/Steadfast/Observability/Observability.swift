public import CoreMetrics
public import Tracing

/// Where a ``Client`` or a ``Worker`` sends its traces and metrics.
///
/// Steadfast uses the swift-distributed-tracing and swift-metrics APIs and ships no exporter:
/// the application bootstraps its backends (for example swift-otel, or swift-prometheus), and
/// by default both follow what was bootstrapped (`InstrumentationSystem`, `MetricsSystem`)
/// when the client connects or the worker starts running. When nothing was bootstrapped, no
/// span and no metric is made at all.
///
/// What is traced: a span `StartWorkflow <name>` (producer) around each start, whose W3C trace
/// context (`traceparent`, `tracestate`) is stored with the workflow; a span
/// `RunWorkflow <name>` (consumer) per execution — first run, retry, wake-up, recovery on
/// another worker, resume, fork — each a child of that stored context, so every execution of a
/// workflow is in its starter's trace; a span `Step <key>` per step, child of the execution's,
/// replayed steps included (`steadfast.step.replayed` true). A child workflow's start is a
/// step whose span is its executions' parent. The metrics are listed in the README
/// ("Observability").
public struct Observability: Sendable {
    /// The tracer. Defaults to `nil`: `InstrumentationSystem.tracer`.
    public var tracer: (any Tracer)?
    /// The metrics factory. Defaults to `nil`: `MetricsSystem.factory`.
    public var metricsFactory: (any MetricsFactory)?

    /// Creates an observability setting; `nil` arguments follow the bootstrapped systems.
    public init(tracer: (any Tracer)? = nil, metricsFactory: (any MetricsFactory)? = nil) {
        self.tracer = tracer
        self.metricsFactory = metricsFactory
    }
}
