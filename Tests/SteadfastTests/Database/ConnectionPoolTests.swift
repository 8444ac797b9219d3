import Foundation
import Testing

@testable import Steadfast

extension DatabaseTests {
    @Suite("ConnectionPool")
    struct ConnectionPoolTests {
        /// How many backends with this application_name the server has.
        private func serverConnectionCount(_ applicationName: String, observer: Connection) async throws -> Int {
            try await observer.query(
                "select count(*) as n from pg_stat_activity where application_name = $1",
                [applicationName]
            ).first?.int("n") ?? 0
        }

        @Test("never opens more than maximumConnections; extra callers wait their turn")
        func sizeRespected() async throws {
            let name = TestDatabase.uniqueName("sf_pool")
            let pool = ConnectionPool(configuration: try await TestDatabase.configuration(maximumConnections: 3, applicationName: name), logger: TestDatabase.logger)
            let observer = try await TestDatabase.connect()

            let clock = ContinuousClock()
            let start = clock.now
            let work = Task {
                try await withThrowingTaskGroup(of: Void.self) { group in
                    for _ in 0..<8 {
                        group.addTask {
                            try await pool.withConnection { connection in
                                _ = try await connection.query("select pg_sleep(0.3)")
                            }
                        }
                    }
                    try await group.waitForAll()
                }
            }
            var maxSeen = 0
            var maxWaiting = 0
            while clock.now - start < .milliseconds(700) {
                maxSeen = max(maxSeen, try await serverConnectionCount(name, observer: observer))
                maxWaiting = max(maxWaiting, await pool.waitingCount)
                #expect(await pool.openConnectionCount <= 3)
                try await Task.sleep(for: .milliseconds(30))
            }
            try await work.value
            let elapsed = clock.now - start

            #expect(maxSeen == 3, "the server saw at most \(maxSeen) connections")
            #expect(maxWaiting > 0, "callers queued for a connection")
            // 8 sleeps of 0.3 s, 3 at a time: 3 rounds.
            #expect(elapsed >= .milliseconds(900), "took \(elapsed)")
            #expect(await pool.openConnectionCount == 3)
            #expect(await pool.idleConnectionCount == 3)
            #expect(await pool.waitingCount == 0)

            await pool.close()
            try await Task.sleep(for: .milliseconds(100))
            #expect(try await serverConnectionCount(name, observer: observer) == 0)
            await observer.close()
        }

        @Test("a waiting caller gets the connection as soon as it is given back")
        func waiterGetsConnection() async throws {
            let pool = ConnectionPool(configuration: try await TestDatabase.configuration(maximumConnections: 1), logger: TestDatabase.logger)
            let clock = ContinuousClock()
            let (stream, released) = AsyncStream.makeStream(of: ContinuousClock.Instant.self)
            let (acquired, signal) = AsyncStream.makeStream(of: Void.self)
            let holder = Task {
                try await pool.withConnection { connection in
                    signal.yield()
                    try await connection.query("select pg_sleep(0.3)")
                    released.yield(clock.now)
                    return await connection.backendPID
                }
            }
            for await _ in acquired { break }
            let waiter = Task {
                try await pool.withConnection { connection in
                    (clock.now, await connection.backendPID)
                }
            }
            try await waitUntil { await pool.waitingCount == 1 }

            let holderPID = try await holder.value
            let (acquiredAt, waiterPID) = try await waiter.value
            var iterator = stream.makeAsyncIterator()
            let releasedAt = try #require(await iterator.next())
            #expect(acquiredAt >= releasedAt)
            #expect(acquiredAt - releasedAt < .milliseconds(200))
            #expect(waiterPID == holderPID, "the same connection was handed over")
            await pool.close()
        }

        @Test("a waiting caller whose task is cancelled stops waiting")
        func cancelledWaiter() async throws {
            let pool = ConnectionPool(configuration: try await TestDatabase.configuration(maximumConnections: 1), logger: TestDatabase.logger)
            let (acquired, signal) = AsyncStream.makeStream(of: Void.self)
            let holder = Task {
                try await pool.withConnection { connection in
                    signal.yield()
                    return try await connection.query("select pg_sleep(0.5)")
                }
            }
            for await _ in acquired { break }
            let waiter = Task {
                try await pool.withConnection { _ in }
            }
            try await waitUntil { await pool.waitingCount == 1 }
            waiter.cancel()
            await #expect(throws: CancellationError.self) { try await waiter.value }
            #expect(await pool.waitingCount == 0)
            _ = try await holder.value
            // The pool is still fine.
            #expect(try await pool.query("select 1 as one").first?.int("one") == 1)
            await pool.close()
        }

