import Foundation
import Synchronization
import Testing

@testable import Steadfast

/// A scheduled workflow: returns the occurrence it ran for, as the context tells it.
struct Tock: Workflow {
    struct Input: Codable, Sendable { var label: String }
    func run(_ input: Input, context: WorkflowContext) async throws -> String {
        let scheduled = try #require(context.scheduledTime, "a scheduled workflow knows its occurrence")
        return input.label + "@" + scheduled.microsecondText
    }
}

/// A workflow whose input is a number, not an object: it cannot be scheduled.
struct Doubler: Workflow {
    func run(_ input: Int, context: WorkflowContext) async throws -> Int { input * 2 }
}

/// Cron schedules from Swift: defining and upserting, reading, pausing, previewing; workers
/// that declare schedules at start and fire them on jittered timers.
@Suite("Cron schedules", .serialized)
struct ScheduleTests {
    @Test("defineSchedule creates, then upserts: equal settings keep the next run, a new expression moves it, a pause survives")
    func defineAndUpsert() async throws {
        let fixture = try await EngineFixture()
        let client = try await fixture.client()
        let name = TestDatabase.uniqueName("sched")
        var schedule = try Schedule(Tock.self, name: name, cron: "0 3 * * *", timeZone: "Europe/Berlin",
                                    input: .init(label: "eu"), queue: fixture.queue)
        #expect(try await client.defineSchedule(schedule))
        let created = try await client.schedule(name)
        var stored = schedule
        stored.inputJSON = #"{"label": "eu"}"#  // as jsonb prints it
        #expect(created.enabled && created.schedule == stored)
        let next = try #require(created.nextFireAt)
        #expect(try await client.nextFireTimes(cron: "0 3 * * *", timeZone: "Europe/Berlin", count: 1) == [next],
                "the first run is the expression's next occurrence")

        #expect(try await !client.defineSchedule(schedule), "defining it again does not create it")
        let again = try await client.schedule(name)
        #expect(again.updatedAt == created.updatedAt && again.nextFireAt == next, "equal settings change nothing")

