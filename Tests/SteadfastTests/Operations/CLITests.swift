import Foundation
import Testing

@testable import Steadfast

/// The `steadfast` command line, run as a built binary against the test database.
@Suite("steadfast CLI", .serialized)
struct CLITests {
    @Test("sql prints exactly the bundle scripts/bundle.sh writes; migrate installs it and says the version")
    func sqlAndMigrate() async throws {
        let cli = try CommandLineTool.steadfast()
        let printed = try await cli.run(["sql"])
        #expect(printed.status == 0)
        let script = CommandLineTool(executable: URL(fileURLWithPath: "/bin/bash"))
        let bundled = try await script.run([CommandLineTool.packageRoot.appendingPathComponent("scripts/bundle.sh").path])
        #expect(bundled.status == 0)
        #expect(printed.stdout == bundled.stdout, "steadfast sql and scripts/bundle.sh print the same bundle")

        let migrated = try await cli.run(["migrate"])
        #expect(migrated.status == 0, "\(migrated.stderr)")
        #expect(migrated.stdout.contains("migrated: schema version \(Migrator.latestVersion)"))
        let json = try #require(try await cli.run(["migrate", "--json"]).json() as? [String: Any])
        #expect(json["schema_version"] as? Int == Migrator.latestVersion)
        #expect((json["applied_migrations"] as? [String])?.isEmpty == true, "nothing to apply the second time")
    }

