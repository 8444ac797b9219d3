/// An error thrown by Steadfast: by the engine (a `steadfast.*` SQL function), by PostgreSQL, or
/// by the client library itself.
///
/// Switch on ``code`` to react to it; the ``Code`` values grow over time without breaking
/// callers, so always keep a `default` branch:
///
/// ```swift
/// do {
///     try await client.cancel(workflowID)
/// } catch let error as SteadfastError where error.code == .notFound {
///     // nothing to cancel
/// }
/// ```
///
/// Engine errors carry their SQLSTATE (class `SF`, listed with the SQL functions) in
/// ``sqlState``, and the server's message, detail, hint and context.
///
/// `description` is short and meant for logs: it names the code, and the message only when
/// Steadfast wrote it (engine and client errors); a message PostgreSQL wrote about someone
/// else's query may quote values, so it stays out. `debugDescription`
/// (`String(reflecting: error)`) has everything.
public struct SteadfastError: Error, Sendable, CustomStringConvertible, CustomDebugStringConvertible {
    /// What went wrong, in a form to switch on. New codes may be added in any release.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        enum Base: String, Hashable, Sendable {
            case notFound, workflowConflict, fenced, wrongState, invalidArgument
            case payloadTooLarge, nonDeterminism, executorInUse, duplicate, engine
            case connectionFailed, connectionLost, queryFailed
            case schemaTooNew, migrationRequired, decodingFailed, shutdown, timeout, cancelled
        }

        let base: Base

        private init(_ base: Base) {
            self.base = base
        }

        /// The code's name, such as `notFound`.
        public var description: String {
            base.rawValue
        }

        // MARK: Engine errors (SQLSTATE class SF)

        /// The workflow (or other object) named in the call does not exist. SQLSTATE `SF001`.
        public static let notFound = Code(.notFound)
        /// A workflow id was reused for a workflow with another name. SQLSTATE `SF002`.
        public static let workflowConflict = Code(.workflowConflict)
        /// The caller no longer holds the workflow: its lease was lost, it was reclaimed by
        /// another executor, cancelled or finished, or the attempt presented is not the current
        /// one. The caller must stop working on it. SQLSTATE `SF003`.
        public static let fenced = Code(.fenced)
        /// The workflow is not in a state that allows the operation (for example resuming a
        /// workflow that is running). SQLSTATE `SF004`.
        public static let wrongState = Code(.wrongState)
        /// An argument is malformed or out of range. SQLSTATE `SF005`.
        public static let invalidArgument = Code(.invalidArgument)
        /// A payload exceeds `max_payload_bytes`, or a step would take the workflow's recorded
        /// steps past `max_workflow_bytes` (`steadfast.get_settings()`). SQLSTATE `SF006`.
        public static let payloadTooLarge = Code(.payloadTooLarge)
        /// A replay diverged from the recorded history: a step was recorded with another name
        /// or result at that position. SQLSTATE `SF007`.
        public static let nonDeterminism = Code(.nonDeterminism)
        /// The executor id is held by another live database session: only the session that
        /// registered an executor registers it again or acts for it (claim, heartbeat, release,
        /// deregister), and only sessions of the role that claimed a workflow write to it.
        /// SQLSTATE `SF008`.
        public static let executorInUse = Code(.executorInUse)
        /// An active workflow of the queue already holds the start's deduplication key, and the
        /// start asked to fail on a duplicate (``StartOptions/DuplicatePolicy/fail``) or the
        /// holder is another workflow type. SQLSTATE `SF009`.
        public static let duplicate = Code(.duplicate)
        /// An engine error (SQLSTATE class `SF`) this version of the library does not know,
        /// raised by a newer engine; ``SteadfastError/sqlState`` has the exact code.
        public static let engine = Code(.engine)

        // MARK: Client errors

        /// A connection to PostgreSQL could not be opened (bad connection string, server down,
        /// authentication refused, connect timeout).
        public static let connectionFailed = Code(.connectionFailed)
        /// The connection broke while in use (server restart, terminated backend, network
        /// failure). Whether the interrupted statement took effect is unknown.
        public static let connectionLost = Code(.connectionLost)
        /// PostgreSQL rejected a statement with a SQLSTATE outside the engine's class;
        /// ``SteadfastError/sqlState`` has it.
        public static let queryFailed = Code(.queryFailed)
        /// The database schema was migrated by a newer version of Steadfast than this one;
        /// upgrade the library (older code must not write to a newer schema).
        public static let schemaTooNew = Code(.schemaTooNew)
        /// The database has no Steadfast schema yet, or an older one: run the migration
        /// (`steadfast migrate`).
        public static let migrationRequired = Code(.migrationRequired)
        /// A value returned by the database could not be decoded into the expected type.
        public static let decodingFailed = Code(.decodingFailed)
        /// The connection or pool was closed (or is shutting down) before or during the call.
        public static let shutdown = Code(.shutdown)
        /// The operation did not complete in the time allowed.
        public static let timeout = Code(.timeout)
        /// The statement was interrupted because the task awaiting it was cancelled (the server
        /// reports SQLSTATE `57014`); its transaction, if any, is aborted.
        public static let cancelled = Code(.cancelled)

        /// The code for a SQLSTATE reported by the server: the engine's `SF` class maps to its
        /// own codes (unknown ones to ``engine``), everything else to ``queryFailed``.
        static func forSQLState(_ sqlState: String) -> Code {
            switch sqlState {
            case "SF001": .notFound
            case "SF002": .workflowConflict
            case "SF003": .fenced
            case "SF004": .wrongState
            case "SF005": .invalidArgument
            case "SF006": .payloadTooLarge
            case "SF007": .nonDeterminism
            case "SF008": .executorInUse
            case "SF009": .duplicate
            case _ where sqlState.hasPrefix("SF"): .engine
            default: .queryFailed
            }
        }
    }

    /// What went wrong.
    public var code: Code
    /// The five-character SQLSTATE the server reported (for example `SF003` or `22012`); `nil`
    /// for errors raised by the client library itself.
    public var sqlState: String?
    /// The primary message: the server's, or the client's own explanation.
    public var message: String
    /// The server's optional detail line (may quote values).
    public var detail: String?
    /// The server's optional hint, or the client's advice on how to fix the problem.
    public var hint: String?
    /// Where the error happened: the server's PL/pgSQL call stack (`CONTEXT`), or the
    /// operation the client was performing.
    public var context: String?

    /// The statement that failed, for ``debugDescription`` only (never parameter values).
    var query: String?

    /// Whether the error says the database could not be reached, rather than that it refused
    /// the statement: a connection could not be opened (server down, starting up, shutting
    /// down, out of connection slots) or broke under the statement (restart, failover,
    /// terminated backend). Whether a statement that was running took effect is unknown.
    /// Trying an idempotent call again later, on a new connection, may succeed.
    ///
    /// That is ``Code/connectionFailed``, ``Code/connectionLost``, and these SQLSTATEs: class
    /// `08` (connection exception), `57P01` (admin shutdown), `57P02` (crash shutdown),
    /// `57P03` (cannot connect now), `53300` (too many connections).
    public var isDatabaseUnavailable: Bool {
        if code == .connectionFailed || code == .connectionLost { return true }
        guard let sqlState else { return false }
        return sqlState.hasPrefix("08") || ["57P01", "57P02", "57P03", "53300"].contains(sqlState)
    }

    /// Whether the statement was rolled back only because it met another transaction: chosen
    /// as a deadlock's victim (SQLSTATE `40P01`) or a serialization failure (`40001`). Nothing
    /// it did took effect; the same call again may succeed.
    public var isTransientConflict: Bool {
        sqlState == "40P01" || sqlState == "40001"
    }

    /// Creates an error; Steadfast creates these itself, tests may build their own.
    /// - Parameters:
    ///   - code: What went wrong.
    ///   - message: The primary message.
    ///   - sqlState: The server's SQLSTATE, if any. Defaults to `nil`.
    ///   - detail: The server's detail line. Defaults to `nil`.
    ///   - hint: Advice on fixing the problem. Defaults to `nil`.
    ///   - context: Where the error happened. Defaults to `nil`.
    public init(
        _ code: Code,
        message: String,
        sqlState: String? = nil,
        detail: String? = nil,
        hint: String? = nil,
        context: String? = nil
    ) {
        self.code = code
        self.message = message
        self.sqlState = sqlState
        self.detail = detail
        self.hint = hint
        self.context = context
    }

    /// Whether Steadfast wrote ``message`` (engine or client error), rather than PostgreSQL
    /// about an arbitrary statement.
    private var messageIsOwn: Bool {
        guard let sqlState else { return true }
        return sqlState.hasPrefix("SF")
    }

    /// A short, log-safe summary such as `SteadfastError.fenced (SF003): workflow w1 was reclaimed`.
    public var description: String {
        var text = "SteadfastError.\(code)"
        if let sqlState {
            text += " (\(sqlState))"
        }
        if messageIsOwn || code == .connectionLost || code == .connectionFailed {
            text += ": \(message)"
        }
        return text
    }

    /// Everything known about the error: code, SQLSTATE, message, detail, hint, context and the
    /// failing statement.
    public var debugDescription: String {
        var text = "SteadfastError(code: \(code)"
        if let sqlState {
            text += ", sqlState: \(sqlState)"
        }
        text += ", message: \(String(reflecting: message))"
        if let detail {
            text += ", detail: \(String(reflecting: detail))"
        }
        if let hint {
            text += ", hint: \(String(reflecting: hint))"
        }
        if let context {
            text += ", context: \(String(reflecting: context))"
        }
        if let query {
            text += ", query: \(String(reflecting: query))"
        }
        return text + ")"
    }
}
