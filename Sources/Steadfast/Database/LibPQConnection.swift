import CLibPQ

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// The raw libpq connection (`PGconn *`) and the few calls Steadfast makes on it.
///
/// Not thread-safe, and blocking: it is owned by a ``Connection`` and used only on that
/// connection's dedicated thread (from the actor's methods, or from the idle socket watch that
/// runs on the same thread between them). Hence `@unchecked Sendable`: it is handed to that
/// thread, never used concurrently. `deinit` closes the connection if ``finish()`` was not
/// called.
final class LibPQConnection: @unchecked Sendable {
    private var pointer: OpaquePointer?

    /// Called with each notice or warning the server sends (`RAISE NOTICE`, and the final
    /// message of a backend that is terminated while idle); without it they are dropped instead
    /// of being printed to stderr by libpq.
    var onNotice: (@Sendable (_ severity: String, _ message: String) -> Void)?

    /// Cancels running statements on behalf of cancelled tasks (see ``StatementCanceller``).
    let canceller: StatementCanceller

    /// The statements prepared on this connection: SQL text → statement name. A statement
    /// run with parameters is prepared the first time (parsed, analyzed and planned once) and
    /// executed by name afterwards; the server re-plans it by itself when the objects it
    /// uses change. Named statements live as long as the session, whatever transactions
    /// roll back.
    private var prepared: [String: String] = [:]
    private var preparedCount = 0
    /// At most this many statements are prepared; others run unnamed. 0: none.
    private let preparedLimit: Int

    init(canceller: StatementCanceller = StatementCanceller(), preparedStatementLimit: Int = 0) {
        self.canceller = canceller
        self.preparedLimit = preparedStatementLimit
    }

    deinit {
        if let pointer {
            canceller.setConnection(nil)
            PQfinish(pointer)
        }
    }

    // MARK: Connecting

    /// Opens the connection, blocking until it is established or failed.
    ///
    /// - Parameter parameters: libpq keyword/value pairs, in order; a later pair overrides an
    ///   earlier one, and the first `dbname` may be a whole connection string or URI.
    func connect(_ parameters: [(keyword: String, value: String)]) throws(SteadfastError) {
        precondition(pointer == nil, "connect() called twice")
        let connection = withCStringArrays(parameters) { keywords, values in
            PQconnectdbParams(keywords, values, 1)
        }
        guard let connection else {
            throw SteadfastError(.connectionFailed, message: "libpq could not allocate a connection")
        }
        guard PQstatus(connection) == CONNECTION_OK else {
            let message = Self.trimmed(String(cString: PQerrorMessage(connection)))
            PQfinish(connection)
            throw SteadfastError(
                .connectionFailed,
                message: message.isEmpty ? "could not connect to PostgreSQL" : message,
                hint: "Check the connection string (DATABASE_URL) and that the server is running."
            )
        }
        pointer = connection
        canceller.setConnection(connection)
        PQsetNoticeReceiver(connection, { argument, result in
            guard let argument, let result else { return }
            let me = Unmanaged<LibPQConnection>.fromOpaque(argument).takeUnretainedValue()
            guard let onNotice = me.onNotice else { return }
            let severity = LibPQConnection.field(result, "V") ?? LibPQConnection.field(result, "S") ?? "NOTICE"
            let message = LibPQConnection.field(result, "M") ?? ""
            onNotice(severity, message)
        }, Unmanaged.passUnretained(self).toOpaque())
    }

    /// Closes the connection (sending the server a polite Terminate). Idempotent.
    func finish() {
        if let pointer {
            canceller.setConnection(nil)
            PQfinish(pointer)
            self.pointer = nil
        }
    }

    /// Whether ``finish()`` was called (or ``connect(_:)`` never succeeded).
    var isFinished: Bool {
        pointer == nil
    }

    /// Whether libpq believes the connection is usable. Only as fresh as the last read: a
    /// backend killed while the connection was idle is noticed by ``consumeInput()``.
    var isConnectionOK: Bool {
        guard let pointer else { return false }
        return PQstatus(pointer) == CONNECTION_OK
    }

