import Foundation
import MetricsTestKit
import Synchronization
import Testing

@testable import Steadfast

/// A workflow that holds its worker for `milliseconds` inside one step.
struct Sleeper: Workflow {
    struct Input: Codable, Sendable { var milliseconds: Int }
    func run(_ input: Input, context: WorkflowContext) async throws -> Int {
        try await context.step("sleep") { try await Task.sleep(for: .milliseconds(input.milliseconds)) }
        return input.milliseconds
    }
}

/// Polls `sql` — an integer column `n`, and optionally `progress` (how far the work has got,
/// say the number of workflows finished) — on a connection of its own every 2 ms while `body`
/// runs, and returns the largest `n` seen, how many samples were taken, and at how many
/// distinct points of progress the work was sampled while some of it ran (`n > 0`): sampled
/// throughout, whatever the speed of the machine.
func sampleMax(_ sql: String, _ parameters: [String?], while body: () async throws -> Void) async throws
    -> (max: Int, samples: Int, stages: Int) {
    let connection = try await TestDatabase.connect()
    let sampler = Task {
        var largest = 0
        var samples = 0
        var stages = Set<Int>()
        while !Task.isCancelled {
            if let row = try? await connection.query(sql, parameters).first, let value = try? row.int("n") {
                largest = max(largest, value)
                samples += 1
                if value > 0, row.columns.contains("progress"), let progress = try? row.int("progress") { stages.insert(progress) }
            }
            try? await Task.sleep(for: .milliseconds(2))
        }
        return (largest, samples, stages.count)
    }
    do {
        try await body()
    } catch {
        sampler.cancel()
        _ = await sampler.value
        await connection.close()
        throw error
    }
    sampler.cancel()
    let result = await sampler.value
    await connection.close()
    return result
}

/// Queues, end to end: settings written from Swift, enforced by the engine while several
/// worker processes (or in-process workers) race for work.
@Suite("Queues and flow control", .serialized)
struct QueueTests {
    /// `n`: the queue's running workflows; `progress`: its succeeded ones.
    static let runningSQL = """
        select count(*) filter (where status = 'running') as n, count(*) filter (where status = 'succeeded') as progress
        from steadfast.workflows where queue = $1
        """

    /// Starts `count` worker processes on the fixture's queue, writing effects to `table`,
    /// polling every 20 ms, with the extra `SF_*` settings given.
    static func startProcesses(_ count: Int, _ fixture: EngineFixture, table: String,
                               _ settings: [String: String] = [:]) async throws -> [WorkerProcess] {
        var environment = ["SF_EFFECTS_TABLE": table, "SF_QUEUE": fixture.queue, "SF_CONCURRENCY": "10", "SF_POLL_MS": "20"]
        environment.merge(settings) { _, new in new }
        var workers: [WorkerProcess] = []
        for _ in 0..<count {
            workers.append(try await WorkerProcess(environment: environment))
        }
        return workers
    }

