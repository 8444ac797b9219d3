import ArgumentParser
import Foundation
import Steadfast

struct Schedules: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "List, create, pause, resume and delete cron schedules; preview an expression; fire what is due.",
        discussion: """
            Expressions have 5 fields (minute hour day-of-month month day-of-week) or 6 with \
            seconds first, or are @hourly, @daily, @weekly, @monthly, @yearly. Workers fire due \
            schedules by themselves; `tick` does the same from a shell or a cron job.
            """,
        subcommands: [List.self, Create.self, Pause.self, Resume.self, Delete.self, Next.self, Tick.self]
    )

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "List schedules with their next and last runs (times in UTC and in the schedule's zone).")

        @OptionGroup var global: GlobalOptions
        @Argument(help: "Only this schedule.")
        var name: String?

        func run() async throws {
            try await global.withClient { client in
                let schedules = try await client.schedules().filter { name == nil || $0.schedule.name == name }
                if let name, schedules.isEmpty {
                    throw SteadfastError(.notFound, message: "schedule \(name) not found")
                }
                if global.json {
                    Output.json(schedules.map(\.jsonObject))
                    return
                }
                Output.table(["SCHEDULE", "STATE", "CRON", "TIME ZONE", "WORKFLOW", "QUEUE", "MISSED", "NEXT (UTC)", "NEXT (LOCAL)",
                              "LAST (UTC)", "LAST STATUS"],
                             schedules.map {
                                 [$0.schedule.name, $0.enabled ? "enabled" : "paused", $0.schedule.cron, $0.schedule.timeZone,
                                  $0.schedule.workflowName, $0.schedule.queue, $0.schedule.missedRuns.rawValue,
                                  Output.shortTime($0.nextFireAt), localTime($0.nextFireAt, in: $0.schedule.timeZone),
                                  Output.shortTime($0.lastFiredAt),
                                  $0.lastError.map { "error: " + Output.clip($0, 40) } ?? $0.lastStatus?.rawValue ?? "-"]
                             })
            }
        }
    }

    struct Create: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Create a schedule (or, with --replace, give an existing one these settings).",
            discussion: """
                Without --replace an existing schedule of that name is left unchanged. A new \
                schedule's first run is its first occurrence after now.
                """)

        @OptionGroup var global: GlobalOptions
        @Argument(help: "The schedule's name.")
        var name: String
        @Option(help: ArgumentHelp("The cron expression, e.g. '*/5 * * * *' or '0 30 2 * * mon-fri'.", valueName: "expression"))
        var cron: String
        @Option(help: "The name of the workflow each run starts.")
        var workflow: String
        @Option(help: ArgumentHelp("The IANA time zone the expression is read in.", valueName: "zone"))
        var timeZone = "UTC"
        @Option(help: "The queue to start it in.")
        var queue = "default"
        @Option(help: ArgumentHelp("The input of every run, a JSON object (scheduled_at is added).", valueName: "json"))
        var input = "{}"
        @Option(help: ArgumentHelp("After an outage: latest (run the most recent missed occurrence) or all.", valueName: "policy"))
        var missedRuns: MissedRunsArgument = .init(value: .latest)
        @Option(help: ArgumentHelp("With --missed-runs all, how far back missed runs still run (e.g. 6h, 1d).", valueName: "age"))
        var catchUpWindow: Age?
        @Flag(help: "Create it paused.")
        var paused = false
        @Flag(help: "Replace the settings of an existing schedule of that name.")
        var replace = false

        func validate() throws {
            if paused && replace {
                throw ValidationError("--paused applies to a new schedule only; pause an existing one with `schedules pause`.")
            }
        }

        func run() async throws {
            try await global.withClient { client in
                let schedule = Schedule(name: name, cron: cron, timeZone: timeZone, workflowName: workflow, queue: queue,
                                        inputJSON: input, missedRuns: missedRuns.value,
                                        catchUpWindow: catchUpWindow?.duration ?? .seconds(86_400))
                let created = replace ? try await client.defineSchedule(schedule)
                                      : try await client.createSchedule(schedule, enabled: !paused)
                let status = try await client.schedule(name)
                if global.json {
                    var object = status.jsonObject
                    object["created"] = created
                    Output.json(object)
                    return
                }
                let what = created ? "created" : (replace ? "updated" : "exists, unchanged:")
                let next = status.nextFireAt.map {
                    "next run \(Output.shortTime($0)) UTC (\(localTime($0, in: status.schedule.timeZone)) \(status.schedule.timeZone))"
                } ?? "paused"
                Output.line("schedule \(name) \(what) \(next)")
            }
        }
    }

    struct Pause: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Stop a schedule from firing (its workflows are not touched).")

        @OptionGroup var global: GlobalOptions
        @Argument(help: "The schedule's name.")
        var name: String

        func run() async throws {
            try await global.withClient { client in
                try await client.pauseSchedule(name)
                if global.json {
                    Output.json(try await client.schedule(name).jsonObject)
                } else {
                    Output.line("paused \(name)")
                }
            }
        }
    }

    struct Resume: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Let a paused schedule fire again, from its next occurrence (runs missed while paused are skipped).")

        @OptionGroup var global: GlobalOptions
        @Argument(help: "The schedule's name.")
        var name: String

        func run() async throws {
            try await global.withClient { client in
                let next = try await client.resumeSchedule(name)
                if global.json {
                    Output.json(try await client.schedule(name).jsonObject)
                } else {
                    Output.line("resumed \(name); next run \(Output.shortTime(next)) UTC")
                }
            }
        }
    }

    struct Delete: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Delete a schedule (the workflows it started stay).",
            discussion: "A schedule declared in a worker's code comes back when that worker starts; remove it from the code too.")

        @OptionGroup var global: GlobalOptions
        @Argument(help: "The schedule's name.")
        var name: String

        func run() async throws {
            try await global.withClient { client in
                try await client.deleteSchedule(name)
                if global.json {
                    Output.json(["deleted": name])
                } else {
                    Output.line("deleted \(name)")
                }
            }
        }
    }

    struct Next: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Show the next runs of a cron expression, or of a schedule with --schedule, as the engine computes them.")

        @OptionGroup var global: GlobalOptions
        @Argument(help: ArgumentHelp("The cron expression.", valueName: "expression"))
        var cron: String?
        @Option(help: "Use this schedule's expression and time zone.")
        var schedule: String?
        @Option(help: ArgumentHelp("The IANA time zone (default UTC, or the schedule's).", valueName: "zone"))
        var timeZone: String?
        @Option(help: "How many runs (1…1000).")
        var count = 10
        @Option(help: ArgumentHelp("Runs after this time (ISO 8601 or an age like 2h ago); default now.", valueName: "time"))
        var after: PointInTime?

        func validate() throws {
            if (cron == nil) == (schedule == nil) {
                throw ValidationError("Give a cron expression or --schedule NAME.")
            }
        }

        func run() async throws {
            try await global.withClient { client in
                var expression = cron ?? ""
                var zone = timeZone ?? "UTC"
                if let schedule {
                    let status = try await client.schedule(schedule)
                    expression = status.schedule.cron
                    zone = timeZone ?? status.schedule.timeZone
                }
                let times = try await client.nextFireTimesWithLocalTime(cron: expression, timeZone: zone, after: after?.date,
                                                                        count: count)
                if global.json {
                    Output.json(times.map { ["fire_at": orNull(Output.timestamp($0.date)), "local_time": $0.localTime] })
                    return
                }
                Output.table(["RUN (UTC)", "LOCAL (\(zone))"], times.map { [Output.shortTime($0.date), $0.localTime] })
            }
        }
    }

    struct Tick: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Start every due run of every schedule now, as workers do on their timers.",
            discussion: """
                For deployments without Steadfast workers running all the time: call it from \
                cron every minute (`* * * * * steadfast schedules tick`). Safe alongside workers \
                and other ticks: each run starts once.
                """)

        @OptionGroup var global: GlobalOptions
        @Option(help: "At most this many workflows per call (1…10000); it calls again while more are due.")
        var limit = 100

        func run() async throws {
            try await global.withClient { client in
                var started = 0
                var tick = try await client.tickSchedules(limit: limit)
                started += tick.started
                while tick.more {
                    tick = try await client.tickSchedules(limit: limit)
                    started += tick.started
                }
                if global.json {
                    Output.json(["started": started, "next_due_at": orNull(Output.timestamp(tick.nextDueAt))])
                } else {
                    Output.line("started \(started) workflow(s); next run due \(tick.nextDueAt.map { Output.shortTime($0) + " UTC" } ?? "never")")
                }
            }
        }
    }
}

