import Foundation
import Synchronization
import Testing

@testable import Steadfast

/// A child: one step, then its input doubled; fails for a negative input.
struct ChildDoubler: Workflow {
    let runs: Runs
    func run(_ input: Int, context: WorkflowContext) async throws -> Int {
        let n: Int = try await context.step("double") { runs.hit("child \(input)"); return input * 2 }
        if n < 0 { throw SteadfastError(.invalidArgument, message: "negative \(input)") }
        return n
    }
}

/// Fans out to `count` Doublers and sums their outputs — fan-in with one wait.
struct FanOut: Workflow {
    struct Input: Codable, Sendable { var count: Int; var queue: String; var delay: Double; var batched = false }
    let runs: Runs
    func run(_ input: Input, context: WorkflowContext) async throws -> Int {
        runs.hit("parent runs")
        var children: [ChildWorkflow<ChildDoubler>] = []
        // Delayed, so that the parent waits for them (else they may finish while it starts them).
        let options = StartOptions(queue: input.queue, delay: .milliseconds(Int(input.delay * 1000)))
        if input.batched {
            children = try await context.startChildren(ChildDoubler.self, Array(1...input.count), options: options)
        } else {
            for n in 1...input.count {
                children.append(try await context.startChild(ChildDoubler.self, n, options: options))
            }
        }
        let results = try await context.results(of: children)
        let sum: Int = try await context.step("sum") { try results.reduce(0) { $0 + (try $1.get()) } }
        return sum
    }
}

/// Starts a slow child, a fast child and a failing child; waits for the first, then runs one
/// child with `context.run` and reports the failure of another.
struct Race: Workflow {
    struct Input: Codable, Sendable { var queue: String }
    struct Output: Codable, Sendable, Equatable { var first: Int; var firstValue: Int; var ran: Int; var failure: String }
    func run(_ input: Input, context: WorkflowContext) async throws -> Output {
        let options = StartOptions(queue: input.queue)
        let slow = try await context.startChild(Sleepy.self, 5, options: options, name: "slow")
        let fast = try await context.startChild(Sleepy.self, 0, options: options, name: "fast")
        let (index, result) = try await context.firstResult(of: [slow, fast])
        let ran = try await context.run(Sleepy.self, 0, options: options, name: "again")
        let failing = try await context.startChild(Failing.self, 1, options: options)
        var failure = "none"
        do { _ = try await failing.result() } catch let error as WorkflowFailedError { failure = "\(error.status.rawValue): \(error.error?.message ?? "")" }
        return Output(first: index, firstValue: try result.get(), ran: ran, failure: failure)
    }
}

/// Sleeps durably for `input` seconds, then returns it plus 100.
struct Sleepy: Workflow {
    func run(_ input: Int, context: WorkflowContext) async throws -> Int {
        if input > 0 { try await context.sleep(for: .seconds(input)) }
        return input + 100
    }
}

/// Always fails.
struct Failing: Workflow {
    func run(_ input: Int, context: WorkflowContext) async throws -> Int {
        throw SteadfastError(.invalidArgument, message: "failing child")
    }
}

/// A parent whose children sleep an hour (or block in a step): it waits until cancelled.
struct Abandoning: Workflow {
    struct Input: Codable, Sendable { var count: Int; var queue: String }
    let runs: Runs
    func run(_ input: Input, context: WorkflowContext) async throws -> Int {
        var children: [ChildWorkflow<LongSleep>] = []
        for n in 1...input.count {
            children.append(try await context.startChild(LongSleep.self, n, options: StartOptions(queue: input.queue)))
        }
        _ = try await context.startChild(Endless.self, 0, options: StartOptions(queue: input.queue))
        return try await context.results(of: children).count
    }
}

