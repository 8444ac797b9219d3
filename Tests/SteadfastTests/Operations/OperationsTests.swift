import Foundation
import Synchronization
import Testing

@testable import Steadfast

/// Three steps, each counted; step 3 throws while `buggy` says so — the bug a fork replays past.
struct Fulfil: Workflow {
    static var name: String { "fulfil" }
    struct Input: Codable, Sendable { var order: String }
    struct Output: Codable, Sendable, Equatable { var reservation: String; var charge: String; var shipment: String }
    struct OffByOne: Error, CustomStringConvertible { var description: String { "shipment label off by one" } }

    let runs: Runs
    let buggy: Bool

    func run(_ input: Input, context: WorkflowContext) async throws -> Output {
        let reservation: String = try await context.step("reserve") { runs.hit("reserve"); return "r-\(input.order)" }
        let charge: String = try await context.step("charge") { runs.hit("charge"); return "ch-\(input.order)" }
        let shipment: String = try await context.step("ship") {
            runs.hit("ship")
            if buggy { throw OffByOne() }
            return "s-\(input.order)"
        }
        return Output(reservation: reservation, charge: charge, shipment: shipment)
    }
}

/// A step that sleeps until cancelled, counting how it ended.
struct Nap: Workflow {
    static var name: String { "nap" }
    struct Input: Codable, Sendable { var seconds: Double }
    let runs: Runs

    func run(_ input: Input, context: WorkflowContext) async throws -> String {
        try await context.step("nap") {
            runs.hit("started")
            do {
                try await Task.sleep(for: .seconds(input.seconds))
            } catch {
                runs.hit("cancelled")
                throw error
            }
            runs.hit("woke")
            return "rested"
        }
    }
}

extension EngineFixture {
    /// A digest of this test's queue: its workflows and their steps, to show a call changed nothing.
    func snapshot() async throws -> String {
        let rows = try await pool.query(
            """
            select md5(coalesce(string_agg(w::text, ',' order by w.id), '') || '|' ||
                       coalesce((select string_agg(s::text, ',' order by s.workflow_id, s.seq) from steadfast.steps s
                                 join steadfast.workflows x on x.id = s.workflow_id where x.queue = $1), '')) as digest
            from steadfast.workflows w where w.queue = $1
            """, [queue])
        return try rows.first?.string("digest") ?? ""
    }

    /// Waits until the workflow has this status.
    func waitForStatus(_ id: String, _ status: WorkflowStatus, timeout: Duration = .seconds(30)) async throws {
        try await waitUntil(timeout: timeout) { try await engine.workflow(id: id).status == status }
    }
}

@Suite("Operating workflows from Swift", .serialized)
struct OperationsTests {
    @Test("list filters by version, parent, lineage and time, and pages with a cursor")
    func listFilters() async throws {
        let fixture = try await EngineFixture()
        let client = try await fixture.client()
        let q = fixture.queue
        let a = try await client.start(Greet.self, .init(name: "a"), options: StartOptions(queue: q, appVersion: "v1"))
        let cutoff = Date()
        // Whatever starts next is created after the cutoff, by the database's clock.
        try await waitUntil(timeout: .seconds(30)) {
            try await fixture.pool.query("select now() > $1::timestamptz as after", [cutoff.postgresText])[0].bool("after")
        }
        let b = try await client.start(Greet.self, .init(name: "b"), options: StartOptions(queue: q, appVersion: "v2"))
        let c = try await client.start(Other.self, .init(), options: StartOptions(queue: q))
        let forked = try await client.fork(b.id, fromStep: 1)

        #expect(try await client.list(WorkflowFilter(queue: q, appVersion: "v2")).map(\.id) == [forked.id, b.id])
        #expect(try await client.list(WorkflowFilter(queue: q, createdBefore: cutoff)).map(\.id) == [a.id])
        #expect(try await client.list(WorkflowFilter(queue: q, createdAfter: cutoff, stranded: false)).count == 3)
        #expect(try await client.list(WorkflowFilter(forkedFrom: b.id)).map(\.id) == [forked.id])
        #expect(try await client.list(WorkflowFilter(name: "Other", queue: q)).map(\.id) == [c.id])
        let summary = try #require(try await client.list(WorkflowFilter(forkedFrom: b.id)).first)
        #expect(summary.forkedFrom == b.id && summary.forkedAtStep == 1 && summary.appVersion == "v2")

        var seen: [String] = []
        var page = try await client.list(WorkflowFilter(queue: q), limit: 1)
        while let last = page.last {
            seen += page.map(\.id)
            page = try await client.list(WorkflowFilter(queue: q), limit: 1, after: last.cursor)
        }
        #expect(seen == [forked.id, c.id, b.id, a.id], "keyset pages, newest first, each row once")
        await expectSteadfastError(.invalidArgument) { _ = try await client.list(WorkflowFilter(queue: q), limit: 0) }
        await client.close()
        await fixture.close()
    }

