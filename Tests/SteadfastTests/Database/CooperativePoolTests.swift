import Foundation
import Testing

@testable import Steadfast

extension DatabaseTests {
    @Suite("Cooperative pool")
    struct CooperativePoolTests {
        /// On this 2-core machine Swift's cooperative pool has 2 threads. If libpq's blocking
        /// waits ran on it, 20 concurrent `pg_sleep(1)` would occupy every one of them for a
        /// second and nothing else in the process could run. They run on each connection's own
        /// thread instead, so a task ticking on the cooperative pool meanwhile is not delayed.
        @Test("stays responsive while 20 connections wait on queries")
        func responsive() async throws {
            let configuration = try await TestDatabase.configuration()
            let connections = try await withThrowingTaskGroup(of: Connection.self) { group in
                for _ in 0..<20 {
                    group.addTask { try await Connection.connect(configuration, logger: TestDatabase.logger) }
                }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            #expect(connections.count == 20)

            let clock = ContinuousClock()
            let start = clock.now
            let queries = Task {
                try await withThrowingTaskGroup(of: Void.self) { group in
                    for connection in connections {
                        group.addTask { try await connection.query("select pg_sleep(1)") }
                    }
                    try await group.waitForAll()
                }
                return clock.now - start
            }
            // Let the queries start and block their threads.
            try await Task.sleep(for: .milliseconds(50))

            // 50 ticks of 10 ms, plus some computation, on the cooperative pool.
            let tickStart = clock.now
            var checksum = 0
            for tick in 0..<50 {
                try await Task.sleep(for: .milliseconds(10))
                checksum &+= (0..<1_000).reduce(tick, &+)
            }
            let ticking = clock.now - tickStart
            let querying = try await queries.value

            #expect(checksum != 0)
            #expect(querying >= .seconds(1), "the queries did sleep a second (\(querying))")
            #expect(querying < .seconds(3), "the 20 queries ran concurrently (\(querying))")
            #expect(ticking < .milliseconds(800), "50 × 10 ms ticks took \(ticking) while 20 queries blocked")
            #expect(tickStart + ticking < start + querying, "the ticker finished before the queries")

            for connection in connections {
                await connection.close()
            }
        }
    }
}
