import Foundation
import Testing

@testable import Steadfast

/// `steadfast schedules …`, run as the built binary against the test database.
@Suite("steadfast schedules CLI", .serialized)
struct ScheduleCLITests {
    @Test("create, list, next, pause, resume, tick, delete — tables and --json; bad expressions exit 1 with SF005")
    func schedules() async throws {
        let fixture = try await EngineFixture()
        let client = try await fixture.client()
        let cli = try CommandLineTool.steadfast()
        let name = TestDatabase.uniqueName("cli_sched")

        // create: a table line, then JSON; an existing name is left alone unless --replace.
        let created = try await cli.run(["schedules", "create", name, "--cron", "30 2 * * *", "--workflow", "Tock",
                                         "--time-zone", "America/New_York", "--queue", fixture.queue,
                                         "--input", #"{"label": "cli"}"#, "--missed-runs", "all", "--catch-up-window", "6h"])
        #expect(created.status == 0, "\(created.stderr)")
        #expect(created.stdout.hasPrefix("schedule \(name) created next run ") && created.stdout.contains("America/New_York"))
        let stored = try await client.schedule(name)
        #expect(stored.schedule.cron == "30 2 * * *" && stored.schedule.timeZone == "America/New_York"
                && stored.schedule.queue == fixture.queue && stored.schedule.missedRuns == .all
                && stored.schedule.catchUpWindow == .seconds(21_600) && stored.schedule.inputJSON == #"{"label": "cli"}"#)
        let unchanged = try #require(try await cli.run(["schedules", "create", name, "--cron", "@daily", "--workflow", "Tock",
                                                        "--queue", fixture.queue, "--json"]).json() as? [String: Any])
        #expect(unchanged["created"] as? Bool == false && unchanged["cron"] as? String == "30 2 * * *")
        let replaced = try #require(try await cli.run(["schedules", "create", name, "--cron", "0 30 2 * * mon-fri", "--workflow", "Tock",
                                                       "--time-zone", "America/New_York", "--queue", fixture.queue,
                                                       "--replace", "--json"]).json() as? [String: Any])
        #expect(replaced["created"] as? Bool == false && replaced["cron"] as? String == "0 30 2 * * mon-fri")
        #expect(replaced["missed_runs"] as? String == "latest" && replaced["catch_up_window"] as? Int == 86_400,
                "--replace gives it exactly the settings of the command")

        // list: a table row with its next run in UTC and in New York; JSON.
        let table = try await cli.run(["schedules", "list", name])
        #expect(table.status == 0, "\(table.stderr)")
        let lines = table.stdout.split(separator: "\n")
        #expect(lines.count == 2 && lines[0].hasPrefix("SCHEDULE") && lines[0].contains("NEXT (LOCAL)"))
        #expect(lines[1].contains(name) && lines[1].contains("enabled") && lines[1].contains("02:30:00"),
                "the next run at 02:30 New York time: \(lines[1])")
        let listed = try #require(try await cli.run(["schedules", "list", "--json"]).json() as? [[String: Any]])
        let row = try #require(listed.first { $0["name"] as? String == name })
        #expect(row["workflow_name"] as? String == "Tock" && row["enabled"] as? Bool == true && row["next_fire_at"] is String)

        // next: the engine's occurrences, across New York's spring-forward day.
        let next = try #require(try await cli.run(["schedules", "next", "30 2 * * *", "--time-zone", "America/New_York",
                                                   "--after", "2026-03-07T00:00:00Z", "--count", "3", "--json"])
            .json() as? [[String: Any]])
        #expect(next.map { $0["fire_at"] as? String } == ["2026-03-07T07:30:00.000000Z", "2026-03-08T07:30:00.000000Z",
                                                          "2026-03-09T06:30:00.000000Z"])
        #expect(next.map { $0["local_time"] as? String } == ["2026-03-07 02:30:00", "2026-03-08 03:30:00", "2026-03-09 02:30:00"])
        let nextTable = try await cli.run(["schedules", "next", "--schedule", name, "--after", "2026-06-01T00:00:00Z", "--count", "2"])
        #expect(nextTable.stdout == """
            RUN (UTC)            LOCAL (America/New_York)
            2026-06-01 06:30:00  2026-06-01 02:30:00
            2026-06-02 06:30:00  2026-06-02 02:30:00

            """, "\(nextTable.stdout)\(nextTable.stderr)")

        // pause and resume.
        let paused = try await cli.run(["schedules", "pause", name])
        #expect(paused.status == 0 && paused.stdout == "paused \(name)\n")
        #expect(try await !client.schedule(name).enabled)
        let resumed = try #require(try await cli.run(["schedules", "resume", name, "--json"]).json() as? [String: Any])
        #expect(resumed["enabled"] as? Bool == true && resumed["next_fire_at"] is String)

        // tick: fires what is due (a schedule due now, made so in the database).
        let due = TestDatabase.uniqueName("cli_due")
        try await client.defineSchedule(Schedule(name: due, cron: "* * * * * *", workflowName: "Tock", queue: fixture.queue,
                                                 inputJSON: #"{"label": "tick"}"#))
        _ = try await fixture.pool.query("update steadfast.schedules set next_fire_at = now() - interval '1 second' where name = $1", [due])
        let ticked = try #require(try await cli.run(["schedules", "tick", "--json"]).json() as? [String: Any])
        #expect(ticked["started"] is Int && ticked["next_due_at"] is String)
        #expect(try await client.list(queue: fixture.queue).contains { $0.id.hasPrefix("schedule:\(due)@") },
                "the due schedule's workflow was started")
        try await client.deleteSchedule(due)

        // Errors: SF005 for a bad expression, SF001 for an unknown schedule; exit status 1.
        let bad = try await cli.run(["schedules", "create", TestDatabase.uniqueName("cli_bad"), "--cron", "61 * * * *",
                                     "--workflow", "Tock"])
        #expect(bad.status == 1 && bad.stderr.contains("SQLSTATE SF005") && bad.stderr.contains("minute field"), "\(bad.stderr)")
        let badNext = try await cli.run(["schedules", "next", "* * * * fri-mon", "--json"])
        #expect(badNext.status == 1 && badNext.stderr.contains(#""sqlstate":"SF005""#), "\(badNext.stderr)")
        let badInput = try await cli.run(["schedules", "create", "x", "--cron", "@daily", "--workflow", "Tock", "--input", "[1]"])
        #expect(badInput.status != 0 && badInput.stderr.contains("JSON object"))
        let unknown = try await cli.run(["schedules", "pause", TestDatabase.uniqueName("cli_none")])
        #expect(unknown.status == 1 && unknown.stderr.contains("SQLSTATE SF001"))

        // delete.
        let deleted = try await cli.run(["schedules", "delete", name])
        #expect(deleted.status == 0 && deleted.stdout == "deleted \(name)\n")
        await expectSteadfastError(.notFound) { _ = try await client.schedule(name) }
        let again = try await cli.run(["schedules", "delete", name])
        #expect(again.status == 1)

        await client.close()
        await fixture.close()
    }
}
