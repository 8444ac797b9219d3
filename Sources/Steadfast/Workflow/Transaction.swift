/// The transaction a transaction step runs in (``WorkflowContext/transaction(_:isolation:retry:_:)``):
/// run statements on the engine's database; the step's checkpoint joins the same transaction.
///
/// Parameters travel as text; cast them in SQL (`$1::int`). Do not commit, roll back or keep
/// the transaction beyond the step's body.
public struct Transaction: Sendable {
    let connection: Connection

    /// Runs one statement with `$1`, `$2`, … parameters and returns its rows.
    /// - Throws: ``SteadfastError`` (``SteadfastError/Code/queryFailed`` with the SQLSTATE for
    ///   a statement PostgreSQL refused).
    @discardableResult
    public func query(_ sql: String, _ parameters: [String?] = []) async throws -> [QueryRow] {
        try await connection.query(sql, parameters).map(QueryRow.init)
    }
}

/// One row of a ``Transaction/query(_:_:)`` result, its values in PostgreSQL's text format.
public struct QueryRow: Sendable {
    let row: Row

    /// The value of `column` as text; `nil` for SQL NULL.
    /// - Throws: ``SteadfastError`` when there is no such column.
    public func value(_ column: String) throws -> String? {
        try row.value(column)
    }

    /// The non-null text value of `column`.
    public func string(_ column: String) throws -> String {
        try row.string(column)
    }

    /// The non-null integer value of `column`.
    public func int(_ column: String) throws -> Int {
        try row.int(column)
    }

    /// The non-null boolean value of `column`.
    public func bool(_ column: String) throws -> Bool {
        try row.bool(column)
    }

    /// The non-null floating-point value of `column`.
    public func double(_ column: String) throws -> Double {
        try row.double(column)
    }
}

/// The isolation level of a transaction step.
public enum IsolationLevel: Sendable {
    /// PostgreSQL's default: each statement sees what was committed before it began.
    case readCommitted
    /// The whole transaction sees one snapshot; conflicting writes fail and are retried.
    case repeatableRead
    /// As if transactions ran one after another; conflicts fail and are retried.
    case serializable

    var sql: String {
        switch self {
        case .readCommitted: "read committed"
        case .repeatableRead: "repeatable read"
        case .serializable: "serializable"
        }
    }
}
