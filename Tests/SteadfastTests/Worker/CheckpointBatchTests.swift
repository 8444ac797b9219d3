import Foundation
import Testing

@testable import Steadfast

/// The worker's group commit (CheckpointBatcher, `record_batch`): concurrent executions'
/// writes share transactions, and each caller still gets its own write's outcome.
@Suite("Checkpoint batching")
struct CheckpointBatchTests {
    /// `count` workflows of the fixture's queue, started and claimed by a ghost executor.
    static func running(_ count: Int, in fixture: EngineFixture) async throws -> (GhostExecutor, [ClaimedWorkflow]) {
        let ghost = try await fixture.ghostExecutor()
        for n in 0..<count {
            _ = try await fixture.engine.start(id: "\(fixture.queue)-\(n)", name: "batched", inputJSON: "{}",
                                               options: ["queue": .string(fixture.queue)])
        }
        let claimed = try await ghost.claim(limit: count)
        #expect(claimed.count == count)
        return (ghost, claimed)
    }

    static func step(_ workflow: ClaimedWorkflow, name: String = "s", attempt: Int? = nil, output: String) -> StepRecord {
        StepRecord(workflowID: workflow.id, attempt: attempt ?? workflow.attempt, name: name, occurrence: 1,
                   outputJSON: output, error: nil, startedAt: Date(), runs: 1, parallel: false)
    }

    /// Records `step(workflow)` for every workflow at once through `engine`; the error code
    /// each write ended with (nil: written), by workflow id.
    static func recordAll(_ claimed: [ClaimedWorkflow], with engine: Engine,
                          _ step: @escaping @Sendable (ClaimedWorkflow) -> StepRecord) async -> [String: SteadfastError.Code?] {
        await withTaskGroup(of: (String, SteadfastError.Code?).self) { group in
            for workflow in claimed {
                group.addTask {
                    do {
                        try await engine.recordStep(step(workflow))
                        return (workflow.id, nil)
                    } catch let error as SteadfastError {
                        return (workflow.id, error.code)
                    } catch {
                        return (workflow.id, .queryFailed)
                    }
                }
            }
            return await group.reduce(into: [String: SteadfastError.Code?]()) { $0[$1.0] = $1.1 }
        }
    }

    @Test("concurrent checkpoints share transactions; a fenced write is refused alone")
    func shareTransactions() async throws {
        let fixture = try await EngineFixture()
        let (ghost, claimed) = try await Self.running(60, in: fixture)
        let batched = fixture.engine.batchingCheckpoints(inFlight: 1)
        let fencedID = claimed[17].id
        let outcomes = await Self.recordAll(claimed, with: batched) { workflow in
            Self.step(workflow, attempt: workflow.id == fencedID ? workflow.attempt + 5 : nil, output: "\"\(workflow.id)\"")
        }
        #expect(outcomes.count == 60)
        #expect(outcomes[fencedID] == .some(.fenced), "the stale attempt's write is refused as fenced")
        #expect(outcomes.filter { $0.key != fencedID && $0.value != nil }.isEmpty, "every other write applied")

        let ids = claimed.map(\.id)
        let rows = try await fixture.pool.query("""
            select count(*) as steps, count(distinct xmin::text) as transactions,
                   count(*) filter (where output = to_jsonb(workflow_id)) as right_output
            from steadfast.steps where workflow_id = any($1::text[])
            """, [Engine.textArray(ids)])
        #expect(try rows[0].int("steps") == 59)
        #expect(try rows[0].int("right_output") == 59, "each write recorded its own workflow's output")
        let transactions = try rows[0].int("transactions")
        #expect(transactions < 20, "59 checkpoints written in \(transactions) transactions")

        // Completions go the same way.
        try await withThrowingTaskGroup(of: Void.self) { group in
            for workflow in claimed {
                group.addTask { try await batched.complete(workflowID: workflow.id, attempt: workflow.attempt, outputJSON: "1") }
            }
            try await group.waitForAll()
        }
        #expect(try await fixture.statusCounts() == [.succeeded: 60])
        await ghost.session.close()
        await fixture.close()
    }

    @Test("a batch that fails as a whole is written again one write at a time")
    func fallBack() async throws {
        let fixture = try await EngineFixture()
        let (ghost, claimed) = try await Self.running(30, in: fixture)
        let batched = fixture.engine.batchingCheckpoints(inFlight: 1)
        let badID = claimed[9].id
        // A step name with '#' makes record_batch fail whole (SF005): the others must still land.
        let outcomes = await Self.recordAll(claimed, with: batched) { workflow in
            Self.step(workflow, name: workflow.id == badID ? "bad#name" : "s", output: "1")
        }
        #expect(outcomes[badID] == .some(.invalidArgument), "the bad write gets its own error")
        #expect(outcomes.filter { $0.key != badID && $0.value != nil }.isEmpty, "the others were written")
        let steps = try await fixture.pool.query("select count(*) as n from steadfast.steps where workflow_id = any($1::text[])",
                                                 [Engine.textArray(claimed.map(\.id))])
        #expect(try steps[0].int("n") == 29)
        await ghost.session.close()
        await fixture.close()
    }
}