    /// Stops the processes with SIGTERM and expects them to exit.
    static func stop(_ workers: [WorkerProcess]) async {
        for worker in workers { worker.signal(SIGTERM) }
        for worker in workers { #expect(await worker.waitForExit()) }
    }

    /// Expects that every workflow of the queue was claimed once and that more than one
    /// process wrote effects to `table`.
    static func expectClaimedOnceByManyProcesses(_ fixture: EngineFixture, table: String) async throws {
        let attempts = try await fixture.pool.query(
            "select max(attempt) as n from steadfast.workflows where queue = $1", [fixture.queue])
        #expect(try attempts.first?.int("n") == 1, "no workflow was claimed twice")
        let pids = try await fixture.pool.query("select count(distinct pid) as n from \(table)")
        #expect(try pids.first?.int("n") ?? 0 > 1, "more than one process did the work")
    }

    @Test("racing defineQueue calls of one new queue: exactly one creates it, none fails; a later definition replaces the settings")
    func racingDefinitions() async throws {
        let fixture = try await EngineFixture()
        let client = try await fixture.client()
        let name = TestDatabase.uniqueName("raced")
        let created = try await withThrowingTaskGroup(of: Bool.self) { group in
            for _ in 1...8 {
                group.addTask { try await client.defineQueue(Queue(name, concurrency: 4)) }
            }
            return try await group.reduce(into: 0) { $0 += $1 ? 1 : 0 }
        }
        #expect(created == 1)
        #expect(try await client.queue(name).queue == Queue(name, concurrency: 4))
        #expect(try await client.defineQueue(Queue(name, concurrency: 6)) == false)
        #expect(try await client.queue(name).queue == Queue(name, concurrency: 6))
        await client.close()
        await fixture.close()
    }

    @Test("defineQueue creates or replaces settings; createQueue leaves an existing queue alone; bad settings change nothing")
    func defineAndInspect() async throws {
        let fixture = try await EngineFixture()
        let client = try await fixture.client()
        let name = TestDatabase.uniqueName("defined")

        #expect(try await client.defineQueue(Queue(name, concurrency: 3, rateLimit: .init(starts: 10, per: .seconds(60)))))
        var status = try await client.queue(name)
        #expect(status.queue == Queue(name, concurrency: 3, rateLimit: .init(starts: 10, per: .seconds(60))))
        #expect(status.enqueued == 0 && status.running == 0 && status.oldestEnqueuedAge == nil)

        #expect(try await client.defineQueue(Queue(name, workerConcurrency: 2, partitionConcurrency: 1)) == false)
        status = try await client.queue(name)
        #expect(status.queue == Queue(name, workerConcurrency: 2, partitionConcurrency: 1), "the definition replaced every setting")

        #expect(try await client.createQueue(Queue(name, concurrency: 99)) == false)
        #expect(try await client.queue(name).queue.concurrency == nil, "createQueue left the existing queue as it was")

        await expectSteadfastError(.invalidArgument) { try await client.defineQueue(Queue(name, concurrency: -1)) }
        await expectSteadfastError(.invalidArgument) {
            try await client.defineQueue(Queue(name, rateLimit: .init(starts: 5, per: .zero)))
        }
        await expectSteadfastError(.invalidArgument) {
            try await client.createQueue(Queue(TestDatabase.uniqueName("bad"), partitionConcurrency: -2))
        }
        #expect(try await client.queue(name).queue == Queue(name, workerConcurrency: 2, partitionConcurrency: 1),
                "a rejected definition changed nothing")

        _ = try await client.start(Sleeper.self, .init(milliseconds: 1), options: StartOptions(queue: name, delay: .seconds(3600)))
        status = try await client.queue(name)
        #expect(status.enqueued == 1 && status.delayed == 1)
        #expect(try await client.queues().contains { $0.queue.name == name })

        await expectSteadfastError(.wrongState) { try await client.deleteQueue(name) }
        await expectSteadfastError(.notFound) { try await client.deleteQueue(TestDatabase.uniqueName("nope")) }
        await expectSteadfastError(.notFound) { _ = try await client.queue(TestDatabase.uniqueName("nope")) }
        let empty = TestDatabase.uniqueName("empty")
        try await client.createQueue(Queue(empty))
        try await client.deleteQueue(empty)
        #expect(try await client.queues().contains { $0.queue.name == empty } == false)
        await client.close()
        await fixture.close()
    }

    @Test("concurrency 3 across three worker processes racing: never more than 3 running, sampled throughout; nothing claimed twice")
    func globalConcurrencyAcrossProcesses() async throws {
        let fixture = try await EngineFixture()
        let table = try await fixture.makeEffectsTable()
        let client = try await fixture.client()
        try await client.defineQueue(Queue(fixture.queue, concurrency: 3))
        let handles = try await client.start(EffectsWorkflow.self,
                                             batch: (0..<60).map { (EffectsInput(n: $0), StartOptions(queue: fixture.queue)) })
        #expect(handles.count == 60 && handles.allSatisfy(\.created))

        var workers: [WorkerProcess] = []
        let sampled = try await sampleMax(Self.runningSQL, [fixture.queue]) {
            workers = try await Self.startProcesses(3, fixture, table: table, ["SF_HOLD_STEP": "s2", "SF_HOLD_SECONDS": "0.05"])
            try await waitUntil(timeout: .seconds(90)) { try await fixture.statusCounts()[.succeeded] == 60 }
        }
        print("global concurrency: max running \(sampled.max) over \(sampled.samples) samples at \(sampled.stages) points of progress")
        #expect(sampled.max == 3, "the limit was reached and never exceeded")
        #expect(sampled.stages >= 10, "sampled throughout: while 10 or more different numbers of the 60 had finished")

        // The workflows' own view: their bodies (first effect to last) never overlapped more than 3 deep.
        let overlap = try await fixture.pool.query(
            """
            with spans as (select workflow_id, min(at) as b, max(at) as e from \(table) group by 1)
            select max((select count(*) from spans o where o.b <= s.b and o.e >= s.b)) as n from spans s
            """)
        #expect(try overlap.first?.int("n") ?? 99 <= 3)
        let effects = try await fixture.effects(in: table)
        #expect(effects.count == 60)
        #expect(effects.values.allSatisfy { $0 == ["s1": 1, "s2": 1, "s3": 1] }, "every step ran exactly once")
        try await Self.expectClaimedOnceByManyProcesses(fixture, table: table)

        await Self.stop(workers)
        await client.close()
        await fixture.close()
    }

