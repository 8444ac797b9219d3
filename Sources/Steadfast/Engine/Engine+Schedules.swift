package import Foundation

/// Cron schedules (sql/85_schedules.sql): `create_schedule`, `define_schedule`,
/// `pause_schedule`, `resume_schedule`, `delete_schedule`, `list_schedules`,
/// `next_fire_times`, `tick_schedules` — one call each.
extension Engine {
    /// `create_schedule`: creates the schedule, or leaves an existing one as it is. Returns
    /// whether it was created.
    func createSchedule(_ schedule: Schedule, enabled: Bool) async throws -> Bool {
        var options = schedule.settingsJSON
        options["enabled"] = .bool(enabled)
        let rows = try await pool.query(
            "select created from steadfast.create_schedule($1, $2, $3, $4::jsonb || jsonb_build_object('input', $5::jsonb))",
            [schedule.name, schedule.cron, schedule.workflowName, try JSONCoding.encode(options), schedule.inputJSON])
        return try rows.first?.bool("created") ?? false
    }

    /// `define_schedule`: creates the schedule, or gives an existing one exactly these
    /// settings (equal settings change nothing; a paused one stays paused). Returns whether it
    /// was created.
    func defineSchedule(_ schedule: Schedule) async throws -> Bool {
        let rows = try await pool.query(
            "select created from steadfast.define_schedule($1, $2, $3, $4::jsonb || jsonb_build_object('input', $5::jsonb))",
            [schedule.name, schedule.cron, schedule.workflowName, try JSONCoding.encode(schedule.settingsJSON),
             schedule.inputJSON])
        return try rows.first?.bool("created") ?? false
    }

    /// `pause_schedule` or `resume_schedule`: the schedule's next occurrence.
    func setScheduleEnabled(_ name: String, enabled: Bool) async throws -> Date? {
        let function = enabled ? "resume_schedule" : "pause_schedule"
        let rows = try await pool.query("select next_fire_at from steadfast.\(function)($1)", [name])
        return try rows.first?.decodeIfPresent("next_fire_at", as: Date.self)
    }

    /// `delete_schedule`.
    func deleteSchedule(_ name: String) async throws {
        _ = try await pool.query("select steadfast.delete_schedule($1)", [name])
    }

    /// `list_schedules`: every schedule (or the one named), by name.
    func schedules(named name: String? = nil) async throws -> [ScheduleStatus] {
        var options: [String: JSONValue] = [:]
        if let name { options["name"] = .string(name) }
        let rows = try await pool.query(
            """
            select name, enabled, cron, time_zone, workflow_name, queue, input, missed_runs, catch_up_window,
                   next_fire_at, last_fired_at, last_workflow_id, last_status, last_error, created_at, updated_at
            from steadfast.list_schedules($1::jsonb)
            """, [try JSONCoding.encode(options)])
        return try rows.map { row in
            let missedRunsText = try row.string("missed_runs")
            guard let missedRuns = Schedule.MissedRuns(rawValue: missedRunsText) else {
                throw SteadfastError(.decodingFailed, message: "unknown missed_runs '\(missedRunsText)'")
            }
            let schedule = Schedule(
                name: try row.string("name"), cron: try row.string("cron"), timeZone: try row.string("time_zone"),
                workflowName: try row.string("workflow_name"), queue: try row.string("queue"),
                inputJSON: try row.string("input"), missedRuns: missedRuns,
                catchUpWindow: .seconds(try row.double("catch_up_window")))
            return ScheduleStatus(
                schedule: schedule, enabled: try row.bool("enabled"),
                nextFireAt: try row.decodeIfPresent("next_fire_at", as: Date.self),
                lastFiredAt: try row.decodeIfPresent("last_fired_at", as: Date.self),
                lastWorkflowID: try row.value("last_workflow_id"),
                lastStatus: try row.value("last_status").map(Self.status),
                lastError: try row.value("last_error"),
                createdAt: try row.decode("created_at", as: Date.self),
                updatedAt: try row.decode("updated_at", as: Date.self))
        }
    }

    /// `next_fire_times`: the next `count` occurrences of `cron` after `after` (nil: the
    /// engine's now) in `timeZone`, with each one's wall time there as PostgreSQL prints it.
    package func nextFireTimes(cron: String, timeZone: String, after: Date?, count: Int) async throws
        -> [(date: Date, localTime: String)] {
        let rows = try await pool.query(
            "select fire_at, local_time from steadfast.next_fire_times($1, $2::timestamptz, $3, $4)",
            [cron, after?.microsecondText, String(count), timeZone])
        return try rows.map { (try $0.decode("fire_at", as: Date.self), try $0.string("local_time")) }
    }

    /// `tick_schedules`: starts the due occurrences of every schedule, at most `limit`.
    package func tickSchedules(limit: Int) async throws -> ScheduleTick {
        let rows = try await pool.query(
            "select started, more, next_due_at, checked_at from steadfast.tick_schedules($1::jsonb)",
            [try JSONCoding.encode(["limit": JSONValue.int(Int64(limit))])])
        guard let row = rows.first else {
            throw SteadfastError(.decodingFailed, message: "tick_schedules returned no row")
        }
        return ScheduleTick(started: try row.int("started"), more: try row.bool("more"),
                            nextDueAt: try row.decodeIfPresent("next_due_at", as: Date.self),
                            checkedAt: try row.decode("checked_at", as: Date.self))
    }

}
