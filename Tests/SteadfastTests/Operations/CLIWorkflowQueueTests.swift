import Foundation
import Testing

@testable import Steadfast

/// Fails with an error of this module's own type: the CLI's ERROR column shows `CardDeclined`,
/// not `SteadfastTests.CardDeclined`.
struct Declines: Workflow {
    static var name: String { "declines" }
    struct Input: Codable, Sendable { var card: String }
    struct CardDeclined: Error, CustomStringConvertible { var description: String { "card declined (51)" } }
    func run(_ input: Input, context: WorkflowContext) async throws -> String {
        throw CardDeclined()
    }
}

/// The command line as a new user reaches for it: start a workflow by name and wait for it,
/// manage queues, prune safely, and see why an executor stopped.
@Suite("steadfast CLI: start, wait, queues, prune safety, executor reasons", .serialized)
struct CLIWorkflowQueueTests {
    @Test("workflows start NAME --input --wait and workflows wait: the result, or exit 1 with a readable error")
    func startAndWait() async throws {
        let fixture = try await EngineFixture()
        let client = try await fixture.client()
        let cli = try CommandLineTool.steadfast()
        let q = fixture.queue
        let runs = Runs()
        let (_, task) = fixture.startWorker {
            $0.register(Fulfil(runs: runs, buggy: false))
            $0.register(Declines())
        }

        // Start and wait in one command: the record, as JSON.
        let id = TestDatabase.uniqueName("cli-start")
        let started = try await cli.run(["workflows", "start", "fulfil", "--input", #"{"order": "s1"}"#, "--queue", q, "--id", id,
                                         "--wait", "--timeout", "60s", "--json"])
        #expect(started.status == 0, "\(started.stderr)")
        let record = try #require(try started.json() as? [String: Any])
        #expect(record["workflow_id"] as? String == id && record["status"] as? String == "succeeded")
        #expect((record["output"] as? [String: Any])?["shipment"] as? String == "s-s1")
        #expect(runs.count("ship") == 1)

        // Starting the same id again starts nothing.
        let again = try await cli.run(["workflows", "start", "fulfil", "--input", #"{"order": "s1"}"#, "--queue", q, "--id", id])
        #expect(again.status == 0 && again.stdout == "\(id) already exists: nothing started\n")
        #expect(runs.count("ship") == 1)

        // Start, then wait by id.
        let second = try #require(try await cli.run(["workflows", "start", "fulfil", "--input", #"{"order": "s2"}"#, "--queue", q,
                                                     "--json"]).json() as? [String: Any])
        let secondID = try #require(second["workflow_id"] as? String)
        #expect(second["created"] as? Bool == true)
        let waited = try await cli.run(["workflows", "wait", secondID, "--timeout", "60s"])
        #expect(waited.status == 0 && waited.stdout.contains("succeeded") && waited.stdout.contains("s-s2"), "\(waited.stderr)")

        // A failure: exit 1, its error on stderr; the list's ERROR column reads as a sentence.
        let declined = try await cli.run(["workflows", "start", "declines", "--input", #"{"card": "4000"}"#, "--queue", q,
                                          "--id", "\(id)-declined", "--wait", "--timeout", "60s"])
        #expect(declined.status == 1 && declined.stderr.contains("card declined (51)"))
        let listed = try await cli.run(["workflows", "list", "--queue", q, "--status", "failed"])
        let row = try #require(listed.stdout.split(separator: "\n").first { $0.hasPrefix("\(id)-declined") })
        #expect(row.hasSuffix("CardDeclined: card declined (51)"), "\(row)")
        #expect(!listed.stdout.contains("SteadfastTests."), "no module names in the ERROR column")

        // Bad input changes nothing: not JSON (usage error), unknown queue (SF001), unknown id.
        let before = try await fixture.snapshot()
        let notJSON = try await cli.run(["workflows", "start", "fulfil", "--input", "{order: s3}", "--queue", q])
        #expect(notJSON.status == 64 && notJSON.stderr.contains("--input must be JSON"))
        let noQueue = try await cli.run(["workflows", "start", "fulfil", "--queue", TestDatabase.uniqueName("nope")])
        #expect(noQueue.status == 1 && noQueue.stderr.contains("SQLSTATE SF001"), "\(noQueue.stderr)")
        let unknown = try await cli.run(["workflows", "wait", "no-such-workflow"])
        #expect(unknown.status == 1 && unknown.stderr.contains("SF001"))
        #expect(try await fixture.snapshot() == before)