    @Test("rate limit 5 per second across three worker processes: no window of a second holds more than 5 starts")
    func rateLimitAcrossProcesses() async throws {
        let fixture = try await EngineFixture()
        let table = try await fixture.makeEffectsTable()
        let client = try await fixture.client()
        try await client.defineQueue(Queue(fixture.queue, rateLimit: .init(starts: 5, per: .seconds(1))))
        _ = try await client.start(EffectsWorkflow.self, batch: (0..<20).map { (EffectsInput(n: $0), StartOptions(queue: fixture.queue)) })

        let workers = try await Self.startProcesses(3, fixture, table: table)
        try await waitUntil(timeout: .seconds(60)) { try await fixture.statusCounts()[.succeeded] == 20 }

        // The engine's claim times, in order: any 6 consecutive starts span at least a second.
        let starts = try await fixture.pool.query(
            "select started_at from steadfast.workflows where queue = $1 order by started_at", [fixture.queue])
            .map { try $0.decode("started_at", as: Date.self) }
        #expect(starts.count == 20)
        var tightest = Double.infinity
        for i in 0..<(starts.count - 5) {
            let span = starts[i + 5].timeIntervalSince(starts[i])
            tightest = min(tightest, span)
            #expect(span >= 0.999_999, "starts \(i)…\(i + 5) within \(span) s")
        }
        let total = starts.last!.timeIntervalSince(starts.first!)
        print("rate limit: 20 starts over \(total) s; the tightest 6 starts spanned \(tightest) s")
        #expect(total >= 3, "20 starts at 5 per second take at least 3 s")
        try await Self.expectClaimedOnceByManyProcesses(fixture, table: table)

        await Self.stop(workers)
        await client.close()
        await fixture.close()
    }

    @Test("partition concurrency 1 across three worker processes: never two running in one partition, sampled throughout")
    func partitionsAcrossProcesses() async throws {
        let fixture = try await EngineFixture()
        let table = try await fixture.makeEffectsTable()
        let client = try await fixture.client()
        try await client.defineQueue(Queue(fixture.queue, partitionConcurrency: 1))
        _ = try await client.start(EffectsWorkflow.self, batch: (0..<32).map {
            (EffectsInput(n: $0), StartOptions(queue: fixture.queue, partitionKey: "customer-\($0 % 4)"))
        })
        var workers: [WorkerProcess] = []
        let perPartition = try await sampleMax(
            """
            select coalesce(max(c), 0) as n,
                   (select count(*) from steadfast.workflows where queue = $1 and status = 'succeeded') as progress
            from (select count(*) as c from steadfast.workflows where queue = $1 and status = 'running' group by partition_key) x
            """, [fixture.queue]) {
            workers = try await Self.startProcesses(3, fixture, table: table, ["SF_HOLD_STEP": "s2", "SF_HOLD_SECONDS": "0.03"])
            try await waitUntil(timeout: .seconds(90)) { try await fixture.statusCounts()[.succeeded] == 32 }
        }
        print("partitions: max running in one partition \(perPartition.max) over \(perPartition.samples) samples at \(perPartition.stages) points of progress")
        #expect(perPartition.max == 1)
        #expect(perPartition.stages >= 2, "sampled at several points of the run")
        // The workflows' own view, at every moment: within a partition, no two bodies (first
        // effect to last) overlapped.
        let overlaps = try await fixture.pool.query(
            """
            with spans as (
                select e.workflow_id as id, w.partition_key as k, min(e.at) as b, max(e.at) as e
                from \(table) e join steadfast.workflows w on w.id = e.workflow_id group by 1, 2)
            select count(*) as n, (select count(*) from spans) as spans
            from spans x join spans y on x.k = y.k and x.id < y.id and x.b <= y.e and y.b <= x.e
            """)
        #expect(try overlaps[0].int("spans") == 32 && overlaps[0].int("n") == 0, "never two running in one partition")
        try await Self.expectClaimedOnceByManyProcesses(fixture, table: table)

        await Self.stop(workers)
        await client.close()
        await fixture.close()
    }

