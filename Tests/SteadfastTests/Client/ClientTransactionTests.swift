import Foundation
import Testing

@testable import Steadfast

/// `Client.withTransaction`: the application's writes and the workflows it starts commit or
/// roll back together (the transactional outbox).
@Suite("Client transactions (the outbox)", .serialized)
struct ClientTransactionTests {
    struct Boom: Error {}

    @Test("committed: the business row and the workflow both exist, and a worker runs it; thrown: neither exists, nothing runs")
    func outbox() async throws {
        let fixture = try await EngineFixture()
        let client = try await fixture.client()
        let table = TestDatabase.uniqueName("orders")
        _ = try await fixture.pool.query("create table \(table) (id text primary key, cart int not null)")
        let runs = Runs()
        let (_, task) = fixture.startWorker({ $0.register(TwoSteps(runs: runs)) }, poll: .milliseconds(50))

        // Rolled back: the closure throws after both writes.
        let rolledBack = TestDatabase.uniqueName("order")
        await #expect(throws: Boom.self) {
            try await client.withTransaction { tx in
                try await tx.query("insert into \(table) (id, cart) values ($1, $2::int)", [rolledBack, "41"])
                _ = try await tx.start(TwoSteps.self, .init(x: 1), options: StartOptions(id: rolledBack, queue: fixture.queue))
                throw Boom()
            }
        }
        // A statement the database refuses rolls back what came before it too.
        let refused = TestDatabase.uniqueName("order")
        await expectSteadfastError(.queryFailed) {
            try await client.withTransaction { tx in
                _ = try await tx.start(TwoSteps.self, .init(x: 2), options: StartOptions(id: refused, queue: fixture.queue))
                try await tx.query("insert into \(table) (id, cart) values ($1, $2::int)", [refused, "not a number"])
            }
        }
        // A start the engine refuses (unknown queue) rolls back the business row.
        let unknownQueue = TestDatabase.uniqueName("order")
        await expectSteadfastError(.notFound) {
            try await client.withTransaction { tx in
                try await tx.query("insert into \(table) (id, cart) values ($1, $2::int)", [unknownQueue, "43"])
                _ = try await tx.start(TwoSteps.self, .init(x: 3), options: StartOptions(id: unknownQueue, queue: "no-such-queue"))
            }
        }
        for id in [rolledBack, refused, unknownQueue] {
            await expectSteadfastError(.notFound) { _ = try await client.workflow(id) }
        }
        #expect(try await fixture.pool.query("select count(*) as n from \(table)")[0].int("n") == 0)

        // Committed: both, and the worker runs the workflow.
        let committed = TestDatabase.uniqueName("order")
        let handle = try await client.withTransaction(isolation: .serializable) { tx in
            try await tx.query("insert into \(table) (id, cart) values ($1, $2::int)", [committed, "44"])
            return try await tx.start(TwoSteps.self, .init(x: 4), options: StartOptions(id: committed, queue: fixture.queue))
        }
        #expect(handle.id == committed && handle.created)
        #expect(try await handle.result(timeout: .seconds(60)) == 50)
        #expect(try await fixture.pool.query("select count(*) as n from \(table)")[0].int("n") == 1)
        #expect(runs.count("a") == 1, "only the committed workflow ran")

        task.cancel()
        try? await task.value
        await client.close()
        await fixture.close()
    }
}
