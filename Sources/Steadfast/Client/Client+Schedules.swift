public import Foundation

/// Cron schedules: define them, inspect them, pause, resume and delete them, preview an
/// expression, and fire what is due — one `steadfast.*` SQL function call each.
extension Client {
    /// Creates the schedule, or gives an existing one exactly these settings (an upsert):
    /// the definition in code wins at each deploy. Settings equal to the stored ones change
    /// nothing, so the next occurrence is kept; a new expression or time zone starts from the
    /// next occurrence after now. A paused schedule stays paused.
    /// - Returns: Whether the schedule was created.
    /// - Throws: ``SteadfastError`` — ``SteadfastError/Code/invalidArgument`` for a bad
    ///   expression, time zone, name, input or window (nothing is changed then);
    ///   ``SteadfastError/Code/notFound`` for an unknown queue.
    @discardableResult
    public func defineSchedule(_ schedule: Schedule) async throws -> Bool {
        try await engine.defineSchedule(schedule)
    }

    /// Creates the schedule when none has its name; an existing one is left as it is.
    /// - Parameters:
    ///   - schedule: The schedule.
    ///   - enabled: Whether it fires from now on. Defaults to `true`; `false` creates it paused.
    /// - Returns: Whether it was created.
    /// - Throws: ``SteadfastError`` as ``defineSchedule(_:)``.
    @discardableResult
    public func createSchedule(_ schedule: Schedule, enabled: Bool = true) async throws -> Bool {
        try await engine.createSchedule(schedule, enabled: enabled)
    }

    /// Stops the schedule from firing. Workflows it started are not touched. Pausing a paused
    /// schedule changes nothing.
    /// - Throws: ``SteadfastError`` with code ``SteadfastError/Code/notFound``.
    public func pauseSchedule(_ name: String) async throws {
        _ = try await engine.setScheduleEnabled(name, enabled: false)
    }

    /// Lets a paused schedule fire again, from its first occurrence after now: the
    /// occurrences of the pause are skipped.
    /// - Returns: The next occurrence.
    /// - Throws: ``SteadfastError`` with code ``SteadfastError/Code/notFound``.
    @discardableResult
    public func resumeSchedule(_ name: String) async throws -> Date? {
        try await engine.setScheduleEnabled(name, enabled: true)
    }

    /// Deletes the schedule; workflows it started stay. A schedule still declared by a
    /// worker's code comes back when that worker starts.
    /// - Throws: ``SteadfastError`` with code ``SteadfastError/Code/notFound``.
    public func deleteSchedule(_ name: String) async throws {
        try await engine.deleteSchedule(name)
    }

    /// Every schedule, by name, with its next and last occurrence.
    public func schedules() async throws -> [ScheduleStatus] {
        try await engine.schedules()
    }

    /// One schedule, with its next and last occurrence.
    /// - Throws: ``SteadfastError`` with code ``SteadfastError/Code/notFound``.
    public func schedule(_ name: String) async throws -> ScheduleStatus {
        guard let status = try await engine.schedules(named: name).first else {
            throw SteadfastError(.notFound, message: "schedule \(name) not found")
        }
        return status
    }

    /// The next occurrences of a cron expression, computed by the engine exactly as ticks
    /// will fire them (DST included).
    /// - Parameters:
    ///   - cron: The expression.
    ///   - timeZone: The IANA time zone to read it in. Defaults to `"UTC"`.
    ///   - after: Occurrences strictly after this time. Defaults to `nil`: the engine's now.
    ///   - count: How many (1…1000). Defaults to 10.
    /// - Throws: ``SteadfastError`` with code ``SteadfastError/Code/invalidArgument`` for a bad
    ///   expression, time zone or count.
    public func nextFireTimes(cron: String, timeZone: String = "UTC", after: Date? = nil,
                              count: Int = 10) async throws -> [Date] {
        try await engine.nextFireTimes(cron: cron, timeZone: timeZone, after: after, count: count).map(\.date)
    }

    /// ``nextFireTimes(cron:timeZone:after:count:)`` with each occurrence's wall time in the
    /// zone, as the engine prints it (for the command line).
    package func nextFireTimesWithLocalTime(cron: String, timeZone: String, after: Date?, count: Int) async throws
        -> [(date: Date, localTime: String)] {
        try await engine.nextFireTimes(cron: cron, timeZone: timeZone, after: after, count: count)
    }

    /// Starts every due occurrence of every schedule (at most `limit`), as each worker does on
    /// its timer. For deployments that fire schedules from elsewhere (a cron job running
    /// `steadfast schedules tick`, or pg_cron calling `steadfast.tick_schedules()`); safe to
    /// run alongside workers.
    /// - Parameter limit: At most this many workflows (1…10000). Defaults to 100.
    public func tickSchedules(limit: Int = 100) async throws -> ScheduleTick {
        try await engine.tickSchedules(limit: limit)
    }
}
