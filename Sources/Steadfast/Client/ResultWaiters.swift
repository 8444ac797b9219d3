import Logging
import Synchronization

/// Wakes tasks waiting on workflows — for them to finish, to set an event, to write to a
/// stream: one connection per database listens on `steadfast_finished`, `steadfast_event` and
/// `steadfast_stream` for the whole client, opened on first use, and rings the doorbell of each
/// waiter of the workflow id a notification names (waiters look again at what they wait for).
/// A client of one database listens there; a client of a sharded cluster's router listens on
/// the shards, where the workflows notify (the router itself has nothing to notify).
final class ResultWaiters: Sendable {
    /// One waiting call.
    struct Subscription: Sendable {
        let id: Int
        let workflowID: String
        let doorbell: Doorbell
    }

    private struct State {
        var listeners: [Task<Void, Never>] = []
        var connections: [Connection] = []
        var waiters: [String: [Int: Doorbell]] = [:]
        var nextID = 0
        var closed = false
    }

    private let databases: [DatabaseConfiguration]
    private let logger: Logger
    private let state = Mutex(State())

    init(databases: [DatabaseConfiguration], logger: Logger) {
        self.databases = databases
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
        if state.withLock({ !$0.connections.isEmpty || $0.closed }) { return }
        var connections: [Connection] = []
        var streams: [AsyncStream<PostgresNotification>] = []
        do {
            for database in databases {
                let connection = try await Connection.connect(database, logger: logger)
                connections.append(connection)
                for channel in ["steadfast_finished", "steadfast_event", "steadfast_stream"] {
                    try await connection.listen(channel)
                }
                streams.append(await connection.notifications())
            }
        } catch {
            for connection in connections { await connection.close() }
            throw error
        }
        let installed = state.withLock { state -> Bool in
            guard state.connections.isEmpty, !state.closed else { return false }
            state.connections = connections
            state.listeners = streams.map { stream in
                Task { [weak self] in
                    for await notification in stream {
                        self?.ring(notification.payload)
                    }
                    // A connection is gone: the next subscriber listens anew; pollers still poll.
                    await self?.dropListeners()
                }
            }
            return true
        }
        if !installed {
            for connection in connections { await connection.close() }
        }
    }

    /// Stops listening (a connection was lost): closes the others, wakes every waiter.
    private func dropListeners() async {
        let connections = state.withLock { state -> [Connection] in
            defer { state.connections = [] }
            return state.connections
        }
        for connection in connections { await connection.close() }
        ringAll()
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
        let (connections, listeners) = state.withLock { state -> ([Connection], [Task<Void, Never>]) in
            state.closed = true
            defer { state.connections = []; state.listeners = [] }
            return (state.connections, state.listeners)
        }
        for connection in connections { await connection.close() }
        for listener in listeners { listener.cancel() }
        ringAll()
    }
}