    /// The connection's transaction state.
    var transactionStatus: TransactionStatus {
        guard let pointer else { return .unknown }
        switch PQtransactionStatus(pointer) {
        case PQTRANS_IDLE: return .idle
        case PQTRANS_INTRANS: return .inTransaction
        case PQTRANS_INERROR: return .failedTransaction
        case PQTRANS_ACTIVE: return .active
        default: return .unknown
        }
    }

    enum TransactionStatus {
        case idle, inTransaction, failedTransaction, active, unknown
    }

    /// The socket's file descriptor, to wait on for notifications; `nil` when not connected.
    var socket: Int32? {
        guard let pointer else { return nil }
        let socket = PQsocket(pointer)
        return socket >= 0 ? socket : nil
    }

    /// The backend's process id (`pg_backend_pid()`), 0 when not connected.
    var backendPID: Int32 {
        guard let pointer else { return 0 }
        return PQbackendPID(pointer)
    }

    /// Reads whatever the server has sent without blocking (notifications, notices, or the
    /// end of the connection). Returns `false` if the connection is broken.
    func consumeInput() -> Bool {
        guard let pointer else { return false }
        return PQconsumeInput(pointer) == 1 && PQstatus(pointer) == CONNECTION_OK
    }

    /// Like ``consumeInput()``, but keeps reading while the socket stays readable, so that a
    /// server's last words (a FATAL message) followed by the end of the connection are both
    /// seen: one read returns the message, only the next one finds the end. Never blocks.
    func consumeAllInput() -> Bool {
        guard let socket else { return false }
        // A handful of rounds is plenty; a server sending without pause must not hold us here.
        for _ in 0..<8 {
            guard consumeInput() else { return false }
            var descriptor = pollfd(fd: socket, events: Int16(POLLIN), revents: 0)
            if poll(&descriptor, 1, 0) <= 0 || descriptor.revents == 0 {
                break
            }
        }
        return true
    }

    /// The notifications libpq has received and not yet handed out.
    func takeNotifications() -> [PostgresNotification] {
        guard let pointer else { return [] }
        var notifications: [PostgresNotification] = []
        while let notify = PQnotifies(pointer) {
            notifications.append(PostgresNotification(
                channel: String(cString: notify.pointee.relname),
                payload: String(cString: notify.pointee.extra),
                backendPID: notify.pointee.be_pid
            ))
            PQfreemem(notify)
        }
        return notifications
    }

    // MARK: Queries

    /// What a successful statement returned.
    struct Result {
        var rows: [Row]
        /// The command tag, such as `INSERT 0 1`, `COMMIT` or `ROLLBACK`.
        var commandTag: String
    }

    /// Runs one or more statements separated by semicolons with the simple query protocol
    /// (no parameters); returns the last statement's result. Blocks.
    func execute(_ sql: String) throws(SteadfastError) -> Result {
        let pointer = try requireOpen()
        let result = PQexec(pointer, sql)
        return try consume(result, query: sql)
    }

    /// Runs one statement with `$1`, `$2`… parameters sent separately from the text, in text
    /// format (`nil` is SQL NULL). Blocks.
    ///
    /// Prepares the statement on first use while fewer than `preparedStatementLimit` are, and
    /// then executes it by name: parsing and planning a call such as `record_step` each time
    /// cost about 50 µs of the server's time, a fifth of a checkpoint (BENCHMARKS.md).
    func execute(_ sql: String, parameters: [String?]) throws(SteadfastError) -> Result {
        let pointer = try requireOpen()
        guard let name = try preparedName(for: sql, parameters: parameters.count, pointer: pointer) else {
            let result = withOptionalCStrings(parameters) { values in
                PQexecParams(pointer, sql, Int32(parameters.count), nil, values, nil, nil, 0)
            }
            return try consume(result, query: sql)
        }
        let result = withOptionalCStrings(parameters) { values in
            PQexecPrepared(pointer, name, Int32(parameters.count), values, nil, nil, 0)
        }
        do {
            return try consume(result, query: sql)
        } catch where error.sqlState == "0A000" && error.message.contains("cached plan must not change result type") {
            // What the statement returns changed under it (a migration replaced a function):
            // forget it, and run the statement afresh, once.
            // Inside a transaction the error aborted it: forget the statement, and the next
            // call prepares it again.
            prepared[sql] = nil
            guard PQtransactionStatus(pointer) == PQTRANS_IDLE else { throw error }
            _ = try? execute("deallocate \(name)")
            return try execute(sql, parameters: parameters)
        }
    }

