package import Logging
import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// One PostgreSQL connection (libpq), with a thread of its own.
///
/// libpq blocks the calling thread while it connects and while it waits for results. A
/// `Connection` is an actor whose executor is a ``DedicatedThreadExecutor``: every call on it —
/// connecting included — runs on that connection's own OS thread, never on Swift's cooperative
/// pool, so a slow query stalls only the task awaiting it.
///
/// A connection serves one task at a time: its statements run in order, but two tasks sharing
/// one would interleave their statements (and transactions). Borrow one from a
/// ``ConnectionPool`` with ``ConnectionPool/withConnection(isolation:_:)``, or keep a dedicated
/// one — for example a worker's, which listens for notifications and holds a session-level
/// advisory lock on the same connection.
///
/// Errors are ``SteadfastError``s: the engine's SQLSTATEs map to their codes, any other server
/// error is ``SteadfastError/Code/queryFailed`` with its `sqlState`, and a broken connection is
/// ``SteadfastError/Code/connectionLost`` — after which the connection stays unusable (check
/// ``isUsable``) and should be replaced. Cancelling the task awaiting a statement interrupts
/// it (``SteadfastError/Code/cancelled``).
///
/// A connection whose server went away never raises SIGPIPE: libpq writes with `MSG_NOSIGNAL`
/// (Linux) or `SO_NOSIGPIPE` (macOS), so Steadfast leaves the process's signal handling alone.
///
/// Close it with ``close()`` when done; a connection that is simply released is closed by its
/// `deinit` (on its own thread), and its thread ends.
package actor Connection {
    private static let nextID = LockedValue(1)

    /// A number identifying this connection in logs (unique in the process).
    package nonisolated let id: Int
    /// Where notices and connection events are logged, with `db.connection` in the metadata.
    package nonisolated let logger: Logger

    private nonisolated let executor: DedicatedThreadExecutor
    private let pq: LibPQConnection
    private nonisolated let canceller: StatementCanceller
    private nonisolated let broadcaster = NotificationBroadcaster()
    /// How many `withTransaction` calls are open (the outer one is a transaction, inner ones
    /// are savepoints).
    private var transactionDepth = 0

    package nonisolated var unownedExecutor: UnownedSerialExecutor {
        executor.asUnownedSerialExecutor()
    }

    private init(logger: Logger, preparedStatementLimit: Int) {
        let id = Self.nextID.withLock { id in
            defer { id += 1 }
            return id
        }
        self.id = id
        var logger = logger
        logger[metadataKey: "db.connection"] = "\(id)"
        self.logger = logger
        self.executor = DedicatedThreadExecutor(name: "steadfast-db-\(id)")
        let canceller = StatementCanceller()
        self.canceller = canceller
        self.pq = LibPQConnection(canceller: canceller, preparedStatementLimit: preparedStatementLimit)
    }

    deinit {
        // Not isolated: hand the libpq connection to its own thread to close, then let the
        // thread end.
        let pq = self.pq
        broadcaster.finish()
        executor.shutdown {
            pq.finish()
        }
    }

    // MARK: Connecting

    /// Opens a connection.
    /// - Parameters:
    ///   - configuration: The connection string and settings; the pool size is not used here.
    ///   - parameters: Extra libpq settings that override the connection string's (for
    ///     example `("dbname", "other")`). Defaults to none.
    ///   - logger: Where to log. Defaults to a logger labelled `steadfast.database`.
    /// - Throws: ``SteadfastError/Code/connectionFailed``.
    package static func connect(
        _ configuration: DatabaseConfiguration,
        parameters: [(keyword: String, value: String)] = [],
        logger: Logger = Logger(label: "steadfast.database")
    ) async throws(SteadfastError) -> Connection {
        try configuration.validate()
        let connection = Connection(logger: logger, preparedStatementLimit: configuration.preparedStatementLimit)
        try await connection.open(configuration.libpqParameters(extra: parameters))
        if !configuration.sessionSettings.isEmpty {
            do {
                try await connection.applySettings(configuration.sessionSettings)
            } catch {
                await connection.close()
                throw SteadfastError(.connectionFailed, message: "setting the session's parameters failed: \(error.message)",
                                     sqlState: error.sqlState)
            }
        }
        return connection
    }

    /// Opens a connection with default settings.
    /// - Parameter connectionString: A libpq URI or keyword/value connection string.
    /// - Throws: ``SteadfastError/Code/connectionFailed``.
    package static func connect(
        _ connectionString: String,
        logger: Logger = Logger(label: "steadfast.database")
    ) async throws(SteadfastError) -> Connection {
        try await connect(DatabaseConfiguration(connectionString: connectionString), logger: logger)
    }

    /// Opens a connection to `configuration`, runs `body` on it and closes it, whether `body`
    /// returns or throws: for one-off work outside a pool (setting up shards and routers).
    /// - Throws: ``SteadfastError/Code/connectionFailed``, or what `body` throws.
    package static func with<Result>(_ configuration: DatabaseConfiguration, logger: Logger,
                                     _ body: (Connection) async throws -> Result) async throws -> Result {
        let connection = try await connect(configuration, logger: logger)
        do {
            let result = try await body(connection)
            await connection.close()
            return result
        } catch {
            await connection.close()
            throw error
        }
    }

    private func open(_ parameters: [(keyword: String, value: String)]) throws(SteadfastError) {
        try pq.connect(parameters)
        let logger = self.logger
        pq.onNotice = { severity, message in
            switch severity {
            case "WARNING": logger.warning("\(message)", metadata: ["db.severity": "\(severity)"])
            case "NOTICE", "INFO", "LOG": logger.debug("\(message)", metadata: ["db.severity": "\(severity)"])
            case "DEBUG": logger.trace("\(message)", metadata: ["db.severity": "\(severity)"])
            default: logger.info("\(message)", metadata: ["db.severity": "\(severity)"])
            }
        }
        logger.debug("connected", metadata: ["db.backend_pid": "\(pq.backendPID)"])
    }

    /// Sets run-time parameters for the session (`set_config(name, value, false)`), in one
    /// statement.
    private func applySettings(_ settings: [String: String]) throws(SteadfastError) {
        let sorted = settings.sorted { $0.key < $1.key }
        let calls = sorted.indices.map { "pg_catalog.set_config($\($0 * 2 + 1), $\($0 * 2 + 2), false)" }
        defer { afterStatement() }
        _ = try pq.execute("select " + calls.joined(separator: ", "), parameters: sorted.flatMap { [$0.key, $0.value] })
    }

    /// Closes the connection; later calls throw ``SteadfastError/Code/shutdown``. Idempotent.
    /// Session state ends with it: advisory locks are released and `LISTEN`s forgotten.
    package func close() {
        guard !pq.isFinished else { return }
        executor.unwatch()
        pq.finish()
        broadcaster.finish()
        logger.debug("closed")
    }

    // MARK: State

    /// Whether the connection is open and, as far as libpq knows, healthy. A backend that died
    /// while the connection sat idle is only noticed by the next statement or by
    /// ``checkAlive()``.
    package var isUsable: Bool {
        pq.isConnectionOK
    }

    /// Whether a transaction is open (or failed and not yet rolled back) on this connection.
    package var isInTransaction: Bool {
        switch pq.transactionStatus {
        case .inTransaction, .failedTransaction: true
        default: false
        }
    }

    /// The server process serving this connection (`pg_backend_pid()`); 0 once closed.
    package var backendPID: Int32 {
        pq.backendPID
    }

    /// Checks without blocking whether the connection still works: reads anything the server
    /// sent meanwhile (such as the goodbye of a terminated backend) and reports whether the
    /// connection is still usable. Notifications read on the way are delivered.
    package func checkAlive() -> Bool {
        guard pq.isConnectionOK else { return false }
        guard pq.consumeAllInput() else {
            connectionBroke()
            return false
        }
        broadcaster.deliver(pq.takeNotifications())
        return pq.transactionStatus != .active
    }

    // MARK: Statements

    /// Runs one statement with parameters `$1`, `$2`… sent apart from the SQL text (never
    /// spliced into it), in PostgreSQL's text format: `nil` is NULL, and a parameter's type is
    /// inferred by the server or given by a cast (`$1::jsonb`).
    ///
    /// Cancelling the awaiting task interrupts the statement (the server receives a cancel
    /// request) and the call throws ``SteadfastError/Code/cancelled``. A statement started by a
    /// task that is already cancelled runs normally, so cleanup code can still use the database.
    ///
    /// - Returns: The rows, empty for a statement that returns none.
    /// - Throws: ``SteadfastError``: the engine's codes, ``SteadfastError/Code/queryFailed``,
    ///   ``SteadfastError/Code/connectionLost``, ``SteadfastError/Code/shutdown`` or
    ///   ``SteadfastError/Code/cancelled``.
    @discardableResult
    package nonisolated func query(_ sql: String, _ parameters: [String?] = []) async throws(SteadfastError) -> [Row] {
        try await run(.parameters(sql, parameters)).rows
    }

    /// Runs SQL text without parameters — possibly several statements separated by
    /// semicolons, as psql would — with the simple query protocol. If there is no explicit
    /// transaction, the statements run in one implicit transaction. Use it for scripts and
    /// commands such as `LISTEN`; use ``query(_:_:)`` for anything with values in it.
    /// Cancellation behaves as for ``query(_:_:)``.
    ///
    /// - Returns: The rows of the last statement.
    /// - Throws: as ``query(_:_:)``.
    @discardableResult
    package nonisolated func execute(_ sql: String) async throws(SteadfastError) -> [Row] {
        try await run(.simple(sql)).rows
    }

    private enum Statement: Sendable {
        case simple(String)
        case parameters(String, [String?])
    }

    /// Runs a statement on the connection's thread, interrupting it if the task is cancelled
    /// meanwhile.
    private nonisolated func run(_ statement: Statement) async throws(SteadfastError) -> LibPQConnection.Result {
        if Task.isCancelled {
            return try await perform(statement, ticket: nil)
        }
        let ticket = canceller.makeTicket()
        do {
            return try await withTaskCancellationHandler {
                try await self.perform(statement, ticket: ticket)
            } onCancel: { [canceller] in
                // PQcancel blocks while it reaches the server: keep it off the cooperative pool.
                Thread.detachNewThread {
                    canceller.cancel(ticket)
                }
            }
        } catch let error as SteadfastError {
            throw error
        } catch {
            throw SteadfastError(.queryFailed, message: String(describing: error))
        }
    }

    private func perform(_ statement: Statement, ticket: UInt64?) throws(SteadfastError) -> LibPQConnection.Result {
        if let ticket, !canceller.start(ticket) {
            throw SteadfastError(.cancelled, message: "the statement was cancelled before it started")
        }
        defer {
            if let ticket {
                canceller.finish(ticket)
            }
            afterStatement()
        }
        do {
            switch statement {
            case .simple(let sql):
                return try pq.execute(sql)
            case .parameters(let sql, let parameters):
                return try pq.execute(sql, parameters: parameters)
            }
        } catch let error where error.sqlState == "57014" && ticket != nil && Task.isCancelled {
            var cancelled = error
            cancelled.code = .cancelled
            throw cancelled
        }
    }

    /// Runs SQL text on this (isolated) connection, for the actor's own statements.
    @discardableResult
    private func executeHere(_ sql: String) throws(SteadfastError) -> [Row] {
        defer { afterStatement() }
        return try pq.execute(sql).rows
    }

    /// Hands out notifications read with a statement's results, and notices a connection
    /// that broke meanwhile.
    private func afterStatement() {
        broadcaster.deliver(pq.takeNotifications())
        if !pq.isFinished && !pq.isConnectionOK {
            connectionBroke()
        }
    }

    private func connectionBroke() {
        executor.unwatch()
        broadcaster.finish()
        logger.debug("connection lost")
    }

    // MARK: Transactions

    /// Runs `body` in a transaction: commits when it returns, rolls back when it throws (and
    /// rethrows). Nested calls use savepoints, so an inner failure undoes only the inner part.
    ///
    /// `body` runs in the caller's isolation and receives this connection; use only it inside.
    ///
    /// - Throws: `body`'s error, or a ``SteadfastError`` from `begin`/`commit` — including
    ///   ``SteadfastError/Code/queryFailed`` with SQLSTATE `25P02` when `body` swallowed the
    ///   error of a statement, which aborts the transaction so the commit rolls back.
    package func withTransaction<Result>(
        isolation: isolated (any Actor)? = #isolation,
        _ body: (Connection) async throws -> Result
    ) async throws -> Result {
        let savepoint = try await beginTransaction()
        let result: Result
        do {
            result = try await body(self)
        } catch {
            await rollbackTransaction(savepoint)
            throw error
        }
        try await commitTransaction(savepoint)
        return result
    }

    /// `begin`, or a savepoint inside an open transaction; returns the savepoint's name.
    private func beginTransaction() throws(SteadfastError) -> String? {
        if transactionDepth == 0 {
            try executeHere("begin")
            transactionDepth = 1
            return nil
        }
        let savepoint = "steadfast_savepoint_\(transactionDepth)"
        try executeHere("savepoint \(savepoint)")
        transactionDepth += 1
        return savepoint
    }

    private func commitTransaction(_ savepoint: String?) throws(SteadfastError) {
        transactionDepth -= 1
        if let savepoint {
            try executeHere("release savepoint \(savepoint)")
            return
        }
        defer { afterStatement() }
        let result = try pq.execute("commit")
        if result.commandTag == "ROLLBACK" {
            throw SteadfastError(
                .queryFailed,
                message: "the transaction was rolled back: a statement in it failed",
                sqlState: "25P02",
                hint: "An error inside a transaction aborts it; let the error propagate out of withTransaction."
            )
        }
    }

    /// Rolls back, ignoring failure: the connection may be broken, which the pool then notices.
    private func rollbackTransaction(_ savepoint: String?) {
        transactionDepth -= 1
        if let savepoint {
            _ = try? executeHere("rollback to savepoint \(savepoint); release savepoint \(savepoint)")
        } else {
            _ = try? executeHere("rollback")
        }
    }

    // MARK: LISTEN/NOTIFY

    /// Starts listening on a channel (`LISTEN`). Subscribe with ``notifications(bufferingNewest:)``
    /// first, so nothing sent in between is missed.
    package func listen(_ channel: String) throws(SteadfastError) {
        try executeHere("listen \(Self.quoteIdentifier(channel))")
    }

    /// Stops listening on a channel (`UNLISTEN`).
    package func unlisten(_ channel: String) throws(SteadfastError) {
        try executeHere("unlisten \(Self.quoteIdentifier(channel))")
    }

    /// The notifications this connection receives from now on, for the channels it listens
    /// to.
    ///
    /// No busy polling: while the connection has nothing to run, its thread sleeps in
    /// `poll(2)` on the connection's socket (woken at once when a statement is queued), and
    /// reads notifications when the server sends them. Notifications that arrive while a
    /// statement runs are read with its results and delivered right after it. So the same
    /// connection can listen and be used for statements, and hold session state such as
    /// advisory locks.
    ///
    /// The stream finishes when the connection is closed or breaks — for a worker, the sign
    /// that its session (and any advisory lock) is gone. Several streams may be open at once;
    /// each gets every notification.
    ///
    /// - Parameter limit: How many undelivered notifications a slow consumer may fall behind
    ///   by; beyond it the oldest are dropped. Defaults to 10 000.
    package func notifications(bufferingNewest limit: Int = 10_000) -> AsyncStream<PostgresNotification> {
        let stream = broadcaster.subscribe(bufferingNewest: limit)
        if !executor.isWatching, pq.isConnectionOK, let socket = pq.socket {
            let pq = self.pq
            let broadcaster = self.broadcaster
            let logger = self.logger
            executor.watch(socket) { [unowned executor] in
                // On the connection's thread, between jobs.
                if pq.consumeInput() {
                    broadcaster.deliver(pq.takeNotifications())
                } else {
                    executor.unwatch()
                    broadcaster.finish()
                    logger.debug("connection lost while listening")
                }
            }
        }
        return stream
    }

    /// `"name"`, with embedded quotes doubled.
    static func quoteIdentifier(_ name: String) -> String {
        "\"" + name.replacing("\"", with: "\"\"") + "\""
    }

    // MARK: Instrumentation

    /// CPU time used so far by this connection's thread (for tests: an idle listener must not
    /// spin).
    func threadCPUTime() -> Duration {
        var time = timespec()
        clock_gettime(CLOCK_THREAD_CPUTIME_ID, &time)
        return .seconds(time.tv_sec) + .nanoseconds(time.tv_nsec)
    }
}