    @Test("partitions take turns: one customer's backlog of 20 does not hold back four others")
    func fairPartitions() async throws {
        let fixture = try await EngineFixture()
        let client = try await fixture.client()
        try await client.defineQueue(Queue(fixture.queue, concurrency: 1, partitionConcurrency: 1))
        var batch: [(input: Sleeper.Input, options: StartOptions)] = (0..<20).map {
            (.init(milliseconds: 5), StartOptions(id: "\(fixture.queue)-big-\(String(format: "%02d", $0))", queue: fixture.queue,
                                                  partitionKey: "big"))
        }
        for small in 1...4 {
            for n in 0..<3 {
                batch.append((.init(milliseconds: 5), StartOptions(id: "\(fixture.queue)-small\(small)-\(n)", queue: fixture.queue,
                                                                  partitionKey: "small\(small)")))
            }
        }
        _ = try await client.start(Sleeper.self, batch: batch)
        let workers = (0..<2).map { _ in fixture.startWorker({ $0.register(Sleeper()) }, poll: .milliseconds(20)) }
        try await waitUntil(timeout: .seconds(60)) { try await fixture.statusCounts()[.succeeded] == 32 }
        for (_, task) in workers { task.cancel() }
        for (_, task) in workers { _ = await task.result }

        // With one running at a time, completion order is claim order.
        let order = try await fixture.pool.query(
            "select partition_key from steadfast.workflows where queue = $1 order by completed_at", [fixture.queue])
            .map { try $0.string("partition_key") }
        let bigsBeforeLastSmall = order.prefix(through: order.lastIndex { $0 != "big" }!).filter { $0 == "big" }.count
        print("fair partitions: order \(order.map { $0 == "big" ? "B" : "s" }.joined())")
        #expect(bigsBeforeLastSmall <= 4, "round robin: the 12 small ones are done after about 3 of the big backlog (FIFO would run 20)")
        #expect(order.first == "big", "the oldest partition goes first")
        await client.close()
        await fixture.close()
    }

    @Test("priorities across racing workers: with one running at a time, workflows run lowest priority first, FIFO within")
    func priorities() async throws {
        let fixture = try await EngineFixture()
        let client = try await fixture.client()
        try await client.defineQueue(Queue(fixture.queue, concurrency: 1))
        let priorities = [3, -1, 0, 2, 0, 5, -1, 1, 3, 0, 2, -2, 1, 4, 0, 1]
        _ = try await client.start(Sleeper.self, batch: priorities.enumerated().map { n, priority in
            (.init(milliseconds: 2), StartOptions(id: "\(fixture.queue)-\(String(format: "%02d", n))", queue: fixture.queue,
                                                  priority: priority))
        })
        let workers = (0..<3).map { _ in fixture.startWorker({ $0.register(Sleeper()) }, poll: .milliseconds(20)) }
        try await waitUntil(timeout: .seconds(60)) { try await fixture.statusCounts()[.succeeded] == priorities.count }
        for (_, task) in workers { task.cancel() }
        for (_, task) in workers { _ = await task.result }

        let ran = try await fixture.pool.query(
            "select id from steadfast.workflows where queue = $1 order by completed_at", [fixture.queue]).map { try $0.string("id") }
        let expected = priorities.enumerated().sorted { ($0.element, $0.offset) < ($1.element, $1.offset) }
            .map { "\(fixture.queue)-\(String(format: "%02d", $0.offset))" }
        #expect(ran == expected)
        await client.close()
        await fixture.close()
    }

    @Test("settings change at runtime: a paused queue starts nothing until alter_queue raises its limit; workers are not restarted")
    func runtimeChange() async throws {
        let fixture = try await EngineFixture()
        let client = try await fixture.client()
        try await client.defineQueue(Queue(fixture.queue, concurrency: 0))
        _ = try await client.start(Sleeper.self, batch: (0..<10).map { _ in (.init(milliseconds: 100), StartOptions(queue: fixture.queue)) })
        let metrics = TestMetrics()
        let (_, task) = fixture.startWorker({ $0.register(Sleeper()) }, concurrency: 10, poll: .milliseconds(20),
                                            observability: Observability(metricsFactory: metrics))
        // The worker has tried: it claimed from the paused queue several times, all after the
        // ten were enqueued, and got nothing.
        func claims() -> [Double] { (try? metrics.expectRecorder(Metric.claimBatchSize).values) ?? [] }
        try await waitUntil(timeout: .seconds(30)) { claims().count >= 3 }
        #expect(claims().allSatisfy { $0 == 0 }, "claims: \(claims())")
        #expect(try await fixture.statusCounts() == [.enqueued: 10], "paused: nothing started")

        let sampled = try await sampleMax(Self.runningSQL, [fixture.queue]) {
            try await client.defineQueue(Queue(fixture.queue, concurrency: 2))
            try await waitUntil(timeout: .seconds(30)) { try await fixture.statusCounts()[.succeeded] == 10 }
        }
        #expect(sampled.max == 2, "the new limit, reached and held")
        task.cancel()
        _ = await task.result
        await client.close()
        await fixture.close()
    }

