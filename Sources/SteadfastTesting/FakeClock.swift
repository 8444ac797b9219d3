public import Foundation
public import Steadfast

/// The engine's clock in a test database: `steadfast.now()` — leases, retry delays, delayed
/// starts, schedules — reads it in every session of the database, so time moves only when the
/// test says so.
///
/// ```swift
/// try await env.clock.advance(by: .seconds(30))   // a retry delay has passed
/// ```
public struct FakeClock: Sendable {
    let engine: Engine

    /// The current fake time.
    /// - Throws: `SteadfastError` if the database cannot be reached.
    public func now() async throws -> Date {
        try await engine.now()
    }

    /// Stops time at `date` (it stays there until set or advanced again).
    public func set(to date: Date) async throws {
        try await engine.setFakeNow(date)
    }

    /// Moves time forward by `duration`.
    public func advance(by duration: Duration) async throws {
        let (seconds, attoseconds) = duration.components
        try await set(to: try await now().addingTimeInterval(Double(seconds) + Double(attoseconds) / 1e18))
    }

    /// Lets real time run again.
    public func reset() async throws {
        try await engine.setFakeNow(nil)
    }
}
