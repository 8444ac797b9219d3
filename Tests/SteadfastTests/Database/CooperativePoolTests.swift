import Foundation
import Testing

@testable import Steadfast

extension DatabaseTests {
    @Suite("Cooperative pool")
    struct CooperativePoolTests {
        /// On this 2-core machine Swift's cooperative pool has 2 threads. If libpq's blocking
        /// waits ran on it, 20 statements blocked in the server would occupy every one of them:
        /// at most 2 could even be sent, and nothing else in the process could run. They run on
        /// each connection's own thread instead: all 20 are seen waiting in the server at once,
        /// and a task ticking on the cooperative pool keeps going while they wait.
        @Test("stays responsive while 20 connections wait on queries")
        func responsive() async throws {
            var settings = try await TestDatabase.configuration()
            // Only stops a broken build's blocked statements from hanging the run.
            settings.sessionSettings = ["statement_timeout": "120s"]
            let configuration = settings
            let connections = try await withThrowingTaskGroup(of: Connection.self) { group in
                for _ in 0..<20 {
                    group.addTask { try await Connection.connect(configuration, logger: TestDatabase.logger) }
                }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            #expect(connections.count == 20)

            // The 20 statements wait for an advisory lock the test holds: they are in flight,
            // blocked in the server, until the test lets them go.
            let key = String(Int64.random(in: 1...Int64.max))
            let marker = TestDatabase.uniqueName("cooperative")
            let holder = try await TestDatabase.connect()
            _ = try await holder.query("select pg_advisory_lock($1::bigint)", [key])
            let queries = Task {
                try await withThrowingTaskGroup(of: Void.self) { group in
                    for connection in connections {
                        group.addTask { try await connection.query("select pg_advisory_xact_lock_shared($1::bigint) /* \(marker) */", [key]) }
                    }
                    try await group.waitForAll()
                }
            }
            let observer = try await TestDatabase.connect()
            func blocked() async throws -> Int {
                try await observer.query(
                    """
                    select count(*) as n from pg_stat_activity
                    where datname = current_database() and pid <> pg_backend_pid() and state = 'active'
                      and wait_event_type = 'Lock' and position($1 in query) > 0
                    """, [marker])[0].int("n")
            }
            try await waitUntil(timeout: .seconds(60)) { try await blocked() == 20 }

            // A ticker on the cooperative pool: sleeps of 10 ms and some computation.
            let ticks = LockedValue(0)
            let checksum = LockedValue(0)
            let ticker = Task {
                for tick in 0... {
                    try await Task.sleep(for: .milliseconds(10))
                    checksum.withLock { $0 &+= (0..<1_000).reduce(tick, &+) }
                    ticks.withLock { $0 += 1 }
                }
            }
            let ticksBefore = ticks.withLock { $0 }
            #expect(try await blocked() == 20, "all 20 statements are in flight, blocked in the server")
            try await waitUntil(timeout: .seconds(60)) { ticks.withLock { $0 } >= ticksBefore + 50 }
            let blockedAfter = try await blocked()
            let ticksDuring = ticks.withLock { $0 } - ticksBefore
            #expect(blockedAfter == 20, "the 20 statements were still blocked after the ticker's 50 ticks")
            #expect(ticksDuring >= 50, "the ticker ran \(ticksDuring) ticks while 20 connections waited")
            ticker.cancel()
            #expect(checksum.withLock { $0 } != 0)

            // Released, every statement completes.
            _ = try await holder.query("select pg_advisory_unlock($1::bigint)", [key])
            try await queries.value
            #expect(try await blocked() == 0)

            for connection in connections {
                await connection.close()
            }
            await observer.close()
            await holder.close()
        }
    }
}
