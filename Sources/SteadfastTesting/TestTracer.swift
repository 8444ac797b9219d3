import Foundation
import Synchronization
public import Tracing

/// A tracer for tests: it propagates the W3C trace context (`traceparent`, `tracestate`) as
/// OpenTelemetry's default propagator does, so a workflow's stored context works as it would
/// in production, and it keeps the spans that ended for assertions.
///
/// ```swift
/// let tracer = TestTracer()
/// let client = try await Client.connect(database, observability: Observability(tracer: tracer))
/// // … run a workflow …
/// let run = tracer.spans(named: "RunWorkflow Checkout").first!
/// #expect(tracer.spans.filter { $0.parentSpanID == run.spanID }.map(\.name) == ["Step reserve", "Step charge"])
/// ```
public final class TestTracer: Tracer, Sendable {
    public typealias Span = TestSpan

    /// A span that ended, its attributes as text.
    public struct FinishedSpan: Sendable, Codable {
        public var name: String
        public var traceID: String
        public var spanID: String
        public var parentSpanID: String?
        public var attributes: [String: String]
        /// Whether its status was set to error.
        public var isError: Bool

        /// The attribute named `attribute`, as text.
        public subscript(_ attribute: String) -> String? { attributes[attribute] }
    }

    /// The ids of a span, carried in its context.
    struct IDs: Sendable {
        var traceID: String
        var spanID: String
        var traceState: String?
    }

    enum IDsKey: ServiceContextKey {
        typealias Value = IDs
    }

    private let finished = Mutex<[FinishedSpan]>([])
    private let keepsSpans: Bool
    private let onEnd: (@Sendable (FinishedSpan) -> Void)?

    /// - Parameters:
    ///   - keepsSpans: Whether ``spans`` keeps the spans that ended. Defaults to `true`.
    ///   - onEnd: Called with each span as it ends (a test process writes them to a file).
    public init(keepsSpans: Bool = true, onEnd: (@Sendable (FinishedSpan) -> Void)? = nil) {
        self.keepsSpans = keepsSpans
        self.onEnd = onEnd
    }

    /// The spans that ended, in the order they ended.
    public var spans: [FinishedSpan] { finished.withLock { $0 } }

    /// The spans named `name` that ended.
    public func spans(named name: String) -> [FinishedSpan] { spans.filter { $0.name == name } }

    public func startSpan<Instant: TracerInstant>(_ operationName: String, context: @autoclosure () -> ServiceContext,
                                                  ofKind kind: SpanKind, at instant: @autoclosure () -> Instant,
                                                  function: String, file fileID: String, line: UInt) -> TestSpan {
        var spanContext = context()
        let parent = spanContext[IDsKey.self]
        let ids = IDs(traceID: parent?.traceID ?? Self.hex() + Self.hex(), spanID: Self.hex(), traceState: parent?.traceState)
        spanContext[IDsKey.self] = ids
        return TestSpan(name: operationName, context: spanContext, ids: ids, parentSpanID: parent?.spanID, tracer: self)
    }

    public func forceFlush() {}

    public func inject<Carrier, Inject: Injector>(_ context: ServiceContext, into carrier: inout Carrier, using injector: Inject)
    where Inject.Carrier == Carrier {
        guard let ids = context[IDsKey.self] else { return }
        injector.inject("00-\(ids.traceID)-\(ids.spanID)-01", forKey: "traceparent", into: &carrier)
        if let state = ids.traceState { injector.inject(state, forKey: "tracestate", into: &carrier) }
    }

    public func extract<Carrier, Extract: Extractor>(_ carrier: Carrier, into context: inout ServiceContext, using extractor: Extract)
    where Extract.Carrier == Carrier {
        guard let traceparent = extractor.extract(key: "traceparent", from: carrier) else { return }
        let parts = traceparent.split(separator: "-")
        guard parts.count == 4, parts[1].utf8.count == 32, parts[2].utf8.count == 16 else { return }
        context[IDsKey.self] = IDs(traceID: String(parts[1]), spanID: String(parts[2]),
                                   traceState: extractor.extract(key: "tracestate", from: carrier))
    }

    /// Whether an ended span must be turned into a ``FinishedSpan`` at all.
    var recordsSpans: Bool { keepsSpans || onEnd != nil }

    func ended(_ span: FinishedSpan) {
        if keepsSpans { finished.withLock { $0.append(span) } }
        onEnd?(span)
    }

    /// 16 lowercase hex digits of a random non-zero number.
    private static func hex() -> String {
        var value = UInt64.random(in: 1...UInt64.max)
        return String(unsafeUninitializedCapacity: 16) { buffer in
            for index in (0..<16).reversed() {
                let digit = UInt8(value & 0xf)
                buffer[index] = digit < 10 ? 48 + digit : 87 + digit
                value >>= 4
            }
            return 16
        }
    }
}

/// A span of ``TestTracer``.
public final class TestSpan: Span, Sendable {
    public let context: ServiceContext
    private let ids: TestTracer.IDs
    private let parentSpanID: String?
    private let tracer: TestTracer
    private struct State {
        var name: String
        var attributes = SpanAttributes()
        var isError = false
        var ended = false
    }
    private let state: Mutex<State>

    init(name: String, context: ServiceContext, ids: TestTracer.IDs, parentSpanID: String?, tracer: TestTracer) {
        self.context = context
        self.ids = ids
        self.parentSpanID = parentSpanID
        self.tracer = tracer
        self.state = Mutex(State(name: name))
    }

    public var operationName: String {
        get { state.withLock { $0.name } }
        set { state.withLock { $0.name = newValue } }
    }

    public var attributes: SpanAttributes {
        get { state.withLock { $0.attributes } }
        set { state.withLock { $0.attributes = newValue } }
    }

    public var isRecording: Bool { state.withLock { !$0.ended } }

    public func setStatus(_ status: SpanStatus) {
        if status.code == .error { state.withLock { $0.isError = true } }
    }

    public func addEvent(_ event: SpanEvent) {}

    public func recordError<Instant: TracerInstant>(_ error: any Error, attributes: SpanAttributes,
                                                    at instant: @autoclosure () -> Instant) {}

    public func addLink(_ link: SpanLink) {}

    public func end<Instant: TracerInstant>(at instant: @autoclosure () -> Instant) {
        let records = tracer.recordsSpans
        let finished = state.withLock { state -> TestTracer.FinishedSpan? in
            guard !state.ended else { return nil }
            state.ended = true
            guard records else { return nil }
            var attributes: [String: String] = [:]
            state.attributes.forEach { key, value in attributes[key] = Self.text(value) }
            return TestTracer.FinishedSpan(name: state.name, traceID: ids.traceID, spanID: ids.spanID,
                                           parentSpanID: parentSpanID, attributes: attributes, isError: state.isError)
        }
        if let finished { tracer.ended(finished) }
    }

    private static func text(_ value: SpanAttribute) -> String {
        switch value {
        case .string(let string): string
        case .int64(let int): String(int)
        case .int32(let int): String(int)
        case .bool(let bool): String(bool)
        case .double(let double): String(double)
        case .stringConvertible(let value): value.description
        default: "\(value)"
        }
    }
}
