import Foundation

/// Hands each notification received by a ``Connection`` to every live subscriber stream.
///
/// Thread-safe: notifications are delivered from the connection's thread, while subscribers
/// come and go from any task.
final class NotificationBroadcaster: Sendable {
    private struct State {
        var subscribers: [Int: AsyncStream<PostgresNotification>.Continuation] = [:]
        var nextID = 0
        var isFinished = false
    }

    private let state = LockedValue(State())

    /// A new stream of the notifications delivered from now on. It finishes when the
    /// broadcaster does (the connection closed or broke), and immediately if it already has.
    func subscribe(bufferingNewest limit: Int) -> AsyncStream<PostgresNotification> {
        let (stream, continuation) = AsyncStream.makeStream(
            of: PostgresNotification.self,
            bufferingPolicy: .bufferingNewest(limit)
        )
        let id: Int? = state.withLock { state in
            guard !state.isFinished else { return nil }
            let id = state.nextID
            state.nextID += 1
            state.subscribers[id] = continuation
            return id
        }
        guard let id else {
            continuation.finish()
            return stream
        }
        continuation.onTermination = { [weak self] _ in
            _ = self?.state.withLock { $0.subscribers.removeValue(forKey: id) }
        }
        return stream
    }

    /// Whether any stream is subscribed.
    var hasSubscribers: Bool {
        state.withLock { !$0.subscribers.isEmpty }
    }

    func deliver(_ notifications: [PostgresNotification]) {
        guard !notifications.isEmpty else { return }
        let subscribers = state.withLock { Array($0.subscribers.values) }
        for notification in notifications {
            for subscriber in subscribers {
                subscriber.yield(notification)
            }
        }
    }

    /// Ends every stream, now and for later subscribers.
    func finish() {
        let subscribers = state.withLock { state in
            state.isFinished = true
            defer { state.subscribers.removeAll() }
            return Array(state.subscribers.values)
        }
        for subscriber in subscribers {
            subscriber.finish()
        }
    }
}
