/// A database transaction of a ``Client`` (``Client/withTransaction(isolation:_:)``): the
/// application's own statements and the workflows it starts on it commit together, or roll
/// back together — the transactional outbox, with the engine in the same database.
///
/// A workflow started here exists, and workers are woken for it (`NOTIFY` is delivered at
/// commit), only once the transaction commits. Parameters travel as text; cast them in SQL
/// (`$1::int`). Do not commit, roll back or keep the transaction beyond the closure.
public struct ClientTransaction: Sendable {
    let connection: Connection
    let client: Client

    /// Runs one statement with `$1`, `$2`, … parameters and returns its rows.
    /// - Throws: ``SteadfastError`` (``SteadfastError/Code/queryFailed`` with the SQLSTATE for
    ///   a statement PostgreSQL refused).
    @discardableResult
    public func query(_ sql: String, _ parameters: [String?] = []) async throws -> [QueryRow] {
        try await connection.query(sql, parameters).map(QueryRow.init)
    }

    /// Starts a workflow in this transaction, as ``Client/start(_:_:options:)`` does: it is
    /// enqueued when the transaction commits, and never if it rolls back.
    public func start<W: Workflow>(_ workflow: W.Type, _ input: W.Input,
                                   options: StartOptions = StartOptions()) async throws -> WorkflowHandle<W.Output> {
        let inputJSON = try JSONCoding.encode(input)
        let started = try await client.engine.telemetry.withStartSpan(W.name) { trace, span in
            try await client.enqueue(name: W.name, inputJSON: inputJSON, options: options, trace: trace, span: span,
                                     on: connection)
        }
        return WorkflowHandle(id: started.id, created: started.created, client: client)
    }
}

extension Client {
    /// Runs `body` in one database transaction on a connection of the client's pool, and
    /// commits when it returns — or rolls back when it throws, leaving nothing of it: neither
    /// the application's writes nor the workflows it started (``ClientTransaction/start(_:_:options:)``).
    ///
    /// ```swift
    /// let handle = try await client.withTransaction { tx in
    ///     try await tx.query("insert into orders (id, cart) values ($1, $2::int)", [orderID, "43"])
    ///     return try await tx.start(Checkout.self, .init(orderID: orderID), options: StartOptions(id: orderID))
    /// }
    /// ```
    /// - Parameters:
    ///   - level: The transaction's isolation level. Defaults to read committed.
    ///   - body: The work, with the transaction: its own SQL and the workflows it starts.
    /// - Throws: `body`'s error (after the rollback), or ``SteadfastError`` from the database;
    ///   ``SteadfastError/Code/invalidArgument`` at once, running nothing, when the client
    ///   talks to a sharded cluster's router: there, each call commits on its shard whatever the
    ///   transaction does (docs/scale-out.md) — open the transaction on the workflow's shard.
    public func withTransaction<Result: Sendable>(isolation level: IsolationLevel = .readCommitted,
                                                  _ body: (ClientTransaction) async throws -> Result) async throws -> Result {
        if isRouter {
            throw SteadfastError(.invalidArgument,
                                 message: "withTransaction: this client talks to a router, where no transaction spans the shards",
                                 hint: "Each call through the router commits on its shard at once. Connect a client to the workflow's shard (steadfast.shard_of) to start it in your transaction.")
        }
        return try await engine.withTransaction(isolation: level) { connection in
            try await body(ClientTransaction(connection: connection, client: self))
        }
    }
}
