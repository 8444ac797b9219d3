import Foundation
import Testing

@testable import Steadfast

struct EffectsInput: Codable, Sendable { var n: Int }

/// The workflow the test worker process runs (Tests/SteadfastTestWorker), seen from a client.
enum EffectsWorkflow: Workflow {
    typealias Input = EffectsInput
    typealias Output = String
    func run(_ input: EffectsInput, context: WorkflowContext) async throws -> String { fatalError("runs in the worker process") }
}

@Suite("Crash recovery with real processes", .serialized)
struct CrashRecoveryTests {
    @Test("kill -9 with 200 workflows inside a step: another running worker completes them all, each finished step's effect exactly once")
    func killNine() async throws {
        let fixture = try await EngineFixture()
        let table = try await fixture.makeEffectsTable()
        let client = try await fixture.client()
        var ids: [String] = []
        for n in 0..<200 {
            ids.append(try await client.start(EffectsWorkflow.self, EffectsInput(n: n), options: StartOptions(queue: fixture.queue)).id)
        }

        // A lease of an hour: within the test, only the killed process's closed session (its
        // executor lock freed) can give its workflows to another worker.
        let first = try await WorkerProcess(environment: [
            "SF_EFFECTS_TABLE": table, "SF_QUEUE": fixture.queue, "SF_CONCURRENCY": "200",
            "SF_HOLD_STEP": "s2", "SF_POOL": "20", "SF_LEASE_SECONDS": "3600",
        ])
        try await waitUntil(timeout: .seconds(60)) {
            try await fixture.effects(in: table).values.filter { $0["s2"] == 1 }.count == 200
        }
        // The second worker is already running (idle: the first holds everything) when the first
        // dies: it has registered and claimed — and found nothing to take.
        let second = try await WorkerProcess(environment: [
            "SF_EFFECTS_TABLE": table, "SF_QUEUE": fixture.queue, "SF_CONCURRENCY": "200", "SF_POOL": "20",
            "SF_LEASE_SECONDS": "3600",
        ])
        try await waitUntil(timeout: .seconds(30)) { try await Self.hasClaimed(fixture, second) }
        #expect(try await fixture.statusCounts() == [.running: 200])

        first.signal(SIGKILL)
        // Recovered though the killed worker's lease has an hour to run: by its session's end.
        try await waitUntil(timeout: .seconds(120)) {
            try await fixture.statusCounts()[.succeeded] == 200
        }
        let dead = try await fixture.pool.query(
            "select stop_reason, lease_expires_at > steadfast.now() as leased from steadfast.executors where pid = $1::int",
            [String(first.pid)])
        #expect(dead.count == 1)
        #expect(try dead.first?.string("stop_reason") == "session lost" && dead.first?.bool("leased") == true,
                "recovered by the end of the killed worker's session, its lease still running")

