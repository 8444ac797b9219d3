import Foundation
import Testing

@testable import Steadfast

/// A sharded Steadfast for the current suite, on the test server: four shard databases, each
/// migrated as usual and made shard k of 4 (`steadfast.configure_shard`), and a router database
/// whose functions `steadfast.router_ddl()` generates from shard 0 (docs/scale-out.md) — what
/// scripts/shards.sh makes for `make test`'s SQL suite. Named after the suite's database
/// (`steadfast_suite_…_router`, `…_shard_k`), so scripts/test.sh drops them with it.
struct ShardedCluster: Sendable {
    let router: String
    let shards: [String]

    var routerConfiguration: DatabaseConfiguration {
        DatabaseConfiguration(connectionString: router, maximumConnections: 10)
    }

    func shardConfigurations(maximumConnections: Int = 10) -> [DatabaseConfiguration] {
        shards.map { DatabaseConfiguration(connectionString: $0, maximumConnections: maximumConnections) }
    }

    /// The current suite's cluster, made on first use.
    static func current() async throws -> ShardedCluster {
        let base = try await TestDatabase.url()
        return try await clusters.cluster(for: base)
    }

    private static let clusters = Clusters()

    private actor Clusters {
        private var made: [String: Task<ShardedCluster, any Error>] = [:]

        func cluster(for base: String) async throws -> ShardedCluster {
            if let existing = made[base] { return try await existing.value }
            let task = Task { try await ShardedCluster.make(base: base, shards: 4) }
            made[base] = task
            return try await task.value
        }
    }

    private static func make(base: String, shards count: Int) async throws -> ShardedCluster {
        let server = try TestDatabase.serverURL()
        let admin = try await Connection.connect(DatabaseConfiguration(connectionString: server, maximumConnections: 1),
                                                 logger: TestDatabase.logger)
        let name = try #require(URLComponents(string: base)?.path.dropFirst()).description
        var shardURLs: [String] = []
        var partitions: [String] = []
        for k in 0..<count {
            let database = "\(name)_shard_\(k)"
            _ = try await admin.execute("create database \(database)")
            let url = TestDatabase.connectionString(server, database: database)
            let configuration = DatabaseConfiguration(connectionString: url, maximumConnections: 1)
            try await Sharding.configureShard(configuration, shard: k, of: count, logger: TestDatabase.logger)
            shardURLs.append(url)
            partitions.append(try await Sharding.partition(of: configuration, logger: TestDatabase.logger))
        }
        let routerDatabase = "\(name)_router"
        _ = try await admin.execute("create database \(routerDatabase)")
        await admin.close()
        let routerURL = TestDatabase.connectionString(server, database: routerDatabase)
        try await Sharding.installRouter(DatabaseConfiguration(connectionString: routerURL, maximumConnections: 1),
                                         partitions: partitions,
                                         engine: DatabaseConfiguration(connectionString: shardURLs[0], maximumConnections: 1),
                                         logger: TestDatabase.logger)
        return ShardedCluster(router: routerURL, shards: shardURLs)
    }

    /// The shards (by number) holding a row of `steadfast.<table>` where `column` = `value`.
    func shardsHolding(table: String, column: String, value: String) async throws -> [Int] {
        var holding: [Int] = []
        for (k, url) in shards.enumerated() {
            let connection = try await Connection.connect(DatabaseConfiguration(connectionString: url, maximumConnections: 1),
                                                          logger: TestDatabase.logger)
            let rows = try await connection.query("select count(*) as n from steadfast.\(table) where \(column) = $1", [value])
            await connection.close()
            if try rows[0].int("n") > 0 { holding.append(k) }
        }
        return holding
    }

    /// The shard `steadfast.shard_of` places `workflowID` on.
    func shardOf(_ workflowID: String) async throws -> Int {
        let connection = try await Connection.connect(routerConfiguration, logger: TestDatabase.logger)
        defer { Task { await connection.close() } }
        return try await connection.query("select steadfast.shard_of($1, $2) as k", [workflowID, String(shards.count)])[0].int("k")
    }
}
