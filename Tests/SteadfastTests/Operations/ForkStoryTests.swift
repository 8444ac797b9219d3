import Foundation
import Testing

@testable import Steadfast

/// The README's fork story, end to end: a bug fails a workflow at step 3; the fix is deployed as
/// a new version; `steadfast workflows fork <id> --from-step 3` runs a new workflow that reuses
/// steps 1–2's recorded outputs — their side effects do not happen again — and succeeds.
@Suite("The fork story", .serialized)
struct ForkStoryTests {
    @Test("fail at step 3, fix the code, fork from step 3 with the CLI: steps 1–2 are not run again and the fork succeeds")
    func forkFromTheFailingStep() async throws {
        let fixture = try await EngineFixture()
        let client = try await fixture.client()
        let effects = Runs()

        // Version 1 has the bug: step 3 ("ship") throws.
        let v1 = Worker(database: fixture.configuration,
                        configuration: .init(queues: [fixture.queue], pollInterval: .milliseconds(100), appVersion: "v1"),
                        logger: TestDatabase.logger)
        v1.register(Fulfil(runs: effects, buggy: true))
        let v1Task = Task { try await v1.run() }
        let order = try await client.start(Fulfil.self, .init(order: "A-17"),
                                           options: StartOptions(id: TestDatabase.uniqueName("order"), queue: fixture.queue,
                                                                 appVersion: "v1"))
        do {
            _ = try await order.result(timeout: .seconds(60))
            Issue.record("version 1 has the bug")
        } catch let failure as WorkflowFailedError {
            #expect(failure.status == .failed && failure.error?.message.contains("step 'ship' failed") == true)
        }
        let failedSteps = try await client.steps(order.id)
        #expect(failedSteps.map(\.key) == ["reserve", "charge", "ship"])
        let stepError: String? = failedSteps[2].error?.message
        #expect(stepError == "shipment label off by one")
        #expect([effects.count("reserve"), effects.count("charge"), effects.count("ship")] as [Int] == [1, 1, 1])
        v1Task.cancel()
        _ = try? await v1Task.value

        // Version 2 fixes it.
        let v2 = Worker(database: fixture.configuration,
                        configuration: .init(queues: [fixture.queue], pollInterval: .milliseconds(100), appVersion: "v2"),
                        logger: TestDatabase.logger)
        v2.register(Fulfil(runs: effects, buggy: false))
        let v2Task = Task { try await v2.run() }
        let original = try await client.workflow(order.id)

        let fork = try await CommandLineTool.steadfast().run(
            ["workflows", "fork", order.id, "--from-step", "3", "--app-version", "v2", "--wait", "--timeout", "30s", "--json"])
        #expect(fork.status == 0, "\(fork.stderr)")
        let forked = try #require(try fork.json() as? [String: Any])
        let forkID = try #require(forked["workflow_id"] as? String)
        #expect(forked["status"] as? String == "succeeded")
        #expect(forked["output"] as? [String: String] == ["reservation": "r-A-17", "charge": "ch-A-17", "shipment": "s-A-17"])
        #expect(forked["forked_from"] as? String == order.id && forked["forked_at_step"] as? Int == 3)

        // Steps 1–2 were replayed from the record: their side effects happened once in all.
        #expect(effects.count("reserve") == 1, "reserve did not run again")
        #expect(effects.count("charge") == 1, "charge did not run again: the customer is not charged twice")
        #expect(effects.count("ship") == 2, "ship ran again, with the fix")
        let forkSteps = try await client.steps(forkID)
        #expect(forkSteps.map(\.key) == ["reserve", "charge", "ship"])
        #expect(forkSteps[0].completedAt == failedSteps[0].completedAt && forkSteps[1].outputJSON == failedSteps[1].outputJSON,
                "the first two are the original's records")
        #expect(forkSteps[2].error == nil && forkSteps[2].outputJSON == #""s-A-17""#)

        // The original is left as it was, for the record.
        let after = try await client.workflow(order.id)
        #expect(after.status == .failed && after.attempt == original.attempt && after.updatedAt == original.updatedAt)
        #expect(try await client.list(WorkflowFilter(forkedFrom: order.id)).map(\.id) == [forkID])

        v2Task.cancel()
        _ = try? await v2Task.value
        await client.close()
        await fixture.close()
    }
}
