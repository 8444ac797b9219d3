import Foundation
import Synchronization
import Tracing

/// A tracer for tests: it propagates the W3C trace context (`traceparent`, `tracestate`), as
/// OpenTelemetry's does, and keeps every span that ended.
final class RecordingTracer: Tracer, Sendable {
    typealias Span = RecordingSpan

    /// A span's ids, carried in its context.
    struct IDs: Sendable, Equatable {
        var traceID: String
        var spanID: String
        var traceState: String?
    }

    enum IDsKey: ServiceContextKey {
        typealias Value = IDs
    }

    /// A span that ended.
    struct Finished: Sendable {
        var name: String
        var kind: SpanKind
        var traceID: String
        var spanID: String
        var parentSpanID: String?
        var attributes: [String: String]
        var isError: Bool

        subscript(_ attribute: String) -> String? { attributes[attribute] }
    }

    private let finished = Mutex<[Finished]>([])

    var spans: [Finished] { finished.withLock { $0 } }

    func spans(named name: String) -> [Finished] { spans.filter { $0.name == name } }

    func startSpan<Instant: TracerInstant>(_ operationName: String, context: @autoclosure () -> ServiceContext,
                                           ofKind kind: SpanKind, at instant: @autoclosure () -> Instant,
                                           function: String, file fileID: String, line: UInt) -> RecordingSpan {
        var spanContext = context()
        let parent = spanContext[IDsKey.self]
        let ids = IDs(traceID: parent?.traceID ?? Self.hex(16), spanID: Self.hex(8), traceState: parent?.traceState)
        spanContext[IDsKey.self] = ids
        return RecordingSpan(name: operationName, kind: kind, context: spanContext, ids: ids,
                             parentSpanID: parent?.spanID, tracer: self)
    }

    func forceFlush() {}

    func inject<Carrier, Inject: Injector>(_ context: ServiceContext, into carrier: inout Carrier, using injector: Inject)
    where Inject.Carrier == Carrier {
        guard let ids = context[IDsKey.self] else { return }
        injector.inject("00-\(ids.traceID)-\(ids.spanID)-01", forKey: "traceparent", into: &carrier)
        if let state = ids.traceState { injector.inject(state, forKey: "tracestate", into: &carrier) }
    }

    func extract<Carrier, Extract: Extractor>(_ carrier: Carrier, into context: inout ServiceContext, using extractor: Extract)
    where Extract.Carrier == Carrier {
        guard let traceparent = extractor.extract(key: "traceparent", from: carrier) else { return }
        let parts = traceparent.split(separator: "-").map(String.init)
        guard parts.count == 4, parts[1].count == 32, parts[2].count == 16 else { return }
        context[IDsKey.self] = IDs(traceID: parts[1], spanID: parts[2],
                                   traceState: extractor.extract(key: "tracestate", from: carrier))
    }

    fileprivate func record(_ span: Finished) {
        finished.withLock { $0.append(span) }
    }

    private static func hex(_ bytes: Int) -> String {
        (0..<bytes).map { _ in String(format: "%02x", UInt8.random(in: 1...255)) }.joined()
    }
}

/// A span of ``RecordingTracer``.
final class RecordingSpan: Span, Sendable {
    let context: ServiceContext
    private let ids: RecordingTracer.IDs
    private let parentSpanID: String?
    private let kind: SpanKind
    private let tracer: RecordingTracer
    private struct State {
        var name: String
        var attributes = SpanAttributes()
        var isError = false
        var ended = false
    }
    private let state: Mutex<State>

    init(name: String, kind: SpanKind, context: ServiceContext, ids: RecordingTracer.IDs, parentSpanID: String?,
         tracer: RecordingTracer) {
        self.context = context
        self.ids = ids
        self.parentSpanID = parentSpanID
        self.kind = kind
        self.tracer = tracer
        self.state = Mutex(State(name: name))
    }

    var operationName: String {
        get { state.withLock { $0.name } }
        set { state.withLock { $0.name = newValue } }
    }

    var attributes: SpanAttributes {
        get { state.withLock { $0.attributes } }
        set { state.withLock { $0.attributes = newValue } }
    }

    var isRecording: Bool { state.withLock { !$0.ended } }

    func setStatus(_ status: SpanStatus) {
        if status.code == .error { state.withLock { $0.isError = true } }
    }

    func addEvent(_ event: SpanEvent) {}

    func recordError<Instant: TracerInstant>(_ error: any Error, attributes: SpanAttributes, at instant: @autoclosure () -> Instant) {}

    func addLink(_ link: SpanLink) {}

    func end<Instant: TracerInstant>(at instant: @autoclosure () -> Instant) {
        let finished = state.withLock { state -> RecordingTracer.Finished? in
            guard !state.ended else { return nil }
            state.ended = true
            var attributes: [String: String] = [:]
            state.attributes.forEach { key, value in attributes[key] = Self.text(value) }
            return RecordingTracer.Finished(name: state.name, kind: kind, traceID: ids.traceID, spanID: ids.spanID,
                                            parentSpanID: parentSpanID, attributes: attributes, isError: state.isError)
        }
        if let finished { tracer.record(finished) }
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
