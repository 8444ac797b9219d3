package import Logging

/// A bounded set of ``Connection``s shared by many tasks.
///
/// ```swift
/// let pool = ConnectionPool(configuration: DatabaseConfiguration(connectionString: url))
/// let rows = try await pool.withConnection { connection in
///     try await connection.query("select status from steadfast.workflows where id = $1", [id])
/// }
/// await pool.close()
/// ```
///
/// - Size: at most ``DatabaseConfiguration/maximumConnections`` connections (10 by default)
///   are open at once. They are opened on demand and kept for reuse.
/// - Waiting: when all are in use, callers queue (first come, first served) and each gets the
///   next connection returned; nothing polls. A waiting caller whose task is cancelled stops
///   waiting with `CancellationError`.
/// - Lost connections: a connection is checked without blocking when it is handed out (a
///   backend terminated while the connection sat idle is noticed there and replaced
///   transparently) and when it is returned (one that broke during use is closed and its slot
///   freed; the call that hit the failure has already thrown
///   ``SteadfastError/Code/connectionLost``). Statements are never retried behind the
///   caller's back: whether an interrupted one took effect is unknown.
/// - Hygiene: a connection returned inside an open transaction is rolled back. Session state
///   (`SET`, `LISTEN`, advisory locks) is not reset, so do not leave any on a pooled
///   connection; use a dedicated ``Connection`` for that.
package actor ConnectionPool {
    /// The connection string and the pool's size.
    package nonisolated let configuration: DatabaseConfiguration
    private let logger: Logger

    private var idle: [Connection] = []
    /// Connections open or being opened, handed out or idle.
    private var openCount = 0
    private var waiters: [(id: Int, continuation: CheckedContinuation<Grant, any Error>)] = []
    private var nextWaiterID = 0
    private var isClosed = false

    /// What a waiting caller is given: a connection, or the right to open one (a slot freed
    /// by a connection that was closed).
    private enum Grant: Sendable {
        case connection(Connection)
        case slot
    }

    /// Creates a pool; no connection is opened until one is needed.
    /// - Parameters:
    ///   - configuration: The connection string and ``DatabaseConfiguration/maximumConnections``.
    ///   - logger: Where to log connection replacements. Defaults to a logger labelled
    ///     `steadfast.database`.
    package init(configuration: DatabaseConfiguration, logger: Logger = Logger(label: "steadfast.database")) {
        self.configuration = configuration
        self.logger = logger
    }

    /// Lends a connection to `body` and takes it back when `body` returns or throws.
    ///
    /// `body` runs in the caller's isolation. Do not keep the connection beyond it.
    /// - Throws: `body`'s error; ``SteadfastError/Code/connectionFailed`` if a new connection
    ///   could not be opened; ``SteadfastError/Code/shutdown`` once the pool is closed;
    ///   `CancellationError` if the task is cancelled while waiting.
    package func withConnection<Result>(
        isolation: isolated (any Actor)? = #isolation,
        _ body: (Connection) async throws -> Result
    ) async throws -> Result {
        let connection = try await lease()
        let result: Result
        do {
            result = try await body(connection)
        } catch {
            await giveBack(connection)
            throw error
        }
        await giveBack(connection)
        return result
    }

    /// Runs `body` in a transaction on a pooled connection (see
    /// ``Connection/withTransaction(isolation:_:)``).
    package func withTransaction<Result>(
        isolation: isolated (any Actor)? = #isolation,
        _ body: (Connection) async throws -> Result
    ) async throws -> Result {
        try await withConnection { connection in
            try await connection.withTransaction { connection in
                try await body(connection)
            }
        }
    }

    /// Runs one statement on a pooled connection (see ``Connection/query(_:_:)``).
    @discardableResult
    package nonisolated func query(_ sql: String, _ parameters: [String?] = []) async throws -> [Row] {
        try await withConnection { connection in
            try await connection.query(sql, parameters)
        }
    }

    /// Closes the pool: waiting callers fail with ``SteadfastError/Code/shutdown``, idle
    /// connections close now, and connections in use close when they are given back.
    package func close() async {
        guard !isClosed else { return }
        isClosed = true
        let waiters = self.waiters
        self.waiters.removeAll()
        for waiter in waiters {
            waiter.continuation.resume(throwing: Self.closedError)
        }
        let idle = self.idle
        self.idle.removeAll()
        openCount -= idle.count
        for connection in idle {
            await connection.close()
        }
    }

    /// How many connections are open (in use or idle).
    package var openConnectionCount: Int {
        openCount
    }

    /// How many open connections are idle.
    package var idleConnectionCount: Int {
        idle.count
    }

    /// How many callers are waiting for a connection.
    package var waitingCount: Int {
        waiters.count
    }

    // MARK: Leasing

    private static let closedError = SteadfastError(.shutdown, message: "the connection pool is closed")

    private func lease() async throws -> Connection {
        guard !isClosed else { throw Self.closedError }
        while let connection = idle.popLast() {
            if await connection.checkAlive() {
                return connection
            }
            // Died while idle (terminated backend, server restart): replace it in its slot.
            logger.info("replacing a dead idle connection", metadata: ["db.connection": "\(connection.id)"])
            await connection.close()
            return try await openConnection()
        }
        if openCount < configuration.maximumConnections {
            openCount += 1
            return try await openConnection()
        }
        switch try await waitForGrant() {
        case .connection(let connection):
            return connection
        case .slot:
            return try await openConnection()
        }
    }

    /// Opens a connection in a slot already counted in `openCount`; frees the slot on failure.
    private func openConnection() async throws -> Connection {
        let connection: Connection
        do {
            connection = try await Connection.connect(configuration, logger: logger)
        } catch {
            slotFreed()
            throw error
        }
        if isClosed {
            await connection.close()
            openCount -= 1
            throw Self.closedError
        }
        return connection
    }

    private func waitForGrant() async throws -> Grant {
        let id = nextWaiterID
        nextWaiterID += 1
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { continuation in
                if Task.isCancelled {
                    continuation.resume(throwing: CancellationError())
                } else {
                    waiters.append((id, continuation))
                }
            }
        } onCancel: {
            Task { await self.cancelWaiter(id) }
        }
    }

    private func cancelWaiter(_ id: Int) {
        guard let index = waiters.firstIndex(where: { $0.id == id }) else { return }
        let waiter = waiters.remove(at: index)
        waiter.continuation.resume(throwing: CancellationError())
    }

    /// A slot is free: the first waiter may open a connection in it, or it is gone.
    private func slotFreed() {
        if !isClosed, !waiters.isEmpty {
            waiters.removeFirst().continuation.resume(returning: .slot)
        } else {
            openCount -= 1
        }
    }

    private func giveBack(_ connection: Connection) async {
        var usable = await connection.isUsable
        if usable, await connection.isInTransaction {
            // Left inside a transaction (body threw between statements): undo it.
            _ = try? await connection.execute("rollback")
            usable = await connection.isUsable
        }
        if !usable || isClosed {
            if !usable {
                logger.info("discarding a broken connection", metadata: ["db.connection": "\(connection.id)"])
            }
            await connection.close()
            slotFreed()
            return
        }
        if !waiters.isEmpty {
            waiters.removeFirst().continuation.resume(returning: .connection(connection))
        } else {
            idle.append(connection)
        }
    }
}
