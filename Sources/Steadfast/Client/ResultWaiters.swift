import Logging
import Synchronization

/// Wakes tasks waiting on workflows — for them to finish, to set an event, to write to a
/// stream: one connection listens on `steadfast_finished`, `steadfast_event` and
/// `steadfast_stream` for the whole client, opened on first use, and rings the doorbell of each
/// waiter of the workflow id a notification names (waiters look again at what they wait for).
final class ResultWaiters: Sendable {
    /// One waiting call.
    struct Subscription: Sendable {
        let id: Int
        let workflowID: String
        let doorbell: Doorbell
    }

    private struct State {
        var listener: Task<Void, Never>?
        var connection: Connection?
        var waiters: [String: [Int: Doorbell]] = [:]
        var nextID = 0
        var closed = false
    }

    private let database: DatabaseConfiguration
    private let logger: Logger
    private let state = Mutex(State())

    init(database: DatabaseConfiguration, logger: Logger) {
        self.database = database
        self.logger = logger
    }

    /// Registers interest in `workflowID` (before its status is read, so no notification is missed).
    func subscribe(_ workflowID: String) async throws -> Subscription {
        try await startListening()
        return try state.withLock { state throws(SteadfastError) -> Subscription in
            if state.closed { throw SteadfastError(.shutdown, message: "the client is closed") }
            let subscription = Subscription(id: state.nextID, workflowID: workflowID, doorbell: Doorbell())
            state.nextID += 1
            state.waiters[workflowID, default: [:]][subscription.id] = subscription.doorbell
            return subscription
        }
    }

    func unsubscribe(_ subscription: Subscription) {
        state.withLock { state in
            state.waiters[subscription.workflowID]?[subscription.id] = nil
            if state.waiters[subscription.workflowID]?.isEmpty == true {
                state.waiters[subscription.workflowID] = nil
            }
        }
    }

    private func startListening() async throws {
        if state.withLock({ $0.connection != nil || $0.closed }) { return }
        let connection = try await Connection.connect(database, logger: logger)
        for channel in ["steadfast_finished", "steadfast_event", "steadfast_stream"] {
            try await connection.listen(channel)
        }
        let stream = await connection.notifications()
        let installed = state.withLock { state -> Bool in
            guard state.connection == nil, !state.closed else { return false }
            state.connection = connection
            state.listener = Task { [weak self] in
                for await notification in stream {
                    self?.ring(notification.payload)
                }
                // The connection is gone: the next subscriber reconnects; pollers still poll.
                self?.state.withLock { $0.connection = nil }
                self?.ringAll()
            }
            return true
        }
        if !installed { await connection.close() }
    }

    private func ring(_ workflowID: String) {
        let doorbells = state.withLock { Array(($0.waiters[workflowID] ?? [:]).values) }
        doorbells.forEach { $0.ring() }
    }

    private func ringAll() {
        let doorbells = state.withLock { $0.waiters.values.flatMap(\.values) }
        doorbells.forEach { $0.ring() }
    }

    func close() async {
        let (connection, listener) = state.withLock { state -> (Connection?, Task<Void, Never>?) in
            state.closed = true
            defer { state.connection = nil; state.listener = nil }
            return (state.connection, state.listener)
        }
        await connection?.close()
        listener?.cancel()
        ringAll()
    }
}