/// `latest` or `all`.
struct MissedRunsArgument: ExpressibleByArgument {
    var value: Schedule.MissedRuns

    init(value: Schedule.MissedRuns) {
        self.value = value
    }

    init?(argument: String) {
        guard let value = Schedule.MissedRuns(rawValue: argument) else { return nil }
        self.value = value
    }

    var defaultValueDescription: String { value.rawValue }

    static var allValueStrings: [String] { Schedule.MissedRuns.allCases.map(\.rawValue) }
}

/// `date` as a wall time of the IANA zone `timeZone` (`2026-03-08 03:30:00`), `-` for none.
func localTime(_ date: Date?, in timeZone: String) -> String {
    guard let date else { return "-" }
    guard let zone = TimeZone(identifier: timeZone) else { return "?" }
    let formatter = DateFormatter()
    formatter.locale = Locale(identifier: "en_US_POSIX")
    formatter.timeZone = zone
    formatter.dateFormat = "yyyy-MM-dd HH:mm:ss"
    return formatter.string(from: date)
}

extension ScheduleStatus {
    var jsonObject: [String: Any] {
        [
            "name": schedule.name, "enabled": enabled, "cron": schedule.cron, "time_zone": schedule.timeZone,
            "workflow_name": schedule.workflowName, "queue": schedule.queue, "input": Output.jsonValue(schedule.inputJSON),
            "missed_runs": schedule.missedRuns.rawValue, "catch_up_window": Int(schedule.catchUpWindow.components.seconds),
            "next_fire_at": orNull(Output.timestamp(nextFireAt)), "last_fired_at": orNull(Output.timestamp(lastFiredAt)),
            "last_workflow_id": orNull(lastWorkflowID), "last_status": orNull(lastStatus?.rawValue),
            "last_error": orNull(lastError),
            "created_at": orNull(Output.timestamp(createdAt)), "updated_at": orNull(Output.timestamp(updatedAt)),
        ]
    }
}
