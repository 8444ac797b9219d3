import Foundation
import Synchronization
import Testing

@testable import Steadfast

/// Writes `input` values to its stream "numbers" (the value is its index), setting its
/// "progress" event every 1,000, then closes the stream.
struct Counter: Workflow {
    func run(_ input: Int, context: WorkflowContext) async throws -> Int {
        for n in 0..<input {
            let offset = try await context.writeStream("numbers", n)
            precondition(offset == n)
            if (n + 1) % 1000 == 0 { try await context.setEvent("progress", n + 1) }
        }
        try await context.closeStream("numbers")
        return input
    }
}

/// Answers one message with an event: the reply to a question.
struct Echo: Workflow {
    func run(_ input: Int, context: WorkflowContext) async throws -> Int {
        try await context.setEvent("ready", true)
        let question = try await context.receive(String.self, topic: "question") ?? ""
        try await context.setEvent("reply", question.uppercased())
        return question.count
    }
}

/// Waits for another workflow's "ready" event, then returns its value.
struct Follower: Workflow {
    func run(_ leader: String, context: WorkflowContext) async throws -> String {
        let value = try await context.getEvent(Bool.self, workflowID: leader, key: "ready", timeout: .seconds(60))
        return value.map { "ready: \($0)" } ?? "nothing"
    }
}

/// `context.setEvent`, `writeStream`, `closeStream` and the client's `getEvent`, `getEvents`,
/// `readStream`.
@Suite("Events and streams", .serialized)
struct EventStreamTests {
    @Test("a client reads 10,000 stream values, disconnects at 5,000, resumes from 5,000 and gets exactly the other 5,000")
    func streamResume() async throws {
        let fixture = try await EngineFixture()
        let (_, task) = fixture.startWorker({ $0.register(Counter()) }, concurrency: 1, poll: .milliseconds(100))
        let client = try await fixture.client()
        let handle = try await client.start(Counter.self, 10_000, options: StartOptions(queue: fixture.queue))
        var first: [Int] = []
        for try await entry in client.readStream(Int.self, workflowID: handle.id, key: "numbers") {
            #expect(entry.offset == entry.value)
            first.append(entry.value)
            if first.count == 5000 { break }  // disconnect
        }
        #expect(first == Array(0..<5000))
        var rest: [Int] = []
        for try await entry in client.readStream(Int.self, workflowID: handle.id, key: "numbers", from: 5000) {
            rest.append(entry.value)
        }
        #expect(rest == Array(5000..<10_000), "exactly the remaining 5,000, and the sequence ended at the close")
        #expect(try await handle.result(timeout: .seconds(60)) == 10_000)
        #expect(try await client.getEvent(Int.self, workflowID: handle.id, key: "progress") == 10_000)
        let events = try await client.getEvents(handle.id)
        #expect(events.map(\.key) == ["progress"] && events[0].step == "event:progress#10")
        task.cancel()
        try? await task.value
        await client.close()
        await fixture.close()
    }

