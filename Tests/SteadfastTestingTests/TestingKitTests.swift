import Foundation
import Steadfast
import SteadfastTesting
import Synchronization
import Testing

/// Counts step bodies that really ran.
final class Calls: Sendable {
    private let counts = Mutex<[String: Int]>([:])
    func hit(_ key: String) { counts.withLock { $0[key, default: 0] += 1 } }
    func count(_ key: String) -> Int { counts.withLock { $0[key] ?? 0 } }
}

struct Order: Workflow {
    struct Input: Codable, Sendable { var amount: Int }
    struct Receipt: Codable, Sendable, Equatable { var charge: String; var shipment: String }
    let calls: Calls
    func run(_ input: Input, context: WorkflowContext) async throws -> Receipt {
        let charge: String = try await context.step("charge") { calls.hit("charge"); return "ch-\(input.amount)" }
        let shipment: String = try await context.step("ship") { calls.hit("ship"); return "sh-1" }
        try await context.step("email") { calls.hit("email") }
        return Receipt(charge: charge, shipment: shipment)
    }
}

struct Flaky: Workflow {
    struct Input: Codable, Sendable {}
    struct Down: Error {}
    let calls: Calls
    func run(_ input: Input, context: WorkflowContext) async throws -> String {
        calls.hit("run")
        if calls.count("run") < 3 { throw Down() }
        return "up"
    }
}

@Suite("SteadfastTesting")
struct TestingKitTests {
    @Test("run executes a workflow to completion and its steps are recorded")
    func runToEnd() async throws {
        let env = try await SteadfastTestEnvironment.make()
        let calls = Calls()
        let run = try await env.run(Order(calls: calls), .init(amount: 5))
        #expect(try run.output() == .init(charge: "ch-5", shipment: "sh-1"))
        #expect(run.executedSteps == ["charge", "ship", "email"])
        #expect(run.replayedSteps.isEmpty)
        #expect(try await env.recordedSteps(run.workflowID) == ["charge", "ship", "email"])
        #expect(try await env.workflow(run.workflowID).status == .succeeded)
        await env.close()
    }

    @Test("replacing stubs a step's code: its given result is recorded instead")
    func replacing() async throws {
        let env = try await SteadfastTestEnvironment.make()
        let calls = Calls()
        let run = try await env.run(Order(calls: calls), .init(amount: 5), replacing: ["charge": "ch-stub"])
        #expect(try run.output().charge == "ch-stub")
        #expect(calls.count("charge") == 0)
        #expect(calls.count("ship") == 1)
        #expect(try await env.workflow(run.workflowID).steps.first?.outputJSON == #""ch-stub""#)
        await env.close()
    }

    @Test("preRecorded steps are replayed as if an earlier execution had run them")
    func preRecorded() async throws {
        let env = try await SteadfastTestEnvironment.make()
        let calls = Calls()
        let run = try await env.run(Order(calls: calls), .init(amount: 5), preRecorded: ["ship": "sh-recorded"])
        #expect(try run.output().shipment == "sh-recorded")
        #expect(run.replayedSteps == ["ship"])
        #expect(run.executedSteps == ["charge", "email"])
        #expect(calls.count("ship") == 0)
        await env.close()
    }

    @Test("crash injection: die after step N, resume on another executor, only the rest runs")
    func crashAndResume() async throws {
        let env = try await SteadfastTestEnvironment.make()
        let calls = Calls()
        let crashed = try await env.run(Order(calls: calls), .init(amount: 9), crashAfterStep: 2)
        guard case .crashed = crashed.outcome else { Issue.record("expected a crash, got \(crashed.outcome)"); return }
        #expect(crashed.executedSteps == ["charge", "ship"])
        #expect(try await env.workflow(crashed.workflowID).status == .running, "held by a dead executor")

        let resumed = try await env.resume(Order(calls: calls), id: crashed.workflowID)
        #expect(try resumed.output() == .init(charge: "ch-9", shipment: "sh-1"))
        #expect(resumed.attempt == 2)
        #expect(resumed.replayedSteps == ["charge", "ship"])
        #expect(resumed.executedSteps == ["email"])
        #expect(calls.count("charge") == 1 && calls.count("ship") == 1 && calls.count("email") == 1)
        await env.close()
    }

    @Test("the fake clock drives retry delays: not claimable before, claimable at the retry time")
    func fakeClockRetries() async throws {
        let start = Date(timeIntervalSince1970: 1_900_000_000)
        let env = try await SteadfastTestEnvironment.make(fakeTime: start)
        let calls = Calls()
        let options = StartOptions(retry: .fixed(maxAttempts: 5, delay: .seconds(600)))
        let first = try await env.run(Flaky(calls: calls), .init(), options: options)
        guard case .failed(_, willRetry: true) = first.outcome else { Issue.record("\(first.outcome)"); return }
        // Ten minutes have not passed on the fake clock: the retry is not due.
        await #expect(throws: TestRunError.self) { _ = try await env.resume(Flaky(calls: calls), id: first.workflowID) }
        try await env.clock.advance(by: .seconds(600))
        let second = try await env.resume(Flaky(calls: calls), id: first.workflowID)
        guard case .failed(_, willRetry: true) = second.outcome else { Issue.record("\(second.outcome)"); return }

        let runs = try await env.runToCompletion(Flaky(calls: Calls()), .init(), options: options)
        #expect(runs.count == 3)
        #expect(try runs.last?.output() == "up")
        #expect(try await env.clock.now() == start.addingTimeInterval(600 + 1200), "advanced to each retry time, no sleeping")
        await env.close()
    }

    @Test("without DATABASE_URL the kit starts its own PostgreSQL from the installed binaries")
    func localServer() async throws {
        let local = try SteadfastTestServer.startLocal(stopAtExit: false)
        defer { local.stop() }
        let env = try await SteadfastTestEnvironment.make(server: local.server)
        let run = try await env.run(Order(calls: Calls()), .init(amount: 1))
        #expect(try run.output().charge == "ch-1")
        await env.close()
    }

    @Test("environments are separate databases: suites can run in parallel")
    func isolation() async throws {
        let a = try await SteadfastTestEnvironment.make()
        let b = try await SteadfastTestEnvironment.make()
        let run = try await a.run(Order(calls: Calls()), .init(amount: 1), id: "same-id")
        _ = try await b.run(Order(calls: Calls()), .init(amount: 2), id: "same-id")
        #expect(try await a.workflow(run.workflowID).inputJSON == #"{"amount": 1}"#)
        #expect(try await b.workflow("same-id").inputJSON == #"{"amount": 2}"#)
        await a.close()
        await b.close()
    }
}
