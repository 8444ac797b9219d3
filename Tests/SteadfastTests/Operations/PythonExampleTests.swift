import Foundation
import Testing

@testable import Steadfast

/// The workflow examples/python/operate.py starts by name, with a typed JSON result.
struct Greeting: Workflow {
    static var name: String { "greet" }
    struct Input: Codable, Sendable { var name: String }
    struct Output: Codable, Sendable { var greeting: String; var letters: Int }
    func run(_ input: Input, context: WorkflowContext) async throws -> Output {
        let greeting: String = try await context.step("compose") { "Hello, \(input.name)!" }
        return Output(greeting: greeting, letters: input.name.count)
    }
}

/// A service in another language, for real: examples/python/operate.py (psycopg 3, SQL
/// functions only) against Swift workers in this process.
@Suite("Python service example", .serialized)
struct PythonExampleTests {
    @Test("examples/python/operate.py starts, awaits, lists, cancels and forks workflows that a Swift worker runs")
    func operatePy() async throws {
        let python = try CommandLineTool.python()
        let check = try await python.run(["-c", "import psycopg; print(psycopg.__version__)"])
        try #require(check.status == 0, "psycopg is missing: pip install 'psycopg[binary]' (scripts/test.sh does) — \(check.stderr)")

        let fixture = try await EngineFixture()
        let client = try await fixture.client()
        let runs = Runs()
        let (_, task) = fixture.startWorker {
            $0.register(Greeting())
            $0.register(Nap(runs: runs))
            $0.register(Fulfil(runs: runs, buggy: false))
        }
        let prefix = TestDatabase.uniqueName("py")
        let script = CommandLineTool.packageRoot.appendingPathComponent("examples/python/operate.py").path
        let result = try await python.run([script], environment: ["STEADFAST_QUEUE": fixture.queue, "STEADFAST_PREFIX": prefix])
        #expect(result.status == 0, "\(result.stderr)")

        var events: [String: [String: Any]] = [:]
        for line in result.stdout.split(separator: "\n") {
            let object = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
            events[try #require(object["event"] as? String)] = object
        }
        #expect(events["result"]?["status"] as? String == "succeeded")
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

        // What the script did, as the database and the worker saw it.
        #expect(runs.count("cancelled") == 1, "the cancellation reached the running step")
        #expect(runs.count("reserve") == 1 && runs.count("charge") == 1 && runs.count("ship") == 2,
                "the fork reused steps 1 and 2 and ran step 3 again")
        let typed = try await client.handle(Greeting.self, id: "\(prefix)-greet").result(timeout: .seconds(5))
        #expect(typed.greeting == "Hello, Ada!" && typed.letters == 3)
        #expect(try await client.workflow("\(prefix)-order-fork").forkedFrom == "\(prefix)-order")
        #expect(try await client.workflow("\(prefix)-nap").status == .cancelled)

        task.cancel()
        _ = try? await task.value
        await client.close()
        await fixture.close()
    }
}
