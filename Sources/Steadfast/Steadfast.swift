/// Steadfast: durable workflows for Swift with PostgreSQL as the orchestrator.
public enum Steadfast {
    /// Installs or upgrades the engine (the schema `steadfast`) in the database, from the SQL
    /// files embedded in this library — the same files `make sql` bundles. Safe to run again
    /// and from several processes at once.
    /// - Returns: The schema version after the run.
    /// - Throws: ``SteadfastError``: ``SteadfastError/Code/connectionFailed``, a failing
    ///   migration's error, or ``SteadfastError/Code/schemaTooNew``.
    @discardableResult
    public static func migrate(_ database: DatabaseConfiguration) async throws -> Int {
        try await Migrator(configuration: database).migrate().schemaVersion
    }
}
