import Foundation
import Synchronization
import Testing

@testable import Steadfast

/// Waits for an approval message, then a step.
struct Approval: Workflow {
    struct Decision: Codable, Sendable, Equatable { var approved: Bool; var by: String }
    let runs: Runs
    func run(_ input: String, context: WorkflowContext) async throws -> String {
        try await context.step("request") { runs.hit("request") }
        guard let decision = try await context.receive(Decision.self, topic: "approval") else { return "no answer" }
        return try await context.step("act") { runs.hit("act"); return decision.approved ? "approved by \(decision.by)" : "rejected" }
    }
}

/// Waits at most `input` seconds for a message.
struct Patient: Workflow {
    func run(_ input: Double, context: WorkflowContext) async throws -> String {
        let message = try await context.receive(String.self, timeout: .milliseconds(Int(input * 1000)))
        return message ?? "timed out"
    }
}

/// Sends its input to another workflow, then finishes.
struct Messenger: Workflow {
    struct Input: Codable, Sendable { var to: String; var text: String }
    func run(_ input: Input, context: WorkflowContext) async throws -> Int {
        try await context.send(to: input.to, input.text, topic: "approval-text")
        try await context.send(to: input.to, input.text + "!", topic: "approval-text")
        return 2
    }
}

/// Receives two texts.
struct TwoTexts: Workflow {
    func run(_ input: Int, context: WorkflowContext) async throws -> [String] {
        var texts: [String] = []
        for _ in 0..<2 { texts.append(try await context.receive(String.self, topic: "approval-text") ?? "-") }
        return texts
    }
}

/// The shape of the test worker's InboxWorkflow (Tests/SteadfastTestWorker), to start it.
struct InboxShape: Workflow {
    static var name: String { "InboxWorkflow" }
    struct Input: Codable, Sendable { var count: Int }
    func run(_ input: Input, context: WorkflowContext) async throws -> Int { 0 }
}

/// The shape of the test worker's PatientWorkflow (Tests/SteadfastTestWorker), to start it.
struct PatientShape: Workflow {
    static var name: String { "PatientWorkflow" }
    struct Input: Codable, Sendable { var timeout: Double }
    func run(_ input: Input, context: WorkflowContext) async throws -> String { "" }
}