    @Test("workflows list, show, steps, cancel, resume and fork; executors; prune — tables and --json")
    func operate() async throws {
        let fixture = try await EngineFixture()
        let client = try await fixture.client()
        let cli = try CommandLineTool.steadfast()
        let runs = Runs()
        let q = fixture.queue
        let (worker, task) = fixture.startWorker { $0.register(Fulfil(runs: runs, buggy: false)) }
        let done = try await client.start(Fulfil.self, .init(order: "c1"), options: StartOptions(queue: q, appVersion: "v7"))
        _ = try await done.result(timeout: .seconds(60))
        let waiting = try await client.start(Greet.self, .init(name: "w"), options: StartOptions(queue: q, delay: .seconds(3600)))

        // list: a table, and JSON with filters.
        let table = try await cli.run(["workflows", "list", "--queue", q])
        #expect(table.status == 0, "\(table.stderr)")
        let lines = table.stdout.split(separator: "\n")
        #expect(lines.first?.hasPrefix("WORKFLOW") == true && lines.count == 3)
        #expect(lines[1].contains(waiting.id) && lines[2].contains(done.id) && lines[2].contains("succeeded"))
        let listed = try #require(try await cli.run(["workflows", "list", "--queue", q, "--status", "succeeded", "--app-version", "v7", "--json"])
            .json() as? [[String: Any]])
        #expect(listed.map { $0["workflow_id"] as? String } == [done.id])
        #expect(listed.first?["app_version"] as? String == "v7")
        let page1 = try #require(try await cli.run(["workflows", "list", "--queue", q, "--limit", "1"]).stdout
            .split(separator: "\n").last.map(String.init))
        #expect(page1.hasPrefix("next page: --before-created-at "))
        let nextArguments = page1.dropFirst("next page: ".count).split(separator: " ").map(String.init)
        let page2 = try #require(try await cli.run(["workflows", "list", "--queue", q, "--limit", "1", "--json"] + nextArguments)
            .json() as? [[String: Any]])
        #expect(page2.map { $0["workflow_id"] as? String } == [done.id], "the printed cursor fetches the next page")

        // show and steps.
        let shown = try await cli.run(["workflows", "show", done.id])
        #expect(shown.status == 0 && shown.stdout.contains("status:") && shown.stdout.contains("succeeded"))
        #expect(shown.stdout.contains("SEQ") && shown.stdout.contains("charge") && shown.stdout.contains(#""ch-c1""#))
        let shownJSON = try #require(try await cli.run(["workflows", "show", done.id, "--json"]).json() as? [String: Any])
        #expect((shownJSON["output"] as? [String: Any])?["shipment"] as? String == "s-c1")
        #expect((shownJSON["input"] as? [String: Any])?["order"] as? String == "c1")
        #expect((shownJSON["steps"] as? [[String: Any]])?.count == 3)
        let steps = try #require(try await cli.run(["workflows", "steps", done.id, "--json"]).json() as? [[String: Any]])
        #expect(steps.map { $0["seq"] as? Int } == [1, 2, 3])
        #expect(steps.map { $0["step_key"] as? String } == ["reserve", "charge", "ship"])

        // fork (and wait), cancel, resume.
        let forked = try #require(try await cli.run(["workflows", "fork", done.id, "--from-step", "3", "--id", "\(done.id)-fork",
                                                     "--any-version", "--wait", "--timeout", "20s", "--json"])
            .json() as? [String: Any])
        #expect(forked["status"] as? String == "succeeded" && forked["forked_from"] as? String == done.id)
        #expect(forked["forked_at_step"] as? Int == 3 && forked["app_version"] is NSNull)
        #expect(runs.count("reserve") == 1 && runs.count("charge") == 1 && runs.count("ship") == 2)
        let cancelOut = try await cli.run(["workflows", "cancel", waiting.id, "--reason", "from the CLI"])
        #expect(cancelOut.status == 0 && cancelOut.stdout == "cancelled \(waiting.id) (was enqueued)\n")
        #expect(try await client.workflow(waiting.id).error?.message == "from the CLI")
        let resumed = try #require(try await cli.run(["workflows", "resume", waiting.id, "--json"]).json() as? [String: Any])
        #expect(resumed["previous_status"] as? String == "cancelled" && resumed["status"] as? String == "enqueued")

        // executors.
        let executors = try await cli.run(["executors"])
        #expect(executors.stdout.split(separator: "\n").contains { $0.hasPrefix(worker.executorID) && $0.contains("alive") })
        let executorsJSON = try #require(try await cli.run(["executors", "--json"]).json() as? [[String: Any]])
        #expect(executorsJSON.contains { $0["id"] as? String == worker.executorID && $0["state"] as? String == "alive" })

        // prune: this test's finished workflows only.
        _ = try await client.cancel(waiting.id)
        let pruned = try #require(try await cli.run(["prune", "--older-than", "0s", "--queue", q, "--json"]).json() as? [String: Any])
        #expect(pruned["deleted_workflows"] as? Int == 3 && pruned["deleted_steps"] as? Int == 6)
        #expect(try await client.list(WorkflowFilter(queue: q)).isEmpty)

        task.cancel()
        _ = try? await task.value
        await client.close()
        await fixture.close()
    }

    @Test("bad input: exit status 1, the SQLSTATE on stderr (JSON with --json), and nothing changed")
    func errors() async throws {
        let fixture = try await EngineFixture()
        let client = try await fixture.client()
        let cli = try CommandLineTool.steadfast()
        let ghost = try await fixture.ghostExecutor()
        let done = try await client.start(Other.self, .init(), options: StartOptions(queue: fixture.queue))
        let claimed = try await ghost.claim()
        try await fixture.engine.complete(workflowID: done.id, attempt: claimed[0].attempt, outputJSON: "1")
        let before = try await fixture.snapshot()

        let unknown = try await cli.run(["workflows", "show", "no-such-workflow"])
        #expect(unknown.status == 1 && unknown.stdout.isEmpty)
        #expect(unknown.stderr.contains("unknown workflow 'no-such-workflow'") && unknown.stderr.contains("SQLSTATE SF001"))
        let resume = try await cli.run(["workflows", "resume", done.id, "--json"])
        #expect(resume.status == 1)
        let resumeError = try JSONSerialization.jsonObject(with: Data(resume.stderr.utf8)) as? [String: [String: String]]
        #expect(resumeError?["error"]?["sqlstate"] == "SF004" && resumeError?["error"]?["code"] == "wrongState")
        let cancel = try await cli.run(["workflows", "cancel", done.id])
        #expect(cancel.status == 1 && cancel.stderr.contains("SQLSTATE SF004") && cancel.stderr.contains("already finished"))
        let fork = try await cli.run(["workflows", "fork", done.id, "--from-step", "3"])
        #expect(fork.status == 1 && fork.stderr.contains("SQLSTATE SF001") && fork.stderr.contains("from_step 3 is past the last step"))
        let cancelUnknown = try await cli.run(["workflows", "cancel", "no-such-workflow"])
        #expect(cancelUnknown.status == 1 && cancelUnknown.stderr.contains("SF001"))
        let prune = try await cli.run(["prune", "--older-than", "1d", "--batch-size", "0"])
        #expect(prune.status == 1 && prune.stderr.contains("SF005"))
        #expect(try await fixture.snapshot() == before, "the refused commands changed nothing")

        let usage = try await cli.run(["workflows", "fork", done.id])
        #expect(usage.status == 64 && usage.stderr.contains("--from-step"), "a missing option is a usage error")
        let noDatabase = try await cli.run(["workflows", "list"], environment: ["DATABASE_URL": ""])
        #expect(noDatabase.status == 64 && noDatabase.stderr.contains("DATABASE_URL"))
        let flag = try await cli.run(["workflows", "show", done.id, "--database-url", try await TestDatabase.url()],
                                     environment: ["DATABASE_URL": ""])
        #expect(flag.status == 0 && flag.stdout.contains(done.id), "--database-url works without DATABASE_URL")
        let badServer = try await cli.run(["workflows", "list", "--database-url", "postgresql:///nope?host=/nonexistent"])
        #expect(badServer.status == 1 && badServer.stderr.contains("connectionFailed"))

        await ghost.session.close()
        await client.close()
        await fixture.close()
    }
}
