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

            // Every caller's statement waits for a lock the test holds: the first three hold the
            // pool's connections until the test lets them go, the other five must queue.
            let key = String(Int64.random(in: 1...Int64.max))
            _ = try await observer.query("select pg_advisory_lock($1::bigint)", [key])
            let inBody = LockedValue((now: 0, most: 0))
            let finished = LockedValue(false)
            let work = Task {
                defer { finished.withLock { $0 = true } }
                try await withThrowingTaskGroup(of: Void.self) { group in
                    for _ in 0..<8 {
                        group.addTask {
                            try await pool.withConnection { connection in
                                inBody.withLock { $0.now += 1; $0.most = max($0.most, $0.now) }
                                defer { inBody.withLock { $0.now -= 1 } }
                                _ = try await connection.query("select pg_advisory_xact_lock_shared($1::bigint)", [key])
                            }
                        }
                    }
                    try await group.waitForAll()
                }
            }
            func blockedInServer() async throws -> Int {
                try await observer.query(
                    "select count(*) as n from pg_stat_activity where application_name = $1 and wait_event_type = 'Lock'",
                    [name])[0].int("n")
            }
            try await waitUntil(timeout: .seconds(30)) {
                let waiting = await pool.waitingCount
                return try await blockedInServer() == 3 && waiting == 5
            }
            #expect(try await serverConnectionCount(name, observer: observer) == 3, "the server sees exactly the pool's 3 connections")
            #expect(await pool.openConnectionCount == 3)
            #expect(inBody.withLock { $0.now } == 3, "three callers hold a connection, five wait for one")

            // Let them go: the five waiting take their turns on the same three connections.
            _ = try await observer.query("select pg_advisory_unlock($1::bigint)", [key])
            var maxSeen = 0
            while !finished.withLock({ $0 }) {
                maxSeen = max(maxSeen, try await serverConnectionCount(name, observer: observer))
                #expect(await pool.openConnectionCount <= 3)
                await Task.yield()
            }
            try await work.value

            #expect(maxSeen <= 3, "the server saw at most \(maxSeen) connections")
            #expect(inBody.withLock { $0.most } == 3, "never more than 3 callers at once")
            #expect(await pool.openConnectionCount == 3)
            #expect(await pool.idleConnectionCount == 3)
            #expect(await pool.waitingCount == 0)

            await pool.close()
            try await waitUntil(timeout: .seconds(30)) { try await serverConnectionCount(name, observer: observer) == 0 }
            await observer.close()
        }

        @Test("a waiting caller gets the connection as soon as it is given back")
        func waiterGetsConnection() async throws {
            let pool = ConnectionPool(configuration: try await TestDatabase.configuration(maximumConnections: 1), logger: TestDatabase.logger)
            let holderMayReturn = Gate()
            let (acquired, signal) = AsyncStream.makeStream(of: Void.self)
            let holder = Task {
                try await pool.withConnection { connection in
                    signal.yield()
                    await holderMayReturn.pass()
                    return await connection.backendPID
                }
            }
            for await _ in acquired { break }
            let waiterHas = Gate()
            let waiterMayReturn = Gate()
            let waiter = Task {
                try await pool.withConnection { connection in
                    let pid = await connection.backendPID
                    waiterHas.release()
                    await waiterMayReturn.pass()
                    return pid
                }
            }
            try await waitUntil(timeout: .seconds(30)) { await pool.waitingCount == 1 }

            holderMayReturn.release()
            let holderPID = try await holder.value
            // Given back, the connection went straight to the waiting caller: nobody waits, none
            // is idle, the one connection is lent out — and nothing polls to hand it over.
            #expect(await pool.waitingCount == 0)
            #expect(await pool.idleConnectionCount == 0)
            #expect(await pool.openConnectionCount == 1)
            await waiterHas.pass()
            waiterMayReturn.release()
            let waiterPID = try await waiter.value
            #expect(waiterPID == holderPID, "the same connection was handed over")
            #expect(await pool.idleConnectionCount == 1)
            await pool.close()
        }

        @Test("a waiting caller whose task is cancelled stops waiting")
        func cancelledWaiter() async throws {
            let pool = ConnectionPool(configuration: try await TestDatabase.configuration(maximumConnections: 1), logger: TestDatabase.logger)
            let holderMayReturn = Gate()
            let (acquired, signal) = AsyncStream.makeStream(of: Void.self)
            let holder = Task {
                try await pool.withConnection { connection in
                    signal.yield()
                    await holderMayReturn.pass()
                    return try await connection.query("select 1")
                }
            }
            for await _ in acquired { break }
            let waiter = Task {
                try await pool.withConnection { _ in }
            }
            try await waitUntil(timeout: .seconds(30)) { await pool.waitingCount == 1 }
            waiter.cancel()
            await #expect(throws: CancellationError.self) { try await waiter.value }
            #expect(await pool.waitingCount == 0)
            holderMayReturn.release()
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
            let doomed = "select pg_sleep(60) /* \(TestDatabase.uniqueName("doomed")) */"
            let killer = Task {
                let observer = try await TestDatabase.connect()
                let find = "select pid from pg_stat_activity where datname = current_database() and state = 'active' and query = $1"
                try await waitUntil(timeout: .seconds(30)) { try await !observer.query(find, [doomed]).isEmpty }
                let pids = try await observer.query(find, [doomed])
                for row in pids {
                    try await TestDatabase.terminateBackend(Int32(try row.int("pid")))
                }
                await observer.close()
                return pids.count
            }
            await expectSteadfastError(.connectionLost) {
                try await pool.query(doomed)
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
            let holderMayReturn = Gate()
            let (acquired, signal) = AsyncStream.makeStream(of: Void.self)
            let holder = Task {
                try await pool.withConnection { connection in
                    signal.yield()
                    await holderMayReturn.pass()
                    return try await connection.query("select 1")
                }
            }
            for await _ in acquired { break }
            let waiter = Task { try await pool.query("select 1") }
            try await waitUntil(timeout: .seconds(30)) { await pool.waitingCount == 1 }
            await pool.close()
            await expectSteadfastError(.shutdown) { _ = try await waiter.value }
            holderMayReturn.release()
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
