import CoreMetrics
import Foundation
package import Tracing
import Synchronization

/// A client's or worker's tracer and metrics, resolved from its ``Observability``: spans made
/// with the W3C trace context a workflow carries, and metric objects made once per label and
/// dimensions. Both are skipped outright when their backend is the no-op one.
package final class Telemetry: Sendable {
    /// `nil` when tracing is off (the no-op tracer).
    let tracer: (any Tracer)?
    /// `nil` when metrics are off (the no-op factory).
    let factory: (any MetricsFactory)?
    private let counters = Mutex<[String: Counter]>([:])
    /// The metrics of each workflow name and queue, made at its first execution here.
    private let workflows = Mutex<[String: WorkflowMetrics]>([:])
    /// The metrics without labels (or with a fixed set), made once.
    let claimBatchSize: Recorder?
    let checkpointBatchSize: Recorder?
    let slotsUsed: Gauge?
    let slotsAvailable: Gauge?

    /// Off: no span, no metric.
    package static let off = Telemetry(tracer: nil, factory: nil)

    package convenience init(_ observability: Observability) {
        let tracer = observability.tracer ?? InstrumentationSystem.tracer
        let factory = observability.metricsFactory ?? MetricsSystem.factory
        self.init(tracer: tracer is NoOpTracer ? nil : tracer,
                  factory: factory is NOOPMetricsHandler ? nil : factory)
    }

    private init(tracer: (any Tracer)?, factory: (any MetricsFactory)?) {
        self.tracer = tracer
        self.factory = factory
        claimBatchSize = factory.map { Recorder(label: Metric.claimBatchSize, dimensions: [], aggregate: true, factory: $0) }
        checkpointBatchSize = factory.map { Recorder(label: Metric.checkpointBatchSize, dimensions: [], aggregate: true, factory: $0) }
        slotsUsed = factory.map { Gauge(label: Metric.slotsUsed, dimensions: [], factory: $0) }
        slotsAvailable = factory.map { Gauge(label: Metric.slotsAvailable, dimensions: [], factory: $0) }
    }

    var isTracing: Bool { tracer != nil }

    // MARK: Tracing

    /// Runs `body` in a span named `name`, child of `context` (default: the task's current
    /// context), as the task's current context; the span records the error `body` throws and
    /// ends when `body` returns. Without a tracer, runs `body` with `nil` (and neither the name
    /// nor the context is computed).
    package func withSpan<T>(_ name: @autoclosure () -> String, context: @autoclosure () -> ServiceContext? = nil,
                             ofKind kind: SpanKind = .internal,
                             _ body: ((any Span)?) async throws -> T) async rethrows -> T {
        guard let tracer else { return try await body(nil) }
        let span = tracer.startSpan(name(), context: context() ?? ServiceContext.current ?? .topLevel, ofKind: kind)
        defer { span.end() }
        do {
            return try await ServiceContext.$current.withValue(span.context) { try await body(span) }
        } catch {
            span.recordError(error)
            span.setStatus(SpanStatus(code: .error))
            throw error
        }
    }

    /// Runs a start of workflows named `workflowName` in its span (`StartWorkflow <name>`,
    /// producer), giving `body` the start options that carry the span's trace context (which
    /// the engine stores with each workflow it creates).
    package func withStartSpan<T>(_ workflowName: String,
                          _ body: (_ traceOptions: [String: JSONValue], _ span: (any Span)?) async throws -> T) async rethrows -> T {
        guard isTracing else { return try await body([:], nil) }
        return try await withSpan("StartWorkflow \(workflowName)", ofKind: .producer) { span in
            span?.attributes[TraceAttribute.workflowName] = workflowName
            return try await body(traceOptions(), span)
        }
    }

    /// Counts `count` workflows created by this process.
    func started(_ workflowName: String, queue: String, count: Int = 1) {
        guard count > 0 else { return }
        increment(Metric.workflowsStarted, [("workflow", workflowName), ("queue", queue)], by: count)
    }

    /// A span that begins and ends now (a replayed step): only its attributes say anything.
    func instantSpan(_ name: @autoclosure () -> String, attributes: (inout SpanAttributes) -> Void) {
        guard let tracer else { return }
        let span = tracer.startSpan(name(), context: ServiceContext.current ?? .topLevel, ofKind: .internal)
        span.updateAttributes { attributes(&$0) }
        span.end()
    }

    /// The W3C trace context of the task's current span as start options (`traceparent`,
    /// `tracestate`), the keys the engine stores with a new workflow; empty without a tracer
    /// or a current context.
    func traceOptions() -> [String: JSONValue] {
        guard let tracer, let context = ServiceContext.current else { return [:] }
        var carrier: [String: String] = [:]
        tracer.inject(context, into: &carrier, using: DictionaryInjector())
        var options: [String: JSONValue] = [:]
        if let traceparent = carrier["traceparent"] { options["traceparent"] = .string(traceparent) }
        if let tracestate = carrier["tracestate"], !tracestate.isEmpty { options["tracestate"] = .string(tracestate) }
        return options
    }

    /// The context a workflow's starter gave (its stored `traceparent` and `tracestate`), for
    /// an execution's span to join; the top-level context when it has none.
    func starterContext(traceparent: String?, tracestate: String?) -> ServiceContext {
        var context = ServiceContext.topLevel
        guard let tracer, let traceparent else { return context }
        var carrier = ["traceparent": traceparent]
        if let tracestate { carrier["tracestate"] = tracestate }
        tracer.extract(carrier, into: &context, using: DictionaryExtractor())
        return context
    }

    // MARK: Metrics

    /// Adds `amount` to the counter `label` with `dimensions`.
    func increment(_ label: String, _ dimensions: [(String, String)] = [], by amount: Int = 1) {
        guard let factory else { return }
        let counter = counters.withLock { counters in
            let key = Self.key(label, dimensions)
            if let counter = counters[key] { return counter }
            let counter = Counter(label: label, dimensions: dimensions, factory: factory)
            counters[key] = counter
            return counter
        }
        counter.increment(by: amount)
    }

    /// The metrics of executions of `workflow` from `queue`; `nil` when metrics are off.
    func workflowMetrics(_ workflow: String, queue: String) -> WorkflowMetrics? {
        guard let factory else { return nil }
        return workflows.withLock { workflows in
            let key = workflow + "\u{1}" + queue
            if let metrics = workflows[key] { return metrics }
            let metrics = WorkflowMetrics(workflow: workflow, queue: queue, factory: factory)
            workflows[key] = metrics
            return metrics
        }
    }

    var isMeasuring: Bool { factory != nil }

    private static func key(_ label: String, _ dimensions: [(String, String)]) -> String {
        var key = label
        for (name, value) in dimensions {
            key += "\u{1}" + name + "\u{2}" + value
        }
        return key
    }
}