/// `context.startChild`, `results(of:)`, `firstResult(of:)`, `run`: children run anywhere; the
/// parent waits for them with one durable wait, woken by the child that satisfies it.
@Suite("Child workflows", .serialized)
struct ChildWorkflowTests {
    @Test("a parent fans out to 100 children and awaits them all with one wait: claimed twice, one await sent twice, each child once")
    func fanOutHundred() async throws {
        let fixture = try await EngineFixture()
        // The project's server preloads pg_stat_statements (scripts/db.sh).
        _ = try await fixture.pool.query("create extension if not exists pg_stat_statements")
        let database = "(select oid from pg_database where datname = current_database())"
        func evictions() async throws -> Int {
            try await fixture.pool.query("select dealloc::bigint as n from pg_stat_statements_info")[0].int("n")
        }
        // pg_stat_statements is the server's: when other suites' statements make it evict
        // entries meanwhile (its dealloc count moves), this run's count may have lost calls, and
        // the fan-out is measured again.
        var measured = false
        for _ in 1...5 where !measured {
            let runs = Runs()
            let evictedBefore = try await evictions()
            // Counted in this suite's database only: other suites run at the same time.
            _ = try await fixture.pool.query("select pg_stat_statements_reset(0, \(database), 0)")
            // The engine's clock stands still: the children, started with a delay, become
            // claimable only when the test moves it — once the parent waits for them.
            try await fixture.withFrozenClock { _, advance in
                let (_, task) = fixture.startWorker({ $0.register(FanOut(runs: runs)); $0.register(ChildDoubler(runs: runs)) },
                                                    concurrency: 10, poll: .milliseconds(200))
                let client = try await fixture.client()
                let handle = try await client.start(FanOut.self, .init(count: 100, queue: fixture.queue, delay: 1),
                                                    options: StartOptions(queue: fixture.queue))
                try await waitUntil(timeout: .seconds(60)) { try await client.workflow(handle.id).status == .waiting }
                try await advance(.seconds(2))
                #expect(try await handle.result(timeout: .seconds(60)) == 2 * (100 * 101 / 2))
                let record = try await fixture.engine.workflow(id: handle.id)
                #expect(record.attempt == 2, "claimed once to fan out, once after the last child finished")
                let steps = try await fixture.engine.steps(workflowID: handle.id)
                #expect(steps.count == 102 && steps.filter { $0.childWorkflowID != nil }.count == 100)
                #expect(runs.count("parent runs") == 2)
                for n in [1, 50, 100] { #expect(runs.count("child \(n)") == 1) }
                let children = try await fixture.pool.query(
                    "select count(*) as n, count(*) filter (where status = 'succeeded') as ok, min(id) as first from steadfast.workflows where parent_id = $1",
                    [handle.id])[0]
                #expect(try children.int("n") == 100 && children.int("ok") == 100)
                #expect(try children.string("first") == "\(handle.id)/ChildDoubler")
                // No polling: the one wait was sent twice (to wait, and replayed once woken); no
                // statement ran once per child per poll.
                let calls = try await fixture.pool.query(
                    """
                    select coalesce(sum(calls), 0)::bigint as n from pg_stat_statements
                    where dbid = \(database) and query like '%await_children%' and query not like '%pg_stat_statements%'
                    """)
                let n = try calls[0].int("n")
                if try await evictions() == evictedBefore {
                    #expect(n == 2, "await_children ran \(n) times")
                    measured = true
                }
                task.cancel()
                try? await task.value
                await client.close()
            }
        }
        #expect(measured, "pg_stat_statements evicted entries during each of 5 runs: the calls could not be counted")
        await fixture.close()
    }

    @Test("startChildren: the same children and steps as one startChild each, in one call; the replay after the wait returns the same children")
    func startChildrenBatch() async throws {
        let fixture = try await EngineFixture()
        let runs = Runs()
        // The engine's clock stands still: the delayed children become claimable once the parent waits.
        try await fixture.withFrozenClock { _, advance in
            let (_, task) = fixture.startWorker({ $0.register(FanOut(runs: runs)); $0.register(ChildDoubler(runs: runs)) },
                                                poll: .milliseconds(100))
            let client = try await fixture.client()
            let handle = try await client.start(FanOut.self, .init(count: 50, queue: fixture.queue, delay: 0.5, batched: true),
                                                options: StartOptions(queue: fixture.queue))
            try await waitUntil(timeout: .seconds(60)) { try await client.workflow(handle.id).status == .waiting }
            try await advance(.seconds(1))
            #expect(try await handle.result(timeout: .seconds(60)) == 2 * (50 * 51 / 2))
            let steps = try await fixture.engine.steps(workflowID: handle.id)
            #expect(steps.map(\.key) == ["ChildDoubler"] + (2...50).map { "ChildDoubler#\($0)" } + ["await", "sum"])
            #expect(steps.prefix(50).allSatisfy { $0.childWorkflowID == "\(handle.id)/\($0.key)" })
            #expect(runs.count("parent runs") == 2 && runs.count("child 7") == 1)
            task.cancel()
            try? await task.value
            await client.close()
        }
        await fixture.close()
    }

    @Test("first of several, context.run and a failed child: outcomes recorded and replayed identically")
    func firstRunAndFailure() async throws {
        let fixture = try await EngineFixture()
        let (_, task) = fixture.startWorker({ $0.register(Race()); $0.register(Sleepy()); $0.register(Failing()) },
                                            poll: .milliseconds(100))
        let client = try await fixture.client()
        let handle = try await client.start(Race.self, .init(queue: fixture.queue), options: StartOptions(queue: fixture.queue))
        let output = try await handle.result(timeout: .seconds(30))
        #expect(output == Race.Output(first: 1, firstValue: 100, ran: 100, failure: "failed: SteadfastError.invalidArgument: failing child"))
        let slow = try await client.workflow("\(handle.id)/slow")
        #expect(slow.status == .waiting || slow.status == .succeeded, "the slower child is left to run: the parent did not wait for it")
        let keys = try await fixture.engine.workflow(id: handle.id).steps.map(\.key)
        #expect(keys == ["slow", "fast", "await", "again", "await#2", "Failing", "await#3"])
        task.cancel()
        try? await task.value
        await client.close()
        await fixture.close()
    }

    @Test("cancelling a waiting parent leaves none of its children running, enqueued or waiting")
    func cancelMidway() async throws {
        let fixture = try await EngineFixture()
        let runs = Runs()
        let (worker, task) = fixture.startWorker({
            $0.register(Abandoning(runs: runs)); $0.register(LongSleep()); $0.register(Endless(runs: runs)); $0.register(Other())
        }, concurrency: 5, poll: .milliseconds(100))
        let client = try await fixture.client()
        let handle = try await client.start(Abandoning.self, .init(count: 100, queue: fixture.queue),
                                            options: StartOptions(queue: fixture.queue))
        try await waitUntil(timeout: .seconds(30)) {
            try await client.workflow(handle.id).status == .waiting && runs.count("started") == 1
        }
        let listed = try await client.list(WorkflowFilter(status: [.waiting], name: Abandoning.name, queue: fixture.queue), limit: 10)
        #expect(listed.first { $0.id == handle.id }?.wait?.description == "0 of 100 children")
        let cli = try CommandLineTool.steadfast()
        let shown = try await cli.run(["workflows", "show", handle.id])
        #expect(shown.status == 0 && shown.stdout.contains("waiting: 0 of 100 children"), "\(shown.stdout)")
        let waiting = try await cli.run(["workflows", "list", "--status", "waiting", "--name", Abandoning.name, "--queue", fixture.queue])
        #expect(waiting.stdout.contains("waiting: 0 of 100 children"), "\(waiting.stdout)")
        try await client.cancel(handle.id)
        try await waitUntil(timeout: .seconds(30)) { runs.count("cancelled") == 1 }
        // The worker has had every chance to act on the tree: the cancelled child's execution
        // has ended (nothing in flight), and a workflow started after the cancel on the same
        // queue was claimed and completed.
        try await waitUntil(timeout: .seconds(30)) { worker.inFlight == 0 }
        let later = try await client.start(Other.self, .init(), options: StartOptions(queue: fixture.queue))
        #expect(try await later.result(timeout: .seconds(60)) == 1)
        let unfinished = try await fixture.pool.query(
            "select count(*) as n from steadfast.workflows where parent_id = $1 and status in ('enqueued', 'running', 'waiting')", [handle.id])
        #expect(try unfinished[0].int("n") == 0)
        let cancelled = try await fixture.pool.query(
            "select count(*) as n from steadfast.workflows where parent_id = $1 and status = 'cancelled'", [handle.id])
        #expect(try cancelled[0].int("n") == 101)
        task.cancel()
        try? await task.value
        await client.close()
        await fixture.close()
    }

    @Test("a deadline that passes while the parent waits for a child cancels both")
    func deadlineWhileWaiting() async throws {
        let fixture = try await EngineFixture()
        let runs = Runs()
        // The engine's clock stands still; the test moves it past the deadline once the parent waits.
        try await fixture.withFrozenClock { _, advance in
            let (_, task) = fixture.startWorker({ $0.register(Abandoning(runs: runs)); $0.register(LongSleep()); $0.register(Endless(runs: runs)) },
                                                poll: .milliseconds(100))
            let client = try await fixture.client()
            let handle = try await client.start(Abandoning.self, .init(count: 2, queue: fixture.queue),
                                                options: StartOptions(queue: fixture.queue, timeout: .seconds(10)))
            // Settled before the deadline passes: the parent waits, its two sleepers sleep, the
            // endless child runs its step — no transaction of theirs holds a row of the tree.
            try await waitUntil(timeout: .seconds(30)) {
                let children = try await fixture.pool.query(
                    "select count(*) filter (where status = 'waiting') as w, count(*) filter (where status = 'running') as r from steadfast.workflows where parent_id = $1",
                    [handle.id])
                return try await client.workflow(handle.id).status == .waiting && runs.count("started") == 1
                    && children[0].int("w") == 2 && children[0].int("r") == 1
            }
            try await advance(.seconds(20))
            let error = await #expect(throws: WorkflowFailedError.self) { try await handle.result(timeout: .seconds(60)) }
            #expect(error?.status == .cancelled && error?.error?.message == "deadline exceeded")
            let children = try await fixture.pool.query(
                "select count(*) filter (where status = 'cancelled') as n, count(*) filter (where deadline is not null) as d from steadfast.workflows where parent_id = $1",
                [handle.id])
            #expect(try children[0].int("n") == 3 && children[0].int("d") == 3, "the children inherited the deadline and were cancelled")
            try await waitUntil(timeout: .seconds(30)) { runs.count("cancelled") == 1 }
            task.cancel()
            try? await task.value
            await client.close()
        }
        await fixture.close()
    }
}
