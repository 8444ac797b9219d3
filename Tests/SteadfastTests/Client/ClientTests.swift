import Foundation
import Testing

@testable import Steadfast

struct Greet: Workflow {
    struct Input: Codable, Sendable { var name: String }
    func run(_ input: Input, context: WorkflowContext) async throws -> String {
        try await context.step("greet") { "hello \(input.name)" }
    }
}

struct Other: Workflow {
    struct Input: Codable, Sendable {}
    func run(_ input: Input, context: WorkflowContext) async throws -> Int { 1 }
}

struct AlwaysFails: Workflow {
    struct Input: Codable, Sendable {}
    struct Nope: Error {}
    let runs: Runs
    func run(_ input: Input, context: WorkflowContext) async throws -> Int {
        runs.hit("run")
        throw Nope()
    }
}

@Suite("Client", .serialized)
struct ClientTests {
    @Test("starting the same id twice returns the same workflow; another workflow name is a typed error")
    func idempotentStart() async throws {
        let fixture = try await EngineFixture()
        let client = try await fixture.client()
        let id = TestDatabase.uniqueName("order")
        let first = try await client.start(Greet.self, .init(name: "a"), options: StartOptions(id: id, queue: fixture.queue))
        let second = try await client.start(Greet.self, .init(name: "b"), options: StartOptions(id: id, queue: fixture.queue))
        #expect(first.id == id && second.id == id)
        #expect(first.created && !second.created)
        let record = try await client.workflow(id)
        #expect(record.inputJSON == #"{"name": "a"}"#)
        await expectSteadfastError(.workflowConflict) {
            _ = try await client.start(Other.self, .init(), options: StartOptions(id: id, queue: fixture.queue))
        }
        #expect(try await client.list(queue: fixture.queue).map(\.id) == [id])
        await client.close()
        await fixture.close()
    }

    @Test("bad input is a typed error: unknown queue, unknown workflow")
    func badInput() async throws {
        let fixture = try await EngineFixture()
        let client = try await fixture.client()
        await expectSteadfastError(.notFound) {
            _ = try await client.start(Greet.self, .init(name: "x"), options: StartOptions(queue: TestDatabase.uniqueName("nope")))
        }
        await expectSteadfastError(.notFound) {
            _ = try await client.workflow(TestDatabase.uniqueName("missing"))
        }
        await client.close()
        await fixture.close()
    }

    @Test("waiting for a result is woken by NOTIFY, not by the 5-second safety poll")
    func resultByNotify() async throws {
        let fixture = try await EngineFixture()
        let client = try await fixture.client()
        let ghost = try await fixture.ghostExecutor()
        let handle = try await client.start(Greet.self, .init(name: "n"), options: StartOptions(queue: fixture.queue))
        let waiting = Task { try await handle.result(timeout: .seconds(60)) }
        // A waiter of the client's, registered like result()'s: the completion's notification
        // rings it. It waits an hour for the ring — no poll can end that wait, only the
        // notification (or the test's hang-stopper, which records a failure).
        let rung = try await client.watching(handle.id) { wait in
            #expect(try await handle.status() == .enqueued)
            let claimed = try await ghost.claim()
            try await fixture.engine.complete(workflowID: handle.id, attempt: claimed[0].attempt, outputJSON: #""done""#)
            return await withoutActuallyEscaping(wait) { wait in
                await withTaskGroup(of: Bool.self) { group in
                    group.addTask { await wait(.seconds(3600)); return !Task.isCancelled }
                    group.addTask { try? await Task.sleep(for: .seconds(60)); return false }  // hang-stopper
                    let first = await group.next() ?? false
                    group.cancelAll()
                    return first
                }
            }
        }
        #expect(rung, "the steadfast_finished notification woke the client's waiter")
        #expect(try await waiting.value == "done")
        await ghost.session.close()
        await client.close()
        await fixture.close()
    }

    @Test("a failed workflow's result throws its error; a retry policy runs it again until attempts run out")
    func failureAndRetry() async throws {
        let fixture = try await EngineFixture()
        let client = try await fixture.client()
        let runs = Runs()
        let (_, task) = fixture.startWorker { $0.register(AlwaysFails(runs: runs)) }
        let handle = try await client.start(AlwaysFails.self, .init(), options: StartOptions(
            queue: fixture.queue, retry: .fixed(maxAttempts: 3, delay: .milliseconds(10))))
        do {
            _ = try await handle.result(timeout: .seconds(60))
            Issue.record("expected a failure")
        } catch let error as WorkflowFailedError {
            #expect(error.status == .failed)
            #expect(error.error?.type.hasSuffix("Nope") == true)
        }
        task.cancel()
        _ = try? await task.value
        #expect(runs.count("run") == 3)
        #expect(try await client.workflow(handle.id).retryCount == 2)
        await client.close()
        await fixture.close()
    }

    @Test("a client refuses a database whose schema is newer than it understands: a breaking migration lies in between")
    func schemaTooNew() async throws {
        try await TestDatabase.withThrowawayDatabase { configuration in
            try await Migrator(configuration: configuration, logger: TestDatabase.logger).migrate()
            let connection = try await Connection.connect(configuration)
            _ = try await connection.query("insert into steadfast.schema_migrations (version, name, breaking) values (100000, 'from_the_future', true)")
            await connection.close()
            await expectSteadfastError(.schemaTooNew) {
                _ = try await Client.connect(configuration, logger: TestDatabase.logger)
            }
        }
    }
}