    @Test("the CLI sends a message, lists events and prints a stream from an offset")
    func commandLine() async throws {
        let fixture = try await EngineFixture()
        let (_, task) = fixture.startWorker({ $0.register(Echo()); $0.register(Counter()) }, poll: .milliseconds(100))
        let client = try await fixture.client()
        let cli = try CommandLineTool.steadfast()
        let echo = try await client.start(Echo.self, 0, options: StartOptions(queue: fixture.queue))
        _ = try await client.getEvent(Bool.self, workflowID: echo.id, key: "ready", timeout: .seconds(60))
        let bad = try await cli.run(["workflows", "send", echo.id, "--topic", "question", "--message", "not json"])
        #expect(bad.status != 0)
        let sent = try await cli.run(["workflows", "send", echo.id, "--topic", "question", "--message", "\"ping\"", "--idempotency-key", "k"])
        #expect(sent.status == 0 && sent.stdout.contains("sent to \(echo.id)"), "\(sent.stderr)")
        let again = try await cli.run(["workflows", "send", echo.id, "--topic", "question", "--message", "\"ping\"", "--idempotency-key", "k"])
        #expect(again.stdout.contains("nothing stored"))
        #expect(try await echo.result(timeout: .seconds(60)) == 4)
        let events = try await cli.run(["workflows", "events", echo.id, "--json"])
        let listed = try events.json() as? [[String: Any]]
        #expect(listed?.compactMap { $0["key"] as? String } == ["ready", "reply"] && listed?.last?["value"] as? String == "PING")
        let counter = try await client.start(Counter.self, 5, options: StartOptions(queue: fixture.queue))
        _ = try await counter.result(timeout: .seconds(60))
        let stream = try await cli.run(["workflows", "stream", counter.id, "numbers", "--from", "3"])
        #expect(stream.stdout == "3\t3\n4\t4\n", "\(stream.stdout)")
        let unknown = try await cli.run(["workflows", "send", "no-such-workflow", "--message", "1"])
        #expect(unknown.status == 1 && unknown.stderr.contains("SF001"))
        task.cancel()
        try? await task.value
        await client.close()
        await fixture.close()
    }

    @Test("a workflow waits for another workflow's event holding no slot; the set wakes it")
    func workflowWaitsForEvent() async throws {
        let fixture = try await EngineFixture()
        let (_, task) = fixture.startWorker({ $0.register(Follower()); $0.register(Echo()) }, concurrency: 1,
                                            poll: .milliseconds(200))
        let client = try await fixture.client()
        // The leader is held back a second; the follower, on the worker's one slot, waits for it
        // holding nothing, so the leader runs on that slot and its event wakes the follower.
        let leader = try await client.start(Echo.self, 0, options: StartOptions(queue: fixture.queue, delay: .seconds(1)))
        let follower = try await client.start(Follower.self, leader.id, options: StartOptions(queue: fixture.queue))
        try await waitUntil(timeout: .seconds(30)) { try await client.workflow(follower.id).status == .waiting }
        let wait = try await client.workflow(follower.id).wait
        #expect(wait?.description.hasPrefix("event ready of \(leader.id) until ") == true, "\(String(describing: wait))")
        #expect(try await follower.result(timeout: .seconds(60)) == "ready: true")
        let steps = try await fixture.engine.steps(workflowID: follower.id)
        #expect(steps.map(\.key) == ["get-event"] && steps[0].outputJSON?.contains("\"found\": true") == true)
        task.cancel()
        try? await task.value
        await client.close()
        await fixture.close()
    }

    @Test("a message round trip: the client waits for an event, sends a question, and reads the reply event")
    func roundTrip() async throws {
        let fixture = try await EngineFixture()
        let client = try await fixture.client()
        // Started before the worker, which finds it with its first claim. The worker polls an
        // hour apart: the waiting workflow is claimed again only on a notification (the send's).
        let handle = try await client.start(Echo.self, 0, options: StartOptions(queue: fixture.queue))
        let (_, task) = fixture.startWorker({ $0.register(Echo()) }, poll: .seconds(3600))
        #expect(try await client.getEvent(Bool.self, workflowID: handle.id, key: "ready", timeout: .seconds(60)) == true)
        #expect(try await client.getEvent(String.self, workflowID: handle.id, key: "reply") == nil, "unset, no wait")
        try await waitUntil(timeout: .seconds(30)) { try await client.workflow(handle.id).status == .waiting }
        try await client.send(to: handle.id, "hello?", topic: "question")
        // Woken by the send's notification, not by a poll: the next poll is an hour away.
        #expect(try await client.getEvent(String.self, workflowID: handle.id, key: "reply", timeout: .seconds(60)) == "HELLO?")
        #expect(try await handle.result(timeout: .seconds(60)) == 6)
        let missing = try await client.getEvent(String.self, workflowID: handle.id, key: "never", timeout: .seconds(10))
        #expect(missing == nil, "a finished workflow's unset event: nil at once")
        task.cancel()
        try? await task.value
        await client.close()
        await fixture.close()
    }
}