    @Test("deduplication: twenty racing starts with one key create one workflow; the key is free once it is cancelled")
    func deduplication() async throws {
        let fixture = try await EngineFixture(poolSize: 20)
        let client = try await fixture.client()
        let key = TestDatabase.uniqueName("key")

        let handles = try await withThrowingTaskGroup(of: WorkflowHandle<Int>.self) { group in
            for _ in 0..<20 {
                group.addTask {
                    try await client.start(Sleeper.self, .init(milliseconds: 1),
                                           options: StartOptions(queue: fixture.queue, deduplicationKey: key))
                }
            }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        #expect(handles.filter(\.created).count == 1, "exactly one start created a workflow")
        #expect(Set(handles.map(\.id)).count == 1, "every start got that workflow")

        let outcomes = await withTaskGroup(of: SteadfastError.Code?.self) { group in
            for _ in 0..<10 {
                group.addTask {
                    do {
                        _ = try await client.start(Sleeper.self, .init(milliseconds: 1),
                                                   options: StartOptions(queue: fixture.queue, deduplicationKey: key, onDuplicate: .fail))
                        return nil
                    } catch let error as SteadfastError {
                        return error.code
                    } catch {
                        return .engine
                    }
                }
            }
            return await group.reduce(into: []) { $0.append($1) }
        }
        #expect(outcomes.allSatisfy { $0 == .duplicate }, "with .fail, each duplicate start throws .duplicate: \(outcomes)")
        #expect(try await fixture.statusCounts() == [.enqueued: 1])

        _ = try await fixture.pool.query("select steadfast.cancel_workflow($1)", [handles[0].id])
        let again = try await client.start(Sleeper.self, .init(milliseconds: 1),
                                           options: StartOptions(queue: fixture.queue, deduplicationKey: key, onDuplicate: .fail))
        #expect(again.created && again.id != handles[0].id, "once the holder is cancelled, the key is free")
        await client.close()
        await fixture.close()
    }

    @Test("a batch start is one transaction with one notification per queue")
    func batchNotifiesOncePerQueue() async throws {
        let fixture = try await EngineFixture()
        let client = try await fixture.client()
        let other = TestDatabase.uniqueName("q")
        try await client.createQueue(Queue(other))

        let listener = try await TestDatabase.connect()
        let received = Mutex<[String]>([])
        let stream = await listener.notifications()
        try await listener.listen("steadfast_enqueued")
        let collector = Task { for await notification in stream { received.withLock { $0.append(notification.payload) } } }

        let handles = try await client.start(Sleeper.self, batch: (0..<100).map {
            (.init(milliseconds: 1), StartOptions(queue: $0 % 2 == 0 ? fixture.queue : other))
        })
        #expect(handles.count == 100 && handles.allSatisfy(\.created))
        // A marker committed after the batch: notifications arrive in commit order, so once the
        // marker is in, so is everything the batch announced.
        let marker = "\(fixture.queue)/barrier"
        _ = try await fixture.pool.query("select pg_notify('steadfast_enqueued', $1)", [marker])
        try await waitUntil(timeout: .seconds(30)) { received.withLock { $0.contains(marker) } }
        await listener.close()
        _ = await collector.value
        let mine = received.withLock { $0.filter { $0 == fixture.queue || $0 == other } }
        #expect(mine.sorted() == [fixture.queue, other].sorted(), "one notification per queue: \(mine)")

        await expectSteadfastError(.notFound) {
            _ = try await client.start(Sleeper.self, batch: [(.init(milliseconds: 1), StartOptions(queue: fixture.queue)),
                                                             (.init(milliseconds: 1), StartOptions(queue: TestDatabase.uniqueName("nope")))])
        }
        #expect(try await fixture.statusCounts() == [.enqueued: 50], "the failed batch started none")
        await client.close()
        await fixture.close()
    }
}
