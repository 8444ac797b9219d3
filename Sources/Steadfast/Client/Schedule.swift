public import Foundation

/// A cron schedule: each occurrence of ``cron`` in ``timeZone`` starts the workflow
/// ``workflowName`` in ``queue`` with ``inputJSON`` plus the occurrence's time.
///
/// Declare schedules in code on a worker (``Worker/schedule(_:name:cron:timeZone:input:queue:missedRuns:catchUpWindow:)``),
/// which writes them to the database when it starts, or with ``Client/defineSchedule(_:)``.
/// No process leads: every worker fires what is due (`steadfast.tick_schedules`), and the
/// occurrence's workflow id — `schedule:<name>@<UTC time>` — makes sure it runs once however
/// many workers fire it.
///
/// ```swift
/// let nightly = try Schedule(NightlyReport.self, name: "nightly-report", cron: "30 2 * * *",
///                            timeZone: "Europe/Berlin", input: .init(region: "eu"))
/// ```
///
/// The expression has 5 fields (minute hour day-of-month month day-of-week) or 6 with seconds
/// first; ranges, steps, lists, month and weekday names and `@daily`-style macros work as in
/// Vixie cron. Inside the workflow, ``WorkflowContext/scheduledTime`` is the occurrence's time.
public struct Schedule: Sendable, Hashable {
    /// What a tick does when it finds several occurrences due at once — workers were down, or
    /// busier than the schedule's period.
    public enum MissedRuns: String, Sendable, Hashable, Codable, CaseIterable {
        /// Start only the most recent due occurrence; skip the older ones.
        case latest
        /// Start every due occurrence of the last ``Schedule/catchUpWindow``, oldest first;
        /// skip older ones.
        case all
    }

    /// The schedule's name (1…200 characters), unique; part of each workflow id it starts.
    public var name: String
    /// The cron expression: 5 fields, or 6 with seconds first, or `@hourly`, `@daily`, … .
    public var cron: String
    /// The IANA time zone the expression is read in (DST included). Defaults to `"UTC"`.
    public var timeZone: String
    /// The name of the workflow each occurrence starts.
    public var workflowName: String
    /// The queue it is started in. Defaults to `"default"`.
    public var queue: String
    /// The input as a JSON object; each run gets it with `"scheduled_at"` added.
    public var inputJSON: String
    /// What to do with occurrences missed while no worker ticked. Defaults to ``MissedRuns/latest``.
    public var missedRuns: MissedRuns
    /// With ``MissedRuns/all``, how far back missed occurrences still run (more than zero, at
    /// most 31 days). Defaults to one day.
    public var catchUpWindow: Duration

    /// A schedule that starts workflow `W` with `input`, which must encode as a JSON object.
    /// The input, the expression and the time zone are checked by the database when the
    /// schedule is written (``SteadfastError/Code/invalidArgument``, SQLSTATE SF005).
    /// - Throws: an encoding error when `input` does not encode.
    public init<W: Workflow>(_ workflow: W.Type, name: String, cron: String, timeZone: String = "UTC", input: W.Input,
                             queue: String = "default", missedRuns: MissedRuns = .latest,
                             catchUpWindow: Duration = .seconds(86_400)) throws {
        let inputJSON = try JSONCoding.encode(input)
        self.init(name: name, cron: cron, timeZone: timeZone, workflowName: W.name, queue: queue, inputJSON: inputJSON,
                  missedRuns: missedRuns, catchUpWindow: catchUpWindow)
    }

    /// A schedule of the workflow named `workflowName`, with its input as JSON text (an object).
    public init(name: String, cron: String, timeZone: String = "UTC", workflowName: String, queue: String = "default",
                inputJSON: String = "{}", missedRuns: MissedRuns = .latest, catchUpWindow: Duration = .seconds(86_400)) {
        self.name = name
        self.cron = cron
        self.timeZone = timeZone
        self.workflowName = workflowName
        self.queue = queue
        self.inputJSON = inputJSON
        self.missedRuns = missedRuns
        self.catchUpWindow = catchUpWindow
    }

    /// The occurrence a workflow started by a schedule runs for: the `scheduled_at` of its
    /// input, when its id is a schedule's (`schedule:<name>@<time>`); `nil` otherwise.
    static func scheduledTime(workflowID: String, inputJSON: String) -> Date? {
        guard workflowID.hasPrefix("schedule:"),
              let object = try? JSONSerialization.jsonObject(with: Data(inputJSON.utf8)) as? [String: Any],
              let text = object["scheduled_at"] as? String
        else { return nil }
        return ISO8601DateFormatter().date(from: text)
    }

    /// The options of `steadfast.create_schedule` and `alter_schedule`, but the input.
    var settingsJSON: [String: JSONValue] {
        [
            "time_zone": .string(timeZone),
            "queue": .string(queue),
            "missed_runs": .string(missedRuns.rawValue),
            "catch_up_window": .number(catchUpWindow.inSeconds),
        ]
    }
}

/// A schedule as the database has it now (`steadfast.list_schedules`, the view
/// `steadfast.schedule_overview`).
public struct ScheduleStatus: Sendable, Hashable {
    /// Its settings.
    public var schedule: Schedule
    /// Whether ticks fire it (``Client/pauseSchedule(_:)`` clears it).
    public var enabled: Bool
    /// Its next occurrence; `nil` while paused.
    public var nextFireAt: Date?
    /// The scheduled time of the last occurrence a tick started.
    public var lastFiredAt: Date?
    /// The id of that occurrence's workflow, while the workflow exists.
    public var lastWorkflowID: String?
    /// That workflow's status.
    public var lastStatus: WorkflowStatus?
    /// Why the last tick could not start the schedule's occurrence; `nil` once one started.
    public var lastError: String?
    /// When the schedule was created.
    public var createdAt: Date
    /// When its settings last changed.
    public var updatedAt: Date
}

/// What one call of `steadfast.tick_schedules` did.
public struct ScheduleTick: Sendable, Hashable {
    /// How many workflows it started.
    public var started: Int
    /// Whether it stopped at its limit with more occurrences due: tick again.
    public var more: Bool
    /// The earliest next occurrence of any enabled schedule, `nil` when there is none.
    public var nextDueAt: Date?
    /// The engine's time (`steadfast.now()`) the tick used.
    public var checkedAt: Date
}