/// `context.receive`, `context.send`, `client.send`: messages reach a waiting workflow exactly
/// once, in order, and wake it without a poll.
@Suite("Messages", .serialized)
struct MessageTests {
    @Test("an approval flow: the workflow waits holding nothing; the client's send wakes it; each step once")
    func approval() async throws {
        let fixture = try await EngineFixture()
        let runs = Runs()
        let client = try await fixture.client()
        // Started before the worker, which finds it with its first claim. The worker polls an
        // hour apart: once the workflow waits, only a notification (the send's) can make it
        // claim the workflow again.
        let handle = try await client.start(Approval.self, "invoice-7", options: StartOptions(queue: fixture.queue))
        let (_, task) = fixture.startWorker({ $0.register(Approval(runs: runs)) }, concurrency: 1, poll: .seconds(3600))
        try await waitUntil(timeout: .seconds(30)) { try await client.workflow(handle.id).status == .waiting }
        let waiting = try await client.workflow(handle.id)
        #expect(waiting.wait?.topic == "approval" && waiting.wait?.description == "message on approval" && waiting.executorID == nil)
        #expect(try await client.send(to: handle.id, Approval.Decision(approved: true, by: "ana"), topic: "approval", idempotencyKey: "ana-1"))
        #expect(try await client.send(to: handle.id, Approval.Decision(approved: false, by: "ana"), topic: "approval", idempotencyKey: "ana-1") == false,
                "the same key again stores nothing")
        // Woken by the send, not by a poll: the next poll is an hour away.
        #expect(try await handle.result(timeout: .seconds(60)) == "approved by ana")
        #expect(runs.count("request") == 1 && runs.count("act") == 1)
        let messages = try await fixture.pool.query("select count(*) as n, count(consumed_at) as consumed from steadfast.messages where workflow_id = $1", [handle.id])
        #expect(try messages[0].int("n") == 1 && messages[0].int("consumed") == 1)
        let error = await #expect(throws: SteadfastError.self) { try await client.send(to: handle.id, "late") }
        #expect(error?.code == .wrongState, "a finished workflow receives nothing")
        let unknown = await #expect(throws: SteadfastError.self) { try await client.send(to: "no-such-workflow", "x") }
        #expect(unknown?.code == .notFound)
        task.cancel()
        try? await task.value
        await client.close()
        await fixture.close()
    }

    @Test("a receive times out: nil, recorded as the step; with time left, a send answers it")
    func timeout() async throws {
        let fixture = try await EngineFixture()
        let (_, task) = fixture.startWorker({ $0.register(Patient()) }, poll: .milliseconds(100))
        let client = try await fixture.client()
        let handle = try await client.start(Patient.self, 0.5, options: StartOptions(queue: fixture.queue))
        #expect(try await handle.result(timeout: .seconds(60)) == "timed out")
        let steps = try await fixture.engine.steps(workflowID: handle.id)
        #expect(steps.map(\.key) == ["receive"] && steps[0].outputJSON?.contains("\"received\": false") == true)
        let answered = try await client.start(Patient.self, 30, options: StartOptions(queue: fixture.queue))
        try await waitUntil(timeout: .seconds(30)) { try await client.workflow(answered.id).status == .waiting }
        try await client.send(to: answered.id, "here")
        #expect(try await answered.result(timeout: .seconds(60)) == "here")
        task.cancel()
        try? await task.value
        await client.close()
        await fixture.close()
    }

    @Test("a workflow's send is a step: exactly once, received in order by the other workflow")
    func workflowToWorkflow() async throws {
        let fixture = try await EngineFixture()
        let (_, task) = fixture.startWorker({ $0.register(Messenger()); $0.register(TwoTexts()) }, poll: .milliseconds(100))
        let client = try await fixture.client()
        let receiver = try await client.start(TwoTexts.self, 0, options: StartOptions(queue: fixture.queue))
        let sender = try await client.start(Messenger.self, .init(to: receiver.id, text: "hi"), options: StartOptions(queue: fixture.queue))
        #expect(try await sender.result(timeout: .seconds(60)) == 2)
        #expect(try await receiver.result(timeout: .seconds(60)) == ["hi", "hi!"])
        let keys = try await fixture.pool.query("select idempotency_key from steadfast.messages where workflow_id = $1 order by id", [receiver.id])
        #expect(try keys.map { try $0.string("idempotency_key") } == ["\(sender.id)/send", "\(sender.id)/send#2"])
        task.cancel()
        try? await task.value
        await client.close()
        await fixture.close()
    }

    @Test("a receive with a timeout replays its branch after kill -9: the one that timed out stays timed out though a message came later; the one that got its message keeps it")
    func timeoutBranchSurvivesCrash() async throws {
        let fixture = try await EngineFixture()
        let table = try await fixture.makeEffectsTable()
        let client = try await fixture.client()
        let late = try await client.start(PatientShape.self, .init(timeout: 1), options: StartOptions(queue: fixture.queue))
        let early = try await client.start(PatientShape.self, .init(timeout: 60), options: StartOptions(queue: fixture.queue))
        try await client.send(to: early.id, "in time", topic: "t")
        let first = try await WorkerProcess(environment: [
            "SF_EFFECTS_TABLE": table, "SF_QUEUE": fixture.queue, "SF_HOLD_STEP": "after", "SF_POLL_MS": "100",
        ])
        // Both have recorded their receive — one timed out, one got its message — and hang in "after".
        try await waitUntil(timeout: .seconds(30)) { try await fixture.effects(in: table).count == 2 }
        first.signal(SIGKILL)
        _ = await first.waitForExit()
        try await client.send(to: late.id, "too late", topic: "t")
        let next = try await WorkerProcess(environment: ["SF_EFFECTS_TABLE": table, "SF_QUEUE": fixture.queue, "SF_POLL_MS": "100"])
        #expect(try await client.handle(PatientShape.self, id: late.id).result(timeout: .seconds(60)) == "timed out")
        #expect(try await client.handle(PatientShape.self, id: early.id).result(timeout: .seconds(60)) == "in time")
        let messages = try await fixture.pool.query(
            "select workflow_id, consumed_step from steadfast.messages where workflow_id = any($1::text[]) order by workflow_id",
            ["{\(early.id),\(late.id)}"])
        let consumed = Dictionary(uniqueKeysWithValues: try messages.map { (try $0.string("workflow_id"), try $0.value("consumed_step") as String?) })
        #expect(consumed[early.id] == "receive" && consumed.keys.contains(late.id) && consumed[late.id]! == nil,
                "the late message stays unconsumed")
        let effects = try await fixture.effects(in: table)
        #expect(effects[late.id]?["after"] == 2 && effects[early.id]?["after"] == 2, "the hung step ran again; the receive did not")
        next.signal(SIGTERM)
        _ = await next.waitForExit()
        await client.close()
        await fixture.close()
    }

    @Test("kill -9 at random points while 1,000 messages go to 100 waiting workflows: each consumed exactly once, in order")
    func killNineWhileSending() async throws {
        let fixture = try await EngineFixture()
        let table = try await fixture.makeEffectsTable()
        let client = try await fixture.client()
        var ids: [String] = []
        for _ in 0..<100 {
            ids.append(try await client.start(InboxShape.self, .init(count: 10), options: StartOptions(queue: fixture.queue)).id)
        }
        let environment = ["SF_EFFECTS_TABLE": table, "SF_QUEUE": fixture.queue, "SF_CONCURRENCY": "20", "SF_POLL_MS": "100"]
        var worker = try await WorkerProcess(environment: environment)
        try await waitUntil(timeout: .seconds(30)) {
            try await fixture.pool.query("select count(*) as n from steadfast.workflows where queue = $1 and status = 'waiting'",
                                         [fixture.queue])[0].int("n") == 100
        }
        // Ten rounds: one message to every workflow (values 1…10 in order), a kill -9 and a new
        // worker after some rounds, at a random moment within the round.
        for round in 1...10 {
            let current = worker
            let killer = Task {
                if round % 3 == 0 {
                    try await Task.sleep(for: .milliseconds(Int.random(in: 0...40)))
                    current.signal(SIGKILL)
                }
            }
            for id in ids { try await client.send(to: id, round, topic: "t", idempotencyKey: "round-\(round)") }
            try await killer.value
            if round % 3 == 0 {
                _ = await worker.waitForExit()
                worker = try await WorkerProcess(environment: environment)
            }
        }
        try await waitUntil(timeout: .seconds(120)) { try await fixture.statusCounts()[.succeeded] == 100 }
        for id in ids.prefix(100) {
            #expect(try await client.workflow(id).outputJSON == "55")
        }
        let rows = try await fixture.pool.query("""
            select count(*) as messages, count(consumed_step) as consumed, count(distinct (m.workflow_id, m.consumed_step)) as steps,
                   count(*) filter (where s.output -> 'message' <> m.message or s.output ->> 'message_id' <> m.id::text) as mismatched,
                   count(*) filter (where s.step_key <> case when (m.message)::int = 1 then 'receive' else 'receive#' || m.message::text end) as out_of_order
            from steadfast.messages m
            join steadfast.workflows w on w.id = m.workflow_id and w.queue = $1
            left join steadfast.steps s on s.workflow_id = m.workflow_id and s.step_key = m.consumed_step
            """, [fixture.queue])[0]
        #expect(try rows.int("messages") == 1000 && rows.int("consumed") == 1000 && rows.int("steps") == 1000,
                "every message consumed once, by a step of its own")
        #expect(try rows.int("mismatched") == 0 && rows.int("out_of_order") == 0, "the n-th receive got the n-th message")
        worker.signal(SIGTERM)
        _ = await worker.waitForExit()
        await client.close()
        await fixture.close()
    }
}
