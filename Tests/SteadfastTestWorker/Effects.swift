@testable import Steadfast

/// Writes the side effects the tests count: one row per step run.
struct Effects: Sendable {
    let pool: ConnectionPool
    let table: String

    init(database: DatabaseConfiguration, table: String) async throws {
        self.pool = ConnectionPool(configuration: database)
        self.table = table
    }

    func record(workflowID: String, step: String) async throws {
        _ = try await pool.query("insert into \(table) (workflow_id, step, pid) values ($1, $2, pg_backend_pid())",
                                 [workflowID, step])
    }
}