    /// The name `sql` is prepared under, preparing it now if there is room; nil to run it
    /// unnamed (the limit is reached, or it is 0).
    private func preparedName(for sql: String, parameters: Int, pointer: OpaquePointer) throws(SteadfastError) -> String? {
        if let name = prepared[sql] { return name }
        guard prepared.count < preparedLimit else { return nil }
        preparedCount += 1
        let name = "steadfast_\(preparedCount)"
        // A failed PREPARE (a syntax error, an aborted transaction) throws the statement's
        // own error and prepares nothing.
        _ = try consume(PQprepare(pointer, name, sql, Int32(parameters), nil), query: sql)
        prepared[sql] = name
        return name
    }

    private func requireOpen() throws(SteadfastError) -> OpaquePointer {
        guard let pointer else {
            throw SteadfastError(.shutdown, message: "the connection is closed")
        }
        guard PQstatus(pointer) == CONNECTION_OK else {
            throw SteadfastError(
                .connectionLost,
                message: Self.trimmed(String(cString: PQerrorMessage(pointer))).nonEmpty ?? "the connection is broken"
            )
        }
        return pointer
    }

    /// Turns a `PGresult` into rows or a typed error, and frees it.
    private func consume(_ result: OpaquePointer?, query: String) throws(SteadfastError) -> Result {
        defer { PQclear(result) }
        guard let result else {
            throw makeError(result: nil, query: query)
        }
        switch PQresultStatus(result) {
        case PGRES_TUPLES_OK, PGRES_SINGLE_TUPLE:
            return Result(rows: Self.rows(of: result), commandTag: Self.commandTag(of: result))
        case PGRES_COMMAND_OK, PGRES_EMPTY_QUERY:
            return Result(rows: [], commandTag: Self.commandTag(of: result))
        case PGRES_COPY_IN, PGRES_COPY_OUT, PGRES_COPY_BOTH:
            // A COPY would leave the protocol mid-transfer; nothing here speaks it, so the
            // connection cannot be reused: close it (a pool then replaces it).
            finish()
            var error = SteadfastError(.queryFailed, message: "COPY is not supported on a Steadfast connection")
            error.query = query
            throw error
        default:
            throw makeError(result: result, query: query)
        }
    }

    private func makeError(result: OpaquePointer?, query: String) -> SteadfastError {
        let lost = !(pointer.map { PQstatus($0) == CONNECTION_OK } ?? false)
        var error: SteadfastError
        if let result, let sqlState = Self.field(result, "C") {
            let message = Self.field(result, "M") ?? Self.trimmed(String(cString: PQresultErrorMessage(result)))
            let relayed = Self.relayed(message)
            error = SteadfastError(
                lost ? .connectionLost : SteadfastError.Code.forSQLState(sqlState),
                message: relayed.message,
                sqlState: sqlState,
                detail: Self.field(result, "D").map { Self.unprefixed($0, "Remote detail: ") },
                hint: Self.field(result, "H").map { Self.unprefixed($0, "Remote hint: ") },
                context: [relayed.via, Self.field(result, "W").map { Self.unprefixed($0, "Remote context: ") }]
                    .compactMap { $0 }.joined(separator: "\n").nonEmpty
            )
        } else {
            let message = pointer.map { Self.trimmed(String(cString: PQerrorMessage($0))) } ?? ""
            // libpq's own words for a connection that broke under the call, which it does not
            // always mark CONNECTION_BAD at once (seen in `make chaos`: an immediate shutdown
            // under a checkpoint write came back as a plain query failure and was not retried).
            let broken = Self.brokenConnectionMessages.contains { message.hasPrefix($0) }
            error = SteadfastError(
                lost || broken ? .connectionLost : .queryFailed,
                message: message.nonEmpty ?? (lost ? "the connection was lost" : "the query failed")
            )
        }
        error.query = query
        return error
    }

    // MARK: Helpers

    /// How libpq (in the C locale) reports a connection that failed during a call.
    static let brokenConnectionMessages = [
        "server closed the connection unexpectedly", "could not send data to server",
        "could not receive data from server", "no connection to the server", "SSL SYSCALL error",
        "SSL connection has been closed unexpectedly", "connection to server was lost",
    ]

