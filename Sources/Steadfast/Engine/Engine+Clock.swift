package import Foundation

/// The engine's clock (sql/12_clock.sql): `steadfast.now()` and the database-wide fake clock.
extension Engine {
    /// `steadfast.now()`: the engine's clock (fake in tests).
    package func now() async throws -> Date {
        let rows = try await pool.query("select steadfast.now() as now")
        guard let row = rows.first else { throw SteadfastError(.decodingFailed, message: "steadfast.now() returned no row") }
        return try row.decode("now", as: Date.self)
    }

    /// `set_fake_now`: the database-wide fake clock; `nil` clears it.
    package func setFakeNow(_ date: Date?) async throws {
        _ = try await pool.query("select steadfast.set_fake_now($1::timestamptz)", [date?.postgresText])
    }
}
