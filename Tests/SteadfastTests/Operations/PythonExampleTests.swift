import Foundation
import Testing

@testable import Steadfast

/// A service in another language, for real: examples/python/operate.py (psycopg 3, SQL
/// functions only) against the worker the repository provides for it (`steadfast-demo
/// python-worker`, examples/demo/PythonWorkflows.swift), in a process of its own.
@Suite("Python service example", .serialized)
struct PythonExampleTests {
    @Test("examples/python/operate.py starts, awaits, lists, cancels and forks workflows, and talks to a waiting one, with the repository's worker")
    func operatePy() async throws {
        let fixture = try await EngineFixture()
        let client = try await fixture.client()
        try await runOperatePy(queue: fixture.queue, client: client, environment: [:]) { workflowID in
            try await fixture.pool.query("select count(*) as n from steadfast.messages where workflow_id = $1", [workflowID])[0].int("n")
        }
        await client.close()
        await fixture.close()
    }

    @Test("the same script against a router over four shards (docs/scale-out.md), with the worker on the shards: the same outcomes")
    func operatePySharded() async throws {
        let cluster = try await ShardedCluster.current()
        let client = try await Client.connect(cluster.routerConfiguration, logger: TestDatabase.logger)
        let queue = TestDatabase.uniqueName("pyq")
        _ = try await client.defineQueue(Queue(queue))
        try await runOperatePy(queue: queue, client: client,
                               environment: ["DATABASE_URL": cluster.router, "STEADFAST_SHARDS": cluster.shards.joined(separator: " ")],
                               sharded: true) { workflowID in
            // The messages are on the receiver's shard, and there only.
            let holding = try await cluster.shardsHolding(table: "messages", column: "workflow_id", value: workflowID)
            #expect(try await holding == [cluster.shardOf(workflowID)])
            return holding.count
        }
        await client.close()
    }

    /// Runs operate.py with the demo's python worker (both with `environment` over the test
    /// database's `DATABASE_URL`) and checks what it printed and what `client` then reads;
    /// `messages(id)` counts the messages stored for a workflow. Through a router (`sharded`)
    /// the script cannot read the DBA's view of the stored trace context, which is not checked.
    private func runOperatePy(queue: String, client: Client, environment: [String: String], sharded: Bool = false,
                              messages: (String) async throws -> Int) async throws {
        let python = try CommandLineTool.python()
        let check = try await python.run(["-c", "import psycopg; print(psycopg.__version__)"])
        try #require(check.status == 0, "psycopg is missing: pip install 'psycopg[binary]' (scripts/test.sh does) — \(check.stderr)")

        // The worker the repository provides for the example, as its docstring says to run it.
        let worker = try await CommandLineTool(executable: try CommandLineTool.builtProduct("steadfast-demo"))
            .start(["python-worker", queue], environment: environment, readyLine: "ready")
        let prefix = TestDatabase.uniqueName("py")
        let script = CommandLineTool.packageRoot.appendingPathComponent("examples/python/operate.py").path
        let result: CommandLineTool.Result
        do {
            result = try await python.run([script], environment: environment.merging(["STEADFAST_QUEUE": queue, "STEADFAST_PREFIX": prefix]) { $1 })
        } catch {
            await worker.terminate()
            throw error
        }
        await worker.terminate()
        #expect(result.status == 0, "\(result.stderr)")

        var events: [String: [String: Any]] = [:]
        for line in result.stdout.split(separator: "\n") {
            let object = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
            events[try #require(object["event"] as? String)] = object
        }
        #expect(events["result"]?["status"] as? String == "succeeded")
        let traceparent = try #require(events["started"]?["traceparent"] as? String)
        if !sharded {
            #expect(events["result"]?["traceparent"] as? String == traceparent, "the caller's trace context is stored with the workflow")
        }
        let output = events["result"]?["output"] as? [String: Any]
        #expect(output?["greeting"] as? String == "Hello, Ada!" && output?["letters"] as? Int == 3,
                "the Swift worker's typed output, read as plain JSON")
        #expect((events["listed"]?["workflows"] as? [[String: String]])?.map { $0["workflow_id"] } == ["\(prefix)-greet"])
        #expect((events["cancelled"]?["workflows"] as? [[String: String]])?.first?["previous_status"] == "running")
        #expect(events["after_cancel"]?["status"] as? String == "cancelled")
        #expect((events["after_cancel"]?["error"] as? [String: String])?["message"] == "no time for a nap")
        #expect(events["forked"]?["copied_steps"] as? Int == 2)
        #expect(events["fork_result"]?["status"] as? String == "succeeded")
        #expect(events["fork_result"]?["forked_at_step"] as? Int == 3)
        #expect(events["error"]?["sqlstate"] as? String == "SF001", "a step past the end: the documented SQLSTATE")

        // Talking to a running workflow: the message woke it, the retried send stored nothing,
        // the event changed, and the stream was read in two parts, resumed at offset 2.
        let approval = try #require(events["approval"])
        #expect(approval["status_before"] as? String == "waiting for a decision")
        #expect(approval["sent"] as? Bool == true && approval["resent"] as? Bool == false)
        #expect(approval["status_after"] as? String == "approved by py" && approval["output"] as? String == "approved by py")
        #expect(approval["first"] as? [Int] == [0, 1] && approval["rest"] as? [Int] == [2, 3, 4])
        #expect((approval["log"] as? [String])?.last == "refund 42: step 5 of 5")

        // What the script did, as the database saw it.
        let forkSteps = try await client.steps("\(prefix)-order/fork")
        #expect(forkSteps.map(\.key) == ["reserve", "charge", "ship"])
        #expect(forkSteps.map(\.attempt) == [1, 1, 1] && forkSteps[2].startedAt != nil, "steps 1 and 2 copied, 3 run again")
        #expect(try await client.workflow("\(prefix)-order/fork").forkedFrom == "\(prefix)-order")
        #expect(try await client.workflow("\(prefix)-nap").status == .cancelled)
        #expect(try await messages("\(prefix)-approve") == 1)
    }
}
