import Foundation
import Synchronization
import Tracing

/// A tracer for the crash tests: W3C trace context propagation (`traceparent`, `tracestate`),
/// and each span that ends appended at once to a file as one JSON line — what a process killed
/// with SIGKILL had ended by then is on disk.
final class FileTracer: Tracer, Sendable {
    typealias Span = FileSpan

    struct IDs: Sendable {
        var traceID: String
        var spanID: String
        var traceState: String?
    }

    enum IDsKey: ServiceContextKey {
        typealias Value = IDs
    }

    private let file: Mutex<FileHandle>

    init(path: String) {
        FileManager.default.createFile(atPath: path, contents: nil)
        file = Mutex(FileHandle(forWritingAtPath: path)!)
    }

    func startSpan<Instant: TracerInstant>(_ operationName: String, context: @autoclosure () -> ServiceContext,
                                           ofKind kind: SpanKind, at instant: @autoclosure () -> Instant,
                                           function: String, file fileID: String, line: UInt) -> FileSpan {
        var spanContext = context()
        let parent = spanContext[IDsKey.self]
        let ids = IDs(traceID: parent?.traceID ?? Self.hex(16), spanID: Self.hex(8), traceState: parent?.traceState)
        spanContext[IDsKey.self] = ids
        return FileSpan(name: operationName, context: spanContext, ids: ids, parentSpanID: parent?.spanID, tracer: self)
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

    fileprivate func write(_ record: [String: String]) {
        guard let data = try? JSONSerialization.data(withJSONObject: record, options: [.sortedKeys]) else { return }
        file.withLock { $0.write(data + Data("\n".utf8)) }
    }

    private static func hex(_ bytes: Int) -> String {
        (0..<bytes).map { _ in String(format: "%02x", UInt8.random(in: 1...255)) }.joined()
    }
}

final class FileSpan: Span, Sendable {
    let context: ServiceContext
    private let ids: FileTracer.IDs
    private let parentSpanID: String?
    private let tracer: FileTracer
    private let state: Mutex<(name: String, attributes: SpanAttributes, ended: Bool)>

    init(name: String, context: ServiceContext, ids: FileTracer.IDs, parentSpanID: String?, tracer: FileTracer) {
        self.context = context
        self.ids = ids
        self.parentSpanID = parentSpanID
        self.tracer = tracer
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
        let record = state.withLock { state -> [String: String]? in
            guard !state.ended else { return nil }
            state.ended = true
            var record = ["name": state.name, "trace_id": ids.traceID, "span_id": ids.spanID,
                          "parent_span_id": parentSpanID ?? ""]
            state.attributes.forEach { key, value in
                switch value {
                case .string(let string): record[key] = string
                case .int64(let int): record[key] = String(int)
                case .bool(let bool): record[key] = String(bool)
                default: record[key] = "\(value)"
                }
            }
            return record
        }
        if let record { tracer.write(record) }
    }
}