        @Test("a backend killed while idle is replaced transparently")
        func killedWhileIdle() async throws {
            let pool = ConnectionPool(configuration: try await TestDatabase.configuration(maximumConnections: 1), logger: TestDatabase.logger)
            let firstPID = try #require(try await pool.query("select pg_backend_pid() as pid").first?.int("pid"))
            try await TestDatabase.terminateBackend(Int32(firstPID))

            let secondPID = try #require(try await pool.query("select pg_backend_pid() as pid").first?.int("pid"))
            #expect(secondPID != firstPID)
            #expect(await pool.openConnectionCount == 1)
            await pool.close()
        }

        @Test("a backend killed during use fails that call with .connectionLost; the pool replaces the connection")
        func killedDuringUse() async throws {
            let pool = ConnectionPool(configuration: try await TestDatabase.configuration(maximumConnections: 2), logger: TestDatabase.logger)
            let error = await expectSteadfastError(.connectionLost) {
                try await pool.withConnection { connection in
                    try await TestDatabase.terminateBackend(await connection.backendPID)
                    try await connection.query("select 1")
                }
            }
            #expect(error != nil)
            #expect(await pool.openConnectionCount == 0, "the broken connection was discarded")

            // Subsequent calls succeed, on a new connection, concurrently up to the limit.
            try await withThrowingTaskGroup(of: Int.self) { group in
                for index in 0..<6 {
                    group.addTask {
                        try await pool.query("select $1::int as i", [String(index)]).first?.int("i") ?? -1
                    }
                }
                let results = try await group.reduce(into: Set<Int>()) { $0.insert($1) }
                #expect(results == Set(0..<6))
            }
            #expect(await pool.openConnectionCount <= 2)

            // A connection killed in the middle of a running statement.
            let killer = Task {
                try await Task.sleep(for: .milliseconds(100))
                let pids = try await TestDatabase.connect().query(
                    "select pid from pg_stat_activity where query = 'select pg_sleep(5) /* doomed */'"
                )
                for row in pids {
                    try await TestDatabase.terminateBackend(Int32(try row.int("pid")))
                }
                return pids.count
            }
            await expectSteadfastError(.connectionLost) {
                try await pool.query("select pg_sleep(5) /* doomed */")
            }
            #expect(try await killer.value == 1)
            #expect(try await pool.query("select 2 as two").first?.int("two") == 2)
            await pool.close()
        }

        @Test("a connection given back inside a transaction is rolled back first")
        func leftInTransaction() async throws {
            struct Boom: Error {}
            let pool = ConnectionPool(configuration: try await TestDatabase.configuration(maximumConnections: 1), logger: TestDatabase.logger)
            let table = TestDatabase.uniqueName("sf_pool_tx")
            try await pool.query("create table \(table) (v int)")
            await #expect(throws: Boom.self) {
                try await pool.withConnection { connection in
                    try await connection.execute("begin; insert into \(table) values (1)")
                    throw Boom()
                }
            }
            let count = try await pool.withConnection { connection in
                #expect(await connection.isInTransaction == false)
                return try await connection.query("select count(*) as n from \(table)").first?.int("n")
            }
            #expect(count == 0)
            try await pool.query("drop table \(table)")
            await pool.close()
        }

        @Test("a closed pool refuses work with .shutdown; waiting callers are released")
        func closing() async throws {
            let pool = ConnectionPool(configuration: try await TestDatabase.configuration(maximumConnections: 1), logger: TestDatabase.logger)
            let (acquired, signal) = AsyncStream.makeStream(of: Void.self)
            let holder = Task {
                try await pool.withConnection { connection in
                    signal.yield()
                    return try await connection.query("select pg_sleep(0.3)")
                }
            }
            for await _ in acquired { break }
            let waiter = Task { try await pool.query("select 1") }
            try await waitUntil { await pool.waitingCount == 1 }
            await pool.close()
            await expectSteadfastError(.shutdown) { _ = try await waiter.value }
            _ = try await holder.value
            #expect(await pool.openConnectionCount == 0)
            await expectSteadfastError(.shutdown) { try await pool.query("select 1") }
        }

        @Test("an unreachable server fails with .connectionFailed and frees the slot")
        func unreachable() async throws {
            var configuration = try await TestDatabase.configuration(maximumConnections: 1)
            configuration.parameterOverrides = [("dbname", "steadfast_no_such_database")]
            let pool = ConnectionPool(configuration: configuration, logger: TestDatabase.logger)
            for _ in 0..<2 {
                await expectSteadfastError(.connectionFailed) { try await pool.query("select 1") }
            }
            #expect(await pool.openConnectionCount == 0)
            await pool.close()
        }
    }
}