/// The metrics of one workflow name's executions from one queue, made once: an execution
/// updates them without a look-up.
final class WorkflowMetrics: Sendable {
    let executionsStarted: Counter
    let recoveries: Counter
    let succeeded: Counter
    let failed: Counter
    let retries: Counter
    let cancelled: Counter
    let fenced: Counter
    let scheduleToStart: CoreMetrics.Timer
    private let workflow: String
    private let queue: String
    private let factory: any MetricsFactory
    /// Step durations, by step name and outcome.
    private let steps = Mutex<[String: CoreMetrics.Timer]>([:])

    init(workflow: String, queue: String, factory: any MetricsFactory) {
        let dimensions = [("workflow", workflow), ("queue", queue)]
        executionsStarted = Counter(label: Metric.executionsStarted, dimensions: dimensions, factory: factory)
        recoveries = Counter(label: Metric.recoveries, dimensions: dimensions, factory: factory)
        succeeded = Counter(label: Metric.workflowsSucceeded, dimensions: dimensions, factory: factory)
        failed = Counter(label: Metric.workflowsFailed, dimensions: dimensions, factory: factory)
        retries = Counter(label: Metric.workflowRetries, dimensions: dimensions, factory: factory)
        cancelled = Counter(label: Metric.workflowsCancelled, dimensions: dimensions, factory: factory)
        fenced = Counter(label: Metric.fencedWrites, dimensions: [("workflow", workflow)], factory: factory)
        scheduleToStart = CoreMetrics.Timer(label: Metric.scheduleToStart, dimensions: dimensions, factory: factory)
        self.workflow = workflow
        self.queue = queue
        self.factory = factory
    }

    /// Records how long step `name` took, succeeded or failed.
    func stepEnded(_ name: String, failed: Bool, seconds: Double) {
        let timer = steps.withLock { steps in
            let key = failed ? name + "\u{1}f" : name
            if let timer = steps[key] { return timer }
            let timer = CoreMetrics.Timer(label: Metric.stepDuration,
                                          dimensions: [("workflow", workflow), ("queue", queue), ("step", name),
                                                       ("outcome", failed ? "failed" : "succeeded")],
                                          factory: factory)
            steps[key] = timer
            return timer
        }
        timer.recordSeconds(max(0, seconds))
    }
}

/// Writes a trace context into a string dictionary (the W3C headers' names as keys).
struct DictionaryInjector: Injector {
    func inject(_ value: String, forKey key: String, into carrier: inout [String: String]) {
        carrier[key] = value
    }
}

/// Reads a trace context from a string dictionary.
struct DictionaryExtractor: Extractor {
    func extract(key: String, from carrier: [String: String]) -> String? {
        carrier[key]
    }
}
