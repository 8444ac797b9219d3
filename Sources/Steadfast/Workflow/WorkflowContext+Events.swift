import Foundation
import Synchronization

extension WorkflowContext {
    /// Sets this workflow's event `key` to `value`, as a step: others read it with
    /// ``Client/getEvent(_:workflowID:key:timeout:)`` (or `steadfast.get_event`) — the latest
    /// write wins. Each write is recorded with its step, so a replay writes nothing again and a
    /// fork keeps the values set before its fork point.
    /// - Parameters:
    ///   - key: The event's key (1 to 255 characters).
    ///   - value: Any `Encodable` value, stored as JSON.
    ///   - name: The step's name. Defaults to `"event:<key>"` (a `#` in the key is replaced).
    public func setEvent<V: Encodable & Sendable>(_ key: String, _ value: V, name: String? = nil) async throws {
        let (occurrence, key_, recorded, _) = try await beginCall(name ?? Self.publishName("event", key), kind: "event", waits: false)
        if recorded != nil { return }
        try await withStepSpan(key_, name: name ?? Self.publishName("event", key)) { _ in
            try await engine.setEvent(workflowID: workflowID, attempt: attempt, name: name ?? Self.publishName("event", key),
                                      occurrence: occurrence, key: key, valueJSON: try JSONCoding.encode(value))
        }
        state.withLock { $0.executed.append(key_) }
    }

    /// Reads another workflow's event `key`, as a step: its value once set — waiting durably,
    /// holding no worker, until that workflow sets it (its `setEvent` wakes this one in its
    /// own transaction) or `timeout` passes. The outcome is recorded, so replays agree: `nil`
    /// when the timeout passed first, or the other workflow finished without setting it.
    /// - Parameters:
    ///   - type: The value's type (JSON).
    ///   - workflowID: The workflow that sets the event.
    ///   - key: The event's key.
    ///   - timeout: How long to wait at most, from the first call. Defaults to `nil`: forever.
    ///   - name: The step's name. Defaults to `"get-event"`.
    public func getEvent<V: Codable & Sendable>(_ type: V.Type = V.self, workflowID: String, key: String,
                                                timeout: Duration? = nil, name: String = "get-event") async throws -> V? {
        let (occurrence, stepKey, recorded, _) = try await beginCall(name, kind: "getEvent", waits: true)
        if let recorded {
            guard recorded.error == nil, let output = recorded.output,
                  let read = try? JSONCoding.decode(RecordedEventRead.self, from: output) else {
                throw SteadfastError(.nonDeterminism, message: "step '\(stepKey)' is recorded, but not as an event's read")
            }
            guard read.found else { return nil }
            return try JSONCoding.decode(RecordedEventValue<V>.self, from: output).value
        }
        let outcome = try await withStepSpan(stepKey, name: name) { _ in
            try await engine.awaitEvent(workflowID: self.workflowID, attempt: attempt, name: name, occurrence: occurrence,
                                        targetID: workflowID, key: key, timeout: timeout.map(\.inSeconds))
        }
        state.withLock { $0.executed.append(stepKey) }
        switch outcome {
        case .waiting: throw suspend(WorkflowSuspended(step: stepKey, until: nil))
        case .timedOut: return nil
        case .received(let json): return try JSONCoding.decode(V.self, from: json)
        }
    }

    /// Appends `value` to this workflow's stream `key`, as a step, and returns its offset (0
    /// for the first). Readers follow the stream with ``Client/readStream(_:workflowID:key:from:follow:)``
    /// (or `steadfast.read_stream`); a replay appends nothing again.
    /// - Parameters:
    ///   - key: The stream's key (1 to 255 characters).
    ///   - value: Any `Encodable` value, stored as JSON.
    ///   - name: The step's name. Defaults to `"stream:<key>"` (a `#` in the key is replaced).
    @discardableResult
    public func writeStream<V: Encodable & Sendable>(_ key: String, _ value: V, name: String? = nil) async throws -> Int {
        try await publishStream(key, valueJSON: try JSONCoding.encode(value), closed: false, name: name)
    }

    /// Closes this workflow's stream `key`, as a step: readers end there, and nothing more can
    /// be written to it. (Readers also end when the workflow finishes.)
    public func closeStream(_ key: String, name: String? = nil) async throws {
        _ = try await publishStream(key, valueJSON: nil, closed: true, name: name)
    }

    private func publishStream(_ key: String, valueJSON: String?, closed: Bool, name: String?) async throws -> Int {
        let stepName = name ?? Self.publishName("stream", key)
        let (occurrence, stepKey, recorded, _) = try await beginCall(stepName, kind: "stream write", waits: false)
        if let recorded {
            struct Written: Decodable { var offset: Int }
            guard let output = recorded.output, let written = try? JSONCoding.decode(Written.self, from: output) else {
                throw SteadfastError(.nonDeterminism, message: "step '\(stepKey)' is recorded, but not as a stream write")
            }
            return written.offset
        }
        let offset = try await withStepSpan(stepKey, name: stepName) { _ in
            try await engine.writeStream(workflowID: workflowID, attempt: attempt, name: stepName, occurrence: occurrence,
                                         key: key, valueJSON: valueJSON, closed: closed)
        }
        state.withLock { $0.executed.append(stepKey) }
        return offset
    }

    /// `<kind>:<key>` with any `#` (the occurrence separator of step keys) replaced by `_`.
    static func publishName(_ kind: String, _ key: String) -> String {
        "\(kind):" + key.replacingOccurrences(of: "#", with: "_")
    }
}

/// An event's read as recorded: `{"found": true, "value": …}` or `{"found": false}`.
private struct RecordedEventRead: Decodable {
    var found: Bool
}

/// An event's read as recorded, when found: `{"found": true, "value": …}`.
private struct RecordedEventValue<V: Decodable>: Decodable {
    var value: V
}