    @Test("cancel cascades to descendants; a finished workflow is wrongState and an unknown one notFound, changing nothing")
    func cancel() async throws {
        let fixture = try await EngineFixture()
        let client = try await fixture.client()
        let q = fixture.queue
        let parent = try await client.start(Greet.self, .init(name: "p"), options: StartOptions(queue: q))
        let child = try await fixture.engine.start(id: nil, name: "Greet", inputJSON: #"{"name": "c"}"#,
                                                   options: ["queue": .string(q), "parent_id": .string(parent.id)])
        let cancelled = try await client.cancel(parent.id, reason: "not needed")
        #expect(cancelled.map(\.id) == [parent.id, child.id])
        #expect(cancelled.map(\.previousStatus) == [.enqueued, .enqueued])
        let record = try await client.workflow(parent.id)
        #expect(record.status == .cancelled && record.error == ErrorInfo(type: "cancelled", message: "not needed"))
        do {
            _ = try await parent.result(timeout: .seconds(60))
            Issue.record("a cancelled workflow has no result")
        } catch let error as WorkflowFailedError {
            #expect(error.status == .cancelled)
        }
        #expect(try await client.cancel(parent.id).map(\.previousStatus) == [.cancelled], "idempotent")

        let done = try await client.start(Other.self, .init(), options: StartOptions(queue: q))
        let ghost = try await fixture.ghostExecutor()
        let claimed = try await ghost.claim()
        try await fixture.engine.complete(workflowID: done.id, attempt: claimed[0].attempt, outputJSON: "1")
        let before = try await fixture.snapshot()
        await expectSteadfastError(.wrongState) { try await client.cancel(done.id) }
        await expectSteadfastError(.notFound) { try await client.cancel(TestDatabase.uniqueName("nope")) }
        #expect(try await fixture.snapshot() == before, "the refused calls changed nothing")
        await ghost.session.close()
        await client.close()
        await fixture.close()
    }

    @Test("resume keeps id and succeeded steps and runs the failed step again; resuming a succeeded workflow is wrongState")
    func resume() async throws {
        let fixture = try await EngineFixture()
        let client = try await fixture.client()
        let runs = Runs()
        var (_, task) = fixture.startWorker { $0.register(Fulfil(runs: runs, buggy: true)) }
        let handle = try await client.start(Fulfil.self, .init(order: "o1"), options: StartOptions(queue: fixture.queue))
        await #expect(throws: WorkflowFailedError.self) { _ = try await handle.result(timeout: .seconds(60)) }
        task.cancel()
        _ = try? await task.value
        #expect(try await client.steps(handle.id).map(\.key) == ["reserve", "charge", "ship"])

        (_, task) = fixture.startWorker { $0.register(Fulfil(runs: runs, buggy: false)) }
        let resumed = try await client.resume(handle.id)
        #expect(resumed.id == handle.id && resumed.previousStatus == .failed && resumed.status == .enqueued)
        let output = try await handle.result(timeout: .seconds(60))
        #expect(output == Fulfil.Output(reservation: "r-o1", charge: "ch-o1", shipment: "s-o1"))
        #expect(runs.count("reserve") == 1 && runs.count("charge") == 1, "succeeded steps were replayed")
        #expect(runs.count("ship") == 2, "the failed step ran again")
        task.cancel()
        _ = try? await task.value

        let before = try await fixture.snapshot()
        await expectSteadfastError(.wrongState) { try await client.resume(handle.id) }
        await expectSteadfastError(.notFound) { try await client.resume(TestDatabase.uniqueName("nope")) }
        await expectSteadfastError(.notFound) { try await client.resume(handle.id, queue: TestDatabase.uniqueName("noq")) }
        #expect(try await fixture.snapshot() == before)
        await client.close()
        await fixture.close()
    }

