import CoreMetrics
import Foundation
import Synchronization
import Tracing

// Backends that take every call Steadfast makes and keep nothing — the "no-op backends" of the
// observed drain. Not swift-distributed-tracing's NoOpTracer nor swift-metrics' NOOP handler:
// Steadfast detects those and skips its instrumentation, and the point is to measure it. Spans
// are real objects (a lock, attributes) with W3C propagation, as an exporter's would be before
// export; metric handlers update atomics.

/// A tracer whose spans are built, propagated (W3C traceparent) and dropped when they end.
final class DiscardingTracer: Tracer, Sendable {
    typealias Span = DiscardingSpan

    enum IDsKey: ServiceContextKey {
        typealias Value = String  // "<trace id>-<span id>"
    }

    func startSpan<Instant: TracerInstant>(_ operationName: String, context: @autoclosure () -> ServiceContext,
                                           ofKind kind: SpanKind, at instant: @autoclosure () -> Instant,
                                           function: String, file fileID: String, line: UInt) -> DiscardingSpan {
        var spanContext = context()
        let traceID = spanContext[IDsKey.self].map { String($0.utf8.prefix(32))! } ?? Self.hex() + Self.hex()
        spanContext[IDsKey.self] = traceID + "-" + Self.hex()
        return DiscardingSpan(name: operationName, context: spanContext)
    }

    /// 16 lowercase hex digits of a random non-zero number (as an SDK's id generator makes them).
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

    func forceFlush() {}

    func inject<Carrier, Inject: Injector>(_ context: ServiceContext, into carrier: inout Carrier, using injector: Inject)
    where Inject.Carrier == Carrier {
        guard let ids = context[IDsKey.self] else { return }
        injector.inject("00-\(ids)-01", forKey: "traceparent", into: &carrier)
    }

    func extract<Carrier, Extract: Extractor>(_ carrier: Carrier, into context: inout ServiceContext, using extractor: Extract)
    where Extract.Carrier == Carrier {
        guard let traceparent = extractor.extract(key: "traceparent", from: carrier), traceparent.utf8.count == 55 else { return }
        context[IDsKey.self] = String(traceparent.dropFirst(3).prefix(49))
    }
}

final class DiscardingSpan: Span, Sendable {
    let context: ServiceContext
    private let state: Mutex<(name: String, attributes: SpanAttributes, ended: Bool)>

    init(name: String, context: ServiceContext) {
        self.context = context
        self.state = Mutex((name, SpanAttributes(), false))
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
    func setStatus(_ status: SpanStatus) {}
    func addEvent(_ event: SpanEvent) {}
    func recordError<Instant: TracerInstant>(_ error: any Error, attributes: SpanAttributes, at instant: @autoclosure () -> Instant) {}
    func addLink(_ link: SpanLink) {}
    func end<Instant: TracerInstant>(at instant: @autoclosure () -> Instant) {
        state.withLock { $0.ended = true }
    }
}

/// A metrics factory whose handlers update atomics.
final class DiscardingMetrics: MetricsFactory {
    final class Handler: CounterHandler, FloatingPointCounterHandler, MeterHandler, RecorderHandler, TimerHandler, Sendable {
        private let value = Atomic<Int64>(0)
        func increment(by amount: Int64) { value.add(amount, ordering: .relaxed) }
        func increment(by amount: Double) { value.add(Int64(amount), ordering: .relaxed) }
        func decrement(by amount: Double) { value.subtract(Int64(amount), ordering: .relaxed) }
        func reset() { value.store(0, ordering: .relaxed) }
        func record(_ value: Int64) { self.value.store(value, ordering: .relaxed) }
        func record(_ value: Double) { self.value.store(Int64(value), ordering: .relaxed) }
        func set(_ value: Int64) { self.value.store(value, ordering: .relaxed) }
        func set(_ value: Double) { self.value.store(Int64(value), ordering: .relaxed) }
        func recordNanoseconds(_ duration: Int64) { value.add(duration, ordering: .relaxed) }
    }

    func makeCounter(label: String, dimensions: [(String, String)]) -> CounterHandler { Handler() }
    func makeFloatingPointCounter(label: String, dimensions: [(String, String)]) -> FloatingPointCounterHandler { Handler() }
    func makeMeter(label: String, dimensions: [(String, String)]) -> MeterHandler { Handler() }
    func makeRecorder(label: String, dimensions: [(String, String)], aggregate: Bool) -> RecorderHandler { Handler() }
    func makeTimer(label: String, dimensions: [(String, String)]) -> TimerHandler { Handler() }
    func destroyCounter(_ handler: CounterHandler) {}
    func destroyFloatingPointCounter(_ handler: FloatingPointCounterHandler) {}
    func destroyMeter(_ handler: MeterHandler) {}
    func destroyRecorder(_ handler: RecorderHandler) {}
    func destroyTimer(_ handler: TimerHandler) {}
}