        try await client.pauseSchedule(name)
        schedule.cron = "0 4 * * *"
        schedule.missedRuns = .all
        schedule.catchUpWindow = .seconds(7200)
        #expect(try await !client.defineSchedule(schedule))
        let changed = try await client.schedule(name)
        #expect(changed.schedule.cron == "0 4 * * *" && changed.schedule.missedRuns == .all
                && changed.schedule.catchUpWindow == .seconds(7200))
        #expect(!changed.enabled && changed.nextFireAt == nil, "a deploy does not resume a schedule an operator paused")
        let resumed = try await client.resumeSchedule(name)
        #expect(try await client.nextFireTimes(cron: "0 4 * * *", timeZone: "Europe/Berlin", count: 1) == [try #require(resumed)])
        #expect(try await client.schedules().contains { $0.schedule.name == name && $0.enabled })

        try await client.deleteSchedule(name)
        await expectSteadfastError(.notFound) { _ = try await client.schedule(name) }
        await expectSteadfastError(.notFound) { try await client.deleteSchedule(name) }
        await client.close()
        await fixture.close()
    }

    @Test("bad expressions, time zones and inputs are invalidArgument (SF005) and create nothing")
    func badInput() async throws {
        let fixture = try await EngineFixture()
        let client = try await fixture.client()
        let name = TestDatabase.uniqueName("sched")
        for cron in ["* * * *", "61 * * * *", "*/0 * * * *", "0 0 * * funday", "0 0 30 feb *", "@reboot"] {
            let error = await expectSteadfastError(.invalidArgument) {
                try await client.defineSchedule(Schedule(name: name, cron: cron, workflowName: "Tock", queue: fixture.queue))
            }
            #expect(error?.sqlState == "SF005", "\(cron)")
        }
        await expectSteadfastError(.invalidArgument) {
            try await client.defineSchedule(Schedule(name: name, cron: "@daily", timeZone: "Mars/Olympus_Mons", workflowName: "Tock"))
        }
        await expectSteadfastError(.invalidArgument) {
            try await client.defineSchedule(Schedule(name: name, cron: "@daily", workflowName: "Tock", inputJSON: "[1]"))
        }
        await expectSteadfastError(.invalidArgument) {
            try await client.defineSchedule(try Schedule(Doubler.self, name: name, cron: "@daily", input: 5))
        }
        await expectSteadfastError(.notFound) {
            try await client.defineSchedule(Schedule(name: name, cron: "@daily", workflowName: "Tock", queue: "no-such-queue-\(name)"))
        }
        await expectSteadfastError(.notFound) { _ = try await client.schedule(name) }
        await expectSteadfastError(.invalidArgument) { _ = try await client.nextFireTimes(cron: "* * *") }
        await client.close()
        await fixture.close()
    }

    @Test("a worker writes the schedules its code declares when it starts; a bad one makes run() throw")
    func workerDeclares() async throws {
        let fixture = try await EngineFixture()
        let client = try await fixture.client()
        let name = TestDatabase.uniqueName("sched")
        let worker = Worker(database: fixture.configuration,
                            configuration: .init(queues: [fixture.queue], scheduleTicking: nil), logger: TestDatabase.logger)
        worker.register(Tock())
        try worker.schedule(Tock.self, name: name, cron: "*/10 * * * * *", input: .init(label: "w"), queue: fixture.queue,
                            missedRuns: .all, catchUpWindow: .seconds(600))
        let task = Task { try await worker.run() }
        try await waitUntil(timeout: .seconds(30)) { (try? await client.schedule(name)) != nil }
        let status = try await client.schedule(name)
        #expect(status.schedule.workflowName == "Tock" && status.schedule.cron == "*/10 * * * * *"
                && status.schedule.missedRuns == .all && status.schedule.inputJSON == #"{"label": "w"}"#)
        task.cancel()
        _ = try? await task.value
        try await client.deleteSchedule(name)

        let broken = Worker(database: fixture.configuration, configuration: .init(queues: [fixture.queue]), logger: TestDatabase.logger)
        broken.schedule(Schedule(name: name, cron: "not cron", workflowName: "Tock", queue: fixture.queue))
        let error = await expectSteadfastError(.invalidArgument) { try await broken.run() }
        #expect(error?.sqlState == "SF005")
        #expect(try await client.executors(includeStopped: true).first { $0.id == broken.executorID }?.state == .stopped,
                "the worker that could not declare its schedules deregistered")
        await client.close()
        await fixture.close()
    }

    /// The acceptance test, with real workers: five in-process `Worker`s, each ticking on its
    /// own jittered timer (20 ms at most, plus up to 20 ms), each declaring the same two
    /// schedules, in a database of their own whose fake clock the test moves through a day.
    /// Every occurrence of `*/5 * * * *` starts once and runs (its output is the occurrence
    /// its context reported); after a 3-hour outage `latest` runs once and `all` 37 times.
    @Test("five workers fire every */5 occurrence of a simulated day once; catch-up after an outage follows the policy")
    func fiveWorkersForADay() async throws {
        try await TestDatabase.withThrowawayDatabase { database in
            var database = database
            database.maximumConnections = 3
            _ = try await Migrator(configuration: database, logger: TestDatabase.logger).migrate()
            let pool = ConnectionPool(configuration: database, logger: TestDatabase.logger)
            let engine = Engine(pool: pool, logger: TestDatabase.logger)
            let day = try #require(Date(postgresText: "2026-06-01 00:00:00+00"))
            try await engine.setFakeNow(day.addingTimeInterval(-1))

            let failures = LockedValue<[String]>([])
            func startWorkers() -> [(Worker, Task<Void, any Error>)] {
                (0..<5).map { index in
                    let worker = Worker(database: database,
                                        configuration: .init(executorID: "tock-\(index)-\(UUID().uuidString.prefix(6))",
                                                             pollInterval: .milliseconds(50),
                                                             // the fake clock jumps 5 minutes at a time, hours at the
                                                             // outage: leases are long and renewed often
                                                             lease: .seconds(86_400), heartbeatInterval: .milliseconds(200),
                                                             scheduleTicking: .init(maximumInterval: .milliseconds(20),
                                                                                    jitter: .milliseconds(20))),
                                        logger: TestDatabase.logger)
                    worker.register(Tock())
                    try? worker.schedule(Tock.self, name: "tock-latest", cron: "*/5 * * * *", input: .init(label: "latest"))
                    try? worker.schedule(Tock.self, name: "tock-all", cron: "*/5 * * * *", input: .init(label: "all"),
                                         missedRuns: .all)
                    return (worker, Task {
                        do {
                            try await worker.run()
                        } catch let error as SteadfastError where error.code == .cancelled {
                            // stopped by the test while still starting
                        } catch {
                            failures.withLock { $0.append("\(error)") }
                        }
                    })
                }
            }
            func stop(_ workers: [(Worker, Task<Void, any Error>)]) async {
                for (_, task) in workers { task.cancel() }
                for (_, task) in workers { _ = try? await task.value }
            }
            func count(_ sql: String) async throws -> Int {
                try await pool.query(sql).first?.int("n") ?? -1
            }
            let dueLeft = "select count(*) as n from steadfast.schedules where next_fire_at <= steadfast.now()"

            var workers = startWorkers()
            try await waitUntil(timeout: .seconds(30)) { try await count("select count(*) as n from steadfast.schedules") == 2 }
            #expect(failures.withLock { $0 } == [], "the workers started")
            for occurrence in 0..<288 {
                let now = day.addingTimeInterval(Double(occurrence * 300) + Double.random(in: 1...50))
                try await engine.setFakeNow(now)
                try await waitUntil(timeout: .seconds(30)) { try await count(dueLeft) == 0 }
            }
            try await waitUntil(timeout: .seconds(30)) {
                try await count("select count(*) as n from steadfast.workflows where status = 'succeeded'") == 576
            }
            #expect(try await count("select count(*) as n from steadfast.workflows") == 576, "288 runs of each schedule")
            #expect(try await count("""
                select count(*) as n from steadfast.workflows w
                where w.output #>> '{}' <> (w.input ->> 'label') || '@' || to_char((w.input ->> 'scheduled_at')::timestamptz at time zone 'UTC',
                                                                               'YYYY-MM-DD"T"HH24:MI:SS".000000Z"')
                """) == 0, "each run saw its own occurrence in context.scheduledTime")
            #expect(try await count("""
                select count(*) as n from generate_series('2026-06-01 00:00Z'::timestamptz, '2026-06-01 23:55Z', interval '5 minutes') t,
                    unnest(array['tock-latest', 'tock-all']) s
                where not exists (select 1 from steadfast.workflows w where w.id = steadfast._schedule_workflow_id(s, t))
                """) == 0, "no occurrence is missing")

            // The outage: no worker for three hours.
            await stop(workers)
            try await engine.setFakeNow(day.addingTimeInterval(27 * 3600 + 30))
            workers = startWorkers()
            try await waitUntil(timeout: .seconds(30)) { try await count(dueLeft) == 0 }
            try await waitUntil(timeout: .seconds(30)) {
                try await count("select count(*) as n from steadfast.workflows where status = 'succeeded'") == 576 + 1 + 37
            }
            #expect(try await count("select count(*) as n from steadfast.workflows where id like 'schedule:tock-latest@2026-06-02%'") == 1,
                    "latest: one run for the outage")
            #expect(try await count("select count(*) as n from steadfast.workflows where id = 'schedule:tock-latest@2026-06-02T03:00:00Z'") == 1,
                    "the most recent missed occurrence")
            #expect(try await count("select count(*) as n from steadfast.workflows where id like 'schedule:tock-all@2026-06-02%'") == 37,
                    "all: each of the 37 missed occurrences")
            await stop(workers)
            #expect(failures.withLock { $0 } == [], "no worker failed")
            await pool.close()
        }
    }
}
