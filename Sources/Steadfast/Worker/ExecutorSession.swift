import Synchronization

/// An executor as the engine knows it: its id, and the database session that registered it.
///
/// The engine accepts the calls that act for an executor — claim, start-and-claim, heartbeat,
/// release, deregister — only from the session that registered it and holds its advisory lock;
/// from any other session they raise ``SteadfastError/Code/executorInUse`` (SQLSTATE `SF008`).
/// So whoever acts for the executor passes ``connection()`` to those ``Engine`` calls, never a
/// pooled connection.
///
/// The session can change: a ``Worker`` whose session is lost clears it (``replace(with:)``
/// with `nil`), reconnects, registers again and installs the new one. A call made meanwhile
/// fails with ``SteadfastError/Code/connectionLost``; the executor's running workflows are not
/// lost with it — registering again hands back whatever the old session held.
package final class ExecutorSession: Sendable {
    /// The executor's id.
    package let id: String
    private let session: Mutex<(connection: Connection?, generation: Int)>

    /// - Parameters:
    ///   - id: The executor's id.
    ///   - connection: The session that registered it; `nil` until one has.
    package init(id: String, connection: Connection? = nil) {
        self.id = id
        self.session = Mutex((connection, connection == nil ? 0 : 1))
    }

    /// How many sessions have been installed so far. A new one registered the executor again,
    /// which handed back every workflow the previous session held.
    package var generation: Int {
        session.withLock { $0.generation }
    }

    /// The current session, `nil` while there is none (not yet registered, or lost and not yet
    /// restored).
    package var current: Connection? {
        session.withLock { $0.connection }
    }

    /// The current session, for a call that acts for the executor.
    /// - Throws: ``SteadfastError/Code/connectionLost`` while there is none.
    package func connection() throws(SteadfastError) -> Connection {
        guard let connection = current else {
            throw SteadfastError(.connectionLost,
                                 message: "executor \(id) has no session: it was lost and is not restored yet")
        }
        return connection
    }

    /// Installs `connection` (registered already, or `nil`) as the session; returns the one it
    /// replaces, for the caller to close.
    @discardableResult
    package func replace(with connection: Connection?) -> Connection? {
        session.withLock { session in
            defer {
                session.connection = connection
                if connection != nil { session.generation += 1 }
            }
            return session.connection
        }
    }
}