    private static func rows(of result: OpaquePointer) -> [Row] {
        let rowCount = Int(PQntuples(result))
        let columnCount = Int(PQnfields(result))
        let columns = (0..<columnCount).map { String(cString: PQfname(result, Int32($0))) }
        var rows: [Row] = []
        rows.reserveCapacity(rowCount)
        for row in 0..<Int32(rowCount) {
            var values: [String?] = []
            values.reserveCapacity(columnCount)
            for column in 0..<Int32(columnCount) {
                if PQgetisnull(result, row, column) == 1 {
                    values.append(nil)
                } else {
                    let length = Int(PQgetlength(result, row, column))
                    let bytes = UnsafeRawPointer(PQgetvalue(result, row, column)!)
                    values.append(String(decoding: UnsafeRawBufferPointer(start: bytes, count: length), as: UTF8.self))
                }
            }
            rows.append(Row(columns: columns, values: values))
        }
        return rows
    }

    private static func commandTag(of result: OpaquePointer) -> String {
        PQcmdStatus(result).map { String(cString: $0) } ?? ""
    }

    /// A shard's error relayed by a PL/Proxy router reads "<function>(<n>): [<database>] REMOTE
    /// ERROR: <the shard's message>" (REMOTE FATAL when the shard's session ended): the shard's
    /// message, as a single database says it, and where it came from (kept in the error's
    /// context). Any other message is itself.
    static func relayed(_ message: String) -> (message: String, via: String?) {
        guard let marker = message.firstRange(of: " REMOTE ERROR: ") ?? message.firstRange(of: " REMOTE FATAL: ") else {
            return (message, nil)
        }
        return (String(message[marker.upperBound...]), "relayed by " + message[..<marker.lowerBound])
    }

    static func unprefixed(_ text: String, _ prefix: String) -> String {
        text.hasPrefix(prefix) ? String(text.dropFirst(prefix.count)) : text
    }

    /// One field of an error or notice result, such as `C` (SQLSTATE) or `M` (message).
    static func field(_ result: OpaquePointer, _ code: Unicode.Scalar) -> String? {
        guard let value = PQresultErrorField(result, Int32(code.value)) else { return nil }
        return String(cString: value)
    }

    static func trimmed(_ text: String) -> String {
        var text = Substring(text)
        while let last = text.last, last.isWhitespace { text.removeLast() }
        while let first = text.first, first.isWhitespace { text.removeFirst() }
        return String(text)
    }
}

extension String {
    fileprivate var nonEmpty: String? {
        isEmpty ? nil : self
    }
}

/// Calls `body` with two NULL-terminated arrays of C strings (keywords and values) that live
/// for the duration of the call.
private func withCStringArrays<Result>(
    _ pairs: [(keyword: String, value: String)],
    _ body: (UnsafePointer<UnsafePointer<CChar>?>, UnsafePointer<UnsafePointer<CChar>?>) -> Result
) -> Result {
    let keywords = pairs.map { UnsafePointer(strdup($0.keyword)) } + [nil]
    let values = pairs.map { UnsafePointer(strdup($0.value)) } + [nil]
    defer {
        for pointer in keywords + values {
            free(UnsafeMutablePointer(mutating: pointer))
        }
    }
    return keywords.withUnsafeBufferPointer { keywords in
        values.withUnsafeBufferPointer { values in
            body(keywords.baseAddress!, values.baseAddress!)
        }
    }
}

/// Calls `body` with an array of C strings (`nil` stays `nil`, SQL NULL) that live for the
/// duration of the call.
private func withOptionalCStrings<Result>(
    _ strings: [String?],
    _ body: (UnsafePointer<UnsafePointer<CChar>?>?) -> Result
) -> Result {
    if strings.isEmpty {
        return body(nil)
    }
    let pointers = strings.map { $0.map { UnsafePointer(strdup($0)) } ?? nil }
    defer {
        for pointer in pointers {
            free(UnsafeMutablePointer(mutating: pointer))
        }
    }
    return pointers.withUnsafeBufferPointer { body($0.baseAddress) }
}