    @Test("fork copies the steps before from_step and records lineage; a step past the end is notFound, changing nothing")
    func fork() async throws {
        let fixture = try await EngineFixture()
        let client = try await fixture.client()
        let runs = Runs()
        let (_, task) = fixture.startWorker { $0.register(Fulfil(runs: runs, buggy: false)) }
        let original = try await client.start(Fulfil.self, .init(order: "o2"), options: StartOptions(queue: fixture.queue))
        _ = try await original.result(timeout: .seconds(60))

        let newID = TestDatabase.uniqueName("fork")
        let handle = try await client.fork(Fulfil.self, id: original.id, fromStep: 2,
                                           options: ForkOptions(id: newID, appVersion: .any))
        #expect(handle.id == newID && handle.created)
        #expect(try await handle.result(timeout: .seconds(60)).charge == "ch-o2")
        #expect(runs.count("reserve") == 1 && runs.count("charge") == 2 && runs.count("ship") == 2)
        let record = try await client.workflow(newID)
        #expect(record.forkedFrom == original.id && record.forkedAtStep == 2 && record.appVersion == nil)
        let steps = try await client.steps(newID)
        #expect(steps.map(\.key) == ["reserve", "charge", "ship"])
        #expect(steps.map(\.seq) == [1, 2, 3])
        #expect(steps.allSatisfy { $0.completedAt != nil && $0.runs == 1 })
        let again = try await client.fork(original.id, fromStep: 2, options: ForkOptions(id: newID))
        #expect(!again.created && again.copiedSteps == 1, "forking again with the same id returns the fork")

        let before = try await fixture.snapshot()
        await expectSteadfastError(.notFound) { _ = try await client.fork(original.id, fromStep: 5) }
        await expectSteadfastError(.invalidArgument) { _ = try await client.fork(original.id, fromStep: 0) }
        await expectSteadfastError(.notFound) { _ = try await client.fork(TestDatabase.uniqueName("nope"), fromStep: 1) }
        await expectSteadfastError(.workflowConflict) {
            _ = try await client.fork(original.id, fromStep: 1, options: ForkOptions(id: original.id))
        }
        await expectSteadfastError(.notFound) { _ = try await client.steps(TestDatabase.uniqueName("nope")) }
        #expect(try await fixture.snapshot() == before)
        task.cancel()
        _ = try? await task.value
        await client.close()
        await fixture.close()
    }

    @Test("prune deletes old finished workflows in batches; executors lists the live worker with its workflows")
    func pruneAndExecutors() async throws {
        let fixture = try await EngineFixture()
        let client = try await fixture.client()
        let runs = Runs()
        let (worker, task) = fixture.startWorker { $0.register(Fulfil(runs: runs, buggy: false)) }
        var ids: [String] = []
        for n in 0..<5 {
            ids.append(try await client.start(Fulfil.self, .init(order: "p\(n)"), options: StartOptions(queue: fixture.queue)).id)
        }
        for id in ids { _ = try await client.handle(Fulfil.self, id: id).result(timeout: .seconds(60)) }
        let mine = try #require(try await client.executors().first { $0.id == worker.executorID })
        #expect(mine.state == .alive && mine.queues == [fixture.queue] && mine.workflows == ["fulfil"])
        task.cancel()
        _ = try? await task.value
        let stopped = try await client.executors(includeStopped: true).first { $0.id == worker.executorID }
        #expect(stopped?.state == .stopped && stopped?.stopReason == "deregistered")
        #expect(try await client.executors().allSatisfy { $0.id != worker.executorID })

        await expectSteadfastError(.invalidArgument) { try await client.prune(olderThan: .seconds(0), batchSize: 0) }
        await expectSteadfastError(.invalidArgument) { try await client.prune(olderThan: .seconds(0), statuses: [.running]) }
        let unfinished = try await client.start(Greet.self, .init(name: "stay"), options: StartOptions(queue: fixture.queue))
        #expect(try await client.prune(olderThan: .seconds(3600), queue: fixture.queue).workflows == 0, "none is an hour old")
        let result = try await client.prune(olderThan: .zero, batchSize: 2, statuses: [.succeeded], queue: fixture.queue)
        #expect(result.workflows == 5 && result.steps == 15 && result.batches == 3)
        #expect(try await client.list(WorkflowFilter(queue: fixture.queue)).map(\.id) == [unfinished.id])
        await client.close()
        await fixture.close()
    }
}