        // --timeout gives up on a workflow that cannot finish yet (delayed an hour): exit 1.
        let delayed = try await client.start(Fulfil.self, .init(order: "later"), options: StartOptions(queue: q, delay: .seconds(3600)))
        let gaveUp = try await cli.run(["workflows", "wait", delayed.id, "--timeout", "500ms"])
        #expect(gaveUp.status == 1 && gaveUp.stderr.contains("did not finish"))

        task.cancel()
        _ = try? await task.value
        await client.close()
        await fixture.close()
    }

    @Test("queues create, list, show, alter, pause, resume and delete; bad settings change nothing")
    func queues() async throws {
        let fixture = try await EngineFixture()
        let client = try await fixture.client()
        let cli = try CommandLineTool.steadfast()
        let name = TestDatabase.uniqueName("cliq")

        let created = try await cli.run(["queues", "create", name, "--concurrency", "5", "--rate-limit", "100/60s"])
        #expect(created.status == 0 && created.stdout == "created queue \(name)\n", "\(created.stderr)")
        #expect(try await client.queue(name).queue == Queue(name, concurrency: 5, rateLimit: .init(starts: 100, per: .seconds(60))))
        let exists = try await cli.run(["queues", "create", name, "--concurrency", "9"])
        #expect(exists.status == 0 && exists.stdout.contains("left as it is"))
        #expect(try await client.queue(name).queue.concurrency == 5, "create leaves an existing queue alone")

        let listed = try #require(try await cli.run(["queues", "list", "--json"]).json() as? [[String: Any]])
        let mine = try #require(listed.first { $0["queue"] as? String == name })
        #expect(mine["concurrency"] as? Int == 5 && mine["rate_limit"] as? Int == 100 && mine["rate_period"] as? Double == 60)
        let table = try await cli.run(["queues", "list"])
        #expect(table.stdout.split(separator: "\n").contains { $0.hasPrefix(name) && $0.contains("100/1m") })

        let altered = try #require(try await cli.run(["queues", "alter", name, "--worker-concurrency", "2", "--clear", "rate-limit", "--json"])
            .json() as? [String: Any])
        #expect(altered["worker_concurrency"] as? Int == 2 && altered["rate_limit"] is NSNull && altered["concurrency"] as? Int == 5)
        #expect(try await client.queue(name).queue == Queue(name, concurrency: 5, workerConcurrency: 2))

        let paused = try await cli.run(["queues", "pause", name])
        #expect(paused.status == 0 && paused.stdout.contains("resume with: steadfast queues resume \(name) --concurrency 5"))
        #expect(try await client.queue(name).queue.concurrency == 0)
        let shown = try await cli.run(["queues", "show", name])
        #expect(shown.stdout.contains("0 (paused)"))
        let resumed = try await cli.run(["queues", "resume", name, "--concurrency", "5"])
        #expect(resumed.status == 0 && resumed.stdout.contains("concurrency 5"))
        #expect(try await client.queue(name).queue == Queue(name, concurrency: 5, workerConcurrency: 2))
        let notPaused = try await cli.run(["queues", "resume", name])
        #expect(notPaused.stdout.contains("is not paused"))
        #expect(try await client.queue(name).queue.concurrency == 5, "resuming a running queue changes nothing")

        // Bad settings and unknown queues: an error, nothing changed.
        let negative = try await cli.run(["queues", "alter", name, "--concurrency=-1"])
        #expect(negative.status == 1 && negative.stderr.contains("SF005"), "\(negative.stderr)")
        let nothing = try await cli.run(["queues", "alter", name])
        #expect(nothing.status == 64)
        let badRate = try await cli.run(["queues", "alter", name, "--rate-limit", "often"])
        #expect(badRate.status == 64)
        #expect(try await client.queue(name).queue == Queue(name, concurrency: 5, workerConcurrency: 2))
        let unknown = try await cli.run(["queues", "alter", TestDatabase.uniqueName("nope"), "--concurrency", "1"])
        #expect(unknown.status == 1 && unknown.stderr.contains("SF001"))
        let deleteDefault = try await cli.run(["queues", "delete", "default"])
        #expect(deleteDefault.status == 1)

        let deleted = try await cli.run(["queues", "delete", name])
        #expect(deleted.status == 0 && deleted.stdout == "deleted queue \(name)\n")
        #expect(try await client.queues().contains { $0.queue.name == name } == false)

        await client.close()
        await fixture.close()
    }

    @Test("prune --dry-run counts and deletes nothing; more than --confirm-above needs --yes; only finished statuses")
    func pruneSafety() async throws {
        let fixture = try await EngineFixture()
        let client = try await fixture.client()
        let cli = try CommandLineTool.steadfast()
        let ghost = try await fixture.ghostExecutor()
        for _ in 0..<3 {
            _ = try await client.start(Other.self, .init(), options: StartOptions(queue: fixture.queue))
        }
        for claimed in try await ghost.claim(limit: 3) {
            try await fixture.engine.complete(workflowID: claimed.id, attempt: claimed.attempt, outputJSON: "1")
        }
        let unfinished = try await client.start(Other.self, .init(), options: StartOptions(queue: fixture.queue))
        let before = try await fixture.snapshot()

        let dry = try #require(try await cli.run(["prune", "--older-than", "0s", "--queue", fixture.queue, "--dry-run", "--json"])
            .json() as? [String: Any])
        #expect(dry["would_delete_workflows"] as? Int == 3 && dry["dry_run"] as? Bool == true)
        #expect(try await fixture.snapshot() == before, "a dry run deletes nothing")

        let refused = try await cli.run(["prune", "--older-than", "0s", "--queue", fixture.queue, "--confirm-above", "2"])
        #expect(refused.status == 1 && refused.stderr.contains("--yes"), "not a terminal: no confirmation, no deletion")
        #expect(try await fixture.snapshot() == before)

        let running = try await cli.run(["prune", "--older-than", "0s", "--status", "running"])
        #expect(running.status == 64 && running.stderr.contains("succeeded"), "prune offers only finished statuses")

        let pruned = try #require(try await cli.run(["prune", "--older-than", "0s", "--queue", fixture.queue, "--confirm-above", "2",
                                                     "--yes", "--json"]).json() as? [String: Any])
        #expect(pruned["deleted_workflows"] as? Int == 3)
        #expect(try await client.list(WorkflowFilter(queue: fixture.queue)).map(\.id) == [unfinished.id])

        await ghost.session.close()
        await client.close()
        await fixture.close()
    }

    @Test("executors --all says why an executor stopped: its session was lost (the process died), or it deregistered")
    func executorReasons() async throws {
        let fixture = try await EngineFixture()
        let cli = try CommandLineTool.steadfast()
        let dead = try await fixture.ghostExecutor()
        try await dead.crash()
        // Any claim recovers executors found dead: it marks this one stopped, with the reason.
        let survivor = try await fixture.ghostExecutor()
        _ = try await survivor.claim()
        let (worker, task) = fixture.startWorker { _ in }
        try await waitUntil(timeout: .seconds(30)) {
            try await fixture.engine.executors(includeStopped: false).contains { $0.id == worker.executorID }
        }
        task.cancel()
        _ = try? await task.value

        let listed = try await cli.run(["executors", "--all"])
        #expect(listed.status == 0, "\(listed.stderr)")
        let lines = listed.stdout.split(separator: "\n")
        #expect(lines.contains { $0.hasPrefix(dead.id) && $0.contains("stopped: session lost") }, "\(listed.stdout)")
        #expect(lines.contains { $0.hasPrefix(worker.executorID) && $0.contains("stopped: deregistered") }, "\(listed.stdout)")
        #expect(lines.contains { $0.hasPrefix(survivor.id) && $0.contains("alive") })

        await survivor.session.close()
        await fixture.close()
    }
}
