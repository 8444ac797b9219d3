import Foundation

extension Client {
    /// The latest value of the workflow's event `key` (``WorkflowContext/setEvent(_:_:name:)``).
    ///
    /// Unset, it waits up to `timeout` for the workflow to set it — woken by the engine's
    /// notification, polling as a fallback — and returns `nil` if it has not by then, or if
    /// the workflow finished without setting it.
    /// - Parameters:
    ///   - type: The value's type (JSON).
    ///   - workflowID: The workflow.
    ///   - key: The event's key.
    ///   - timeout: How long to wait for an unset event. Defaults to `nil`: do not wait.
    /// - Throws: ``SteadfastError`` with code ``SteadfastError/Code/notFound`` for an unknown workflow.
    public func getEvent<V: Decodable & Sendable>(_ type: V.Type = V.self, workflowID: String, key: String,
                                                  timeout: Duration? = nil) async throws -> V? {
        guard let timeout, timeout > .zero else {
            return try await engine.event(workflowID: workflowID, key: key).map { try JSONCoding.decode(type, from: $0) }
        }
        let deadline = ContinuousClock.now + timeout
        let subscription = try await waiters.subscribe(workflowID)
        defer { waiters.unsubscribe(subscription) }
        while true {
            if let json = try await engine.event(workflowID: workflowID, key: key) {
                return try JSONCoding.decode(type, from: json)
            }
            let left = deadline - ContinuousClock.now
            if left <= .zero { return nil }
            if try await engine.workflow(id: workflowID).status.isFinal {
                // Set just before it finished, or never.
                return try await engine.event(workflowID: workflowID, key: key).map { try JSONCoding.decode(type, from: $0) }
            }
            await subscription.doorbell.wait(timeout: min(left, Duration.seconds(1)))
        }
    }

    /// Every event the workflow set, with its latest value, by key.
    /// - Throws: ``SteadfastError`` with code ``SteadfastError/Code/notFound`` for an unknown workflow.
    public func getEvents(_ workflowID: String) async throws -> [WorkflowEvent] {
        try await engine.events(workflowID: workflowID)
    }

    /// The values of the workflow's stream `key` (``WorkflowContext/writeStream(_:_:name:)``),
    /// from `offset` on, as they are written.
    ///
    /// The sequence waits for new values — woken by the engine's notification, polling as a
    /// fallback — and ends when the workflow closes the stream or finishes (without `follow`:
    /// at the close or once it has what is there now). To resume after a disconnection, read
    /// again from the offset after the last entry received.
    /// - Parameters:
    ///   - type: The values' type (JSON).
    ///   - workflowID: The workflow.
    ///   - key: The stream's key.
    ///   - offset: The first offset to read. Defaults to 0.
    ///   - follow: Whether to wait for values not written yet. Defaults to `true`.
    public func readStream<V: Decodable & Sendable>(_ type: V.Type = V.self, workflowID: String, key: String,
                                                    from offset: Int = 0, follow: Bool = true)
        -> AsyncThrowingStream<StreamEntry<V>, any Error> {
        AsyncThrowingStream { continuation in
            let reader = Task {
                do {
                    var next = offset
                    let subscription = try await waiters.subscribe(workflowID)
                    defer { waiters.unsubscribe(subscription) }
                    var finished = false
                    while !Task.isCancelled {
                        let entries = try await engine.readStream(workflowID: workflowID, key: key, from: next, limit: 1000)
                        for entry in entries {
                            if entry.closed { continuation.finish(); return }
                            continuation.yield(StreamEntry(offset: entry.offset,
                                                           value: try JSONCoding.decode(type, from: entry.valueJSON ?? "null")))
                            next = entry.offset + 1
                        }
                        if !entries.isEmpty { continue }
                        // Nothing new: done once the workflow has finished and this read came after.
                        if finished || !follow { break }
                        finished = try await engine.workflow(id: workflowID).status.isFinal
                        if !finished { await subscription.doorbell.wait(timeout: .seconds(1)) }
                    }
                    continuation.finish()
                } catch {
                    continuation.finish(throwing: error)
                }
            }
            continuation.onTermination = { _ in reader.cancel() }
        }
    }
}