        let effects = try await fixture.effects(in: table)
        #expect(effects.count == 200)
        for id in ids {
            #expect(effects[id]?["s1"] == 1, "s1 of \(id) completed before the kill and never ran again")
            #expect(effects[id]?["s2"] == 2, "s2 of \(id) was interrupted and ran once more")
            #expect(effects[id]?["s3"] == 1, "s3 of \(id) ran once")
        }
        for id in ids.prefix(20) {
            let record = try await client.workflow(id)
            #expect(record.attempt == 2)
            #expect(record.status == .succeeded)
        }
        second.signal(SIGTERM)
        #expect(await second.waitForExit())
        _ = await first.waitForExit()
        await client.close()
        await fixture.close()
    }

    @Test("kill -9 of the only worker while 50 workflows sleep (10 slots): a worker started after their wake time finishes them, each step once")
    func killNineWhileSleeping() async throws {
        let fixture = try await EngineFixture()
        let table = try await fixture.makeEffectsTable()
        let client = try await fixture.client()
        var ids: [String] = []
        for n in 0..<50 {
            ids.append(try await client.start(EffectsWorkflow.self, EffectsInput(n: n), options: StartOptions(queue: fixture.queue)).id)
        }
        let sleeper = try await WorkerProcess(environment: [
            "SF_EFFECTS_TABLE": table, "SF_QUEUE": fixture.queue, "SF_CONCURRENCY": "10", "SF_SLEEP_SECONDS": "3",
            "SF_POLL_MS": "100",
        ])
        // All 50 asleep though the worker runs 10 at a time: a sleeper holds no slot.
        try await waitUntil(timeout: .seconds(30)) { try await fixture.statusCounts() == [.waiting: 50] }
        let asleep = try await fixture.pool.query(
            "select max(available_at) as last from steadfast.workflows where queue = $1", [fixture.queue])[0].decode("last", as: Date.self)
        sleeper.signal(SIGKILL)
        _ = await sleeper.waitForExit()
        #expect(try await fixture.statusCounts() == [.waiting: 50], "nothing was held by the killed worker")

        // The next worker starts after every wake time has passed, by the engine's clock.
        try await waitUntil(timeout: .seconds(60)) {
            try await fixture.pool.query("select steadfast.now() > $1::timestamptz as passed", [asleep.postgresText])[0].bool("passed")
        }
        let next = try await WorkerProcess(environment: [
            "SF_EFFECTS_TABLE": table, "SF_QUEUE": fixture.queue, "SF_CONCURRENCY": "10", "SF_SLEEP_SECONDS": "3",
            "SF_POLL_MS": "100",
        ])
        try await waitUntil(timeout: .seconds(30)) { try await fixture.statusCounts()[.succeeded] == 50 }
        let effects = try await fixture.effects(in: table)
        for id in ids {
            #expect(effects[id] == ["s1": 1, "s2": 1, "s3": 1], "each step of \(id) ran once")
        }
        let steps = try await fixture.pool.query("select step_key from steadfast.steps where workflow_id = $1 order by seq", [ids[0]])
        #expect(try steps.map { try $0.string("step_key") } == ["s1", "sleep", "s2", "s3"])
        next.signal(SIGTERM)
        #expect(await next.waitForExit())
        await client.close()
        await fixture.close()
    }

    @Test("kill -9 of the worker while parents wait for children held in a step: a new worker finishes the children, whose last completion wakes each parent; the parents' own steps ran once")
    func killNineDuringFanIn() async throws {
        let fixture = try await EngineFixture()
        let table = try await fixture.makeEffectsTable()
        let client = try await fixture.client()
        var parents: [String] = []
        for _ in 0..<3 {
            parents.append(try await client.start(FanInWorkflowShape.self, .init(count: 8, queue: fixture.queue),
                                                  options: StartOptions(queue: fixture.queue)).id)
        }
        let first = try await WorkerProcess(environment: [
            "SF_EFFECTS_TABLE": table, "SF_QUEUE": fixture.queue, "SF_CONCURRENCY": "6", "SF_HOLD_STEP": "s2",
            "SF_POLL_MS": "100",
        ])
        // The parents wait; six children hold the worker's six slots inside s2 (their s1 is
        // recorded before s2's body runs).
        try await waitUntil(timeout: .seconds(30)) {
            let waiting = try await fixture.pool.query(
                "select count(*) as n from steadfast.workflows where queue = $1 and parent_id is null and status = 'waiting'",
                [fixture.queue])[0].int("n")
            let holding = try await fixture.effects(in: table).values.filter { $0["s2"] == 1 }.count
            return waiting == 3 && holding == 6
        }
        first.signal(SIGKILL)
        _ = await first.waitForExit()
        let next = try await WorkerProcess(environment: [
            "SF_EFFECTS_TABLE": table, "SF_QUEUE": fixture.queue, "SF_CONCURRENCY": "10", "SF_POLL_MS": "100",
            "SF_LEASE_SECONDS": "30",
        ])
        try await waitUntil(timeout: .seconds(90)) { try await fixture.statusCounts()[.succeeded] == 3 + 24 }
        let effects = try await fixture.effects(in: table)
        for parent in parents {
            #expect(effects[parent] == ["before": 1, "after": 1], "the parent's steps ran once")
            let record = try await fixture.engine.workflow(id: parent)
            #expect(record.outputJSON == "8")
        }
        let children = effects.filter { $0.key.contains("/") }
        #expect(children.count == 24 && children.values.allSatisfy { $0["s1"] == 1 && $0["s3"] == 1 && ($0["s2"] ?? 0) >= 1 })
        next.signal(SIGTERM)
        #expect(await next.waitForExit())
        await client.close()
        await fixture.close()
    }

    @Test("kill -9 between the last step's body and the completion: the last checkpoint travels with the completion, so the step runs once more — never twice more — and is recorded once")
    func killBeforeCompletion() async throws {
        let fixture = try await EngineFixture()
        let table = try await fixture.makeEffectsTable()
        let client = try await fixture.client()
        var ids: [String] = []
        for n in 0..<20 {
            ids.append(try await client.start(EffectsWorkflow.self, EffectsInput(n: n), options: StartOptions(queue: fixture.queue)).id)
        }
        let first = try await WorkerProcess(environment: [
            "SF_EFFECTS_TABLE": table, "SF_QUEUE": fixture.queue, "SF_CONCURRENCY": "20", "SF_HOLD_STEP": "end",
        ])
        try await waitUntil(timeout: .seconds(60)) {
            try await fixture.effects(in: table).values.filter { $0["s3"] == 1 }.count == 20
        }
        // Every workflow has run its last step and waits in its own code: s1 and s2 are
        // recorded, s3's checkpoint is held for the completion.
        let held = try await fixture.pool.query(
            "select step_key, count(*) as n from steadfast.steps where workflow_id = any($1::text[]) group by 1 order by 1",
            ["{" + ids.joined(separator: ",") + "}"])
        #expect(try held.map { "\(try $0.string("step_key"))=\(try $0.int("n"))" } == ["s1=20", "s2=20"])
        #expect(try await fixture.statusCounts() == [.running: 20])

        first.signal(SIGKILL)
        _ = await first.waitForExit()
        let second = try await WorkerProcess(environment: [
            "SF_EFFECTS_TABLE": table, "SF_QUEUE": fixture.queue, "SF_CONCURRENCY": "20",
        ])
        try await waitUntil(timeout: .seconds(30)) {
            try await fixture.statusCounts()[.succeeded] == 20
        }
        let effects = try await fixture.effects(in: table)
        for id in ids {
            #expect(effects[id] == ["s1": 1, "s2": 1, "s3": 2], "\(id): only the last step ran again, once")
        }
        let steps = try await fixture.pool.query(
            "select step_key, count(*) as n from steadfast.steps where workflow_id = any($1::text[]) group by 1 order by 1",
            ["{" + ids.joined(separator: ",") + "}"])
        #expect(try steps.map { "\(try $0.string("step_key"))=\(try $0.int("n"))" } == ["s1=20", "s2=20", "s3=20"],
                "every step recorded once; none lost")
        for (n, id) in ids.enumerated().prefix(5) {
            #expect(try await client.workflow(id).outputJSON == "\"done \(n)\"")
        }
        second.signal(SIGTERM)
        #expect(await second.waitForExit())
        await client.close()
        await fixture.close()
    }

    @Test("a worker stopped past its lease is fenced: after SIGCONT its writes are refused and it abandons the workflows")
    func sigstopFencing() async throws {
        let fixture = try await EngineFixture()
        let table = try await fixture.makeEffectsTable()
        let client = try await fixture.client()
        var ids: [String] = []
        for n in 0..<10 {
            ids.append(try await client.start(EffectsWorkflow.self, EffectsInput(n: n), options: StartOptions(queue: fixture.queue)).id)
        }
        let paused = try await WorkerProcess(environment: [
            "SF_EFFECTS_TABLE": table, "SF_QUEUE": fixture.queue, "SF_CONCURRENCY": "10",
            "SF_HOLD_STEP": "s2", "SF_HOLD_SECONDS": "2", "SF_LEASE_SECONDS": "1.5",
        ])
        try await waitUntil(timeout: .seconds(30)) {
            try await fixture.effects(in: table).values.filter { $0["s2"] == 1 }.count == 10
        }
        paused.signal(SIGSTOP)
        let pausedPIDs = Set(try await fixture.pool.query("select distinct pid from \(table)").map { try $0.int("pid") })

        let other = try await WorkerProcess(environment: [
            "SF_EFFECTS_TABLE": table, "SF_QUEUE": fixture.queue, "SF_CONCURRENCY": "10",
        ])
        try await waitUntil(timeout: .seconds(30)) {
            try await fixture.statusCounts()[.succeeded] == 10
        }
        // Wake the stopped worker: its steps finish their sleep and try to record.
        paused.signal(SIGCONT)
        try await waitUntil(timeout: .seconds(60)) {
            paused.log.components(separatedBy: "abandoning it").count - 1 >= 10
        }
        // And stop it: once it has exited, nothing more of it can reach the database.
        paused.signal(SIGTERM)
        #expect(await paused.waitForExit(timeout: .seconds(60)))

        let effects = try await fixture.effects(in: table)
        for id in ids {
            #expect(effects[id]?["s3"] == 1, "only the new owner ran s3 of \(id)")
            let record = try await client.workflow(id)
            #expect(record.status == .succeeded)
            #expect(record.attempt == 2)
        }
        let s3PIDs = Set(try await fixture.pool.query("select distinct pid from \(table) where step = 's3'").map { try $0.int("pid") })
        #expect(s3PIDs.isDisjoint(with: pausedPIDs), "the paused worker's connections wrote no s3")
        #expect(!paused.log.contains("workflow succeeded"), "the paused worker completed nothing")
        #expect(paused.log.contains("executor was declared dead"), "its heartbeat learned it was fenced")

        other.signal(SIGTERM)
        #expect(await other.waitForExit(timeout: .seconds(60)))
        await client.close()
        await fixture.close()
    }

    @Test("SIGTERM hands running workflows back at once; another worker resumes them without waiting for a lease")
    func gracefulShutdown() async throws {
        let fixture = try await EngineFixture()
        let table = try await fixture.makeEffectsTable()
        let client = try await fixture.client()
        for n in 0..<5 {
            _ = try await client.start(EffectsWorkflow.self, EffectsInput(n: n), options: StartOptions(queue: fixture.queue))
        }
        let stopping = try await WorkerProcess(environment: [
            "SF_EFFECTS_TABLE": table, "SF_QUEUE": fixture.queue, "SF_HOLD_STEP": "s2",
        ])
        try await waitUntil(timeout: .seconds(30)) {
            try await fixture.effects(in: table).values.filter { $0["s2"] == 1 }.count == 5
        }
        stopping.signal(SIGTERM)
        #expect(await stopping.waitForExit(timeout: .seconds(60)))
        #expect(try await fixture.statusCounts() == [.enqueued: 5], "handed back, not left running")
        let recovery = try await fixture.pool.query(
            "select max(recovery_attempts) as r from steadfast.workflows where queue = $1", [fixture.queue])
        #expect(try recovery.first?.int("r") == 0, "a graceful hand-back is not a recovery attempt")
        #expect(stopping.log.contains("released=5"))
        await client.close()
        await fixture.close()
    }
}

extension CrashRecoveryTests {
    /// Whether `worker`'s executor session has run a claim (`claim_workflows` is its last
    /// statement, or was: it claims on start, then on every poll).
    static func hasClaimed(_ fixture: EngineFixture, _ worker: WorkerProcess) async throws -> Bool {
        try await fixture.pool.query(
            """
            select count(*) as n from steadfast.executors e join pg_stat_activity a on a.pid = e.session_pid
            where e.pid = $1::int and e.stopped_at is null and position('claim_workflows' in a.query) > 0
            """, [String(worker.pid)])[0].int("n") == 1
    }
}

/// The shape of the test worker's FanInWorkflow (Tests/SteadfastTestWorker), to start it.
struct FanInWorkflowShape: Workflow {
    static var name: String { "FanInWorkflow" }
    struct Input: Codable, Sendable { var count: Int; var queue: String }
    func run(_ input: Input, context: WorkflowContext) async throws -> Int { 0 }
}
