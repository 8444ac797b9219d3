import Foundation
import Testing

@testable import Steadfast

/// `steadfast shards install|list` (docs/scale-out.md): a router over two shards made from the
/// command line, then used as one database by the other commands.
@Suite("Sharded: the CLI", .serialized)
struct ShardsCLITests {
    @Test("shards install makes two shards and a router; shards list shows them; workflows start and list go through the router")
    func installAndUse() async throws {
        let server = try TestDatabase.serverURL()
        let base = try #require(URLComponents(string: try await TestDatabase.url())?.path.dropFirst()).description
        let admin = try await Connection.connect(DatabaseConfiguration(connectionString: server, maximumConnections: 1),
                                                 logger: TestDatabase.logger)
        let names = ["\(base)_cli_router", "\(base)_cli_shard_0", "\(base)_cli_shard_1"]
        for name in names { _ = try await admin.execute("create database \(name)") }
        await admin.close()
        let urls = names.map { TestDatabase.connectionString(server, database: $0) }
        let cli = try CommandLineTool.steadfast()

        let refused = try await cli.run(["shards", "install", "--router", urls[0], "--shard", urls[1], "--shard", urls[2],
                                         "--shard", urls[1]])
        #expect(refused.status != 0 && refused.stderr.contains("power of two"), "\(refused.stderr)")

        let installed = try await cli.run(["shards", "install", "--router", urls[0], "--shard", urls[1], "--shard", urls[2]])
        #expect(installed.status == 0, "\(installed.stderr)")
        #expect(installed.stdout.contains("shard 0 of 2") && installed.stdout.contains("router installed over 2 shard(s)"))

        let listed = try #require(try await cli.run(["shards", "list", "--database-url", urls[0], "--json"]).json() as? [[String: Any]])
        #expect(listed.map { $0["shard"] as? Int } == [0, 1] && listed.allSatisfy { $0["shards"] as? Int == 2 })

        // Through the router, the usual commands: a queue on both shards, starts, a fleet-wide list.
        #expect(try await cli.run(["queues", "create", "cliq", "--database-url", urls[0]]).status == 0)
        for n in 0..<6 {
            let started = try await cli.run(["workflows", "start", "Job", "--input", "{\"n\": \(n)}", "--queue", "cliq",
                                             "--id", "cli-\(n)", "--database-url", urls[0]])
            #expect(started.status == 0, "\(started.stderr)")
        }
        let workflows = try #require(try await cli.run(["workflows", "list", "--queue", "cliq", "--json", "--database-url", urls[0]])
            .json() as? [[String: Any]])
        #expect(Set(workflows.compactMap { $0["workflow_id"] as? String }) == Set((0..<6).map { "cli-\($0)" }))
        var perShard: [Int] = []
        for url in urls.dropFirst() {
            let connection = try await Connection.connect(DatabaseConfiguration(connectionString: url, maximumConnections: 1),
                                                          logger: TestDatabase.logger)
            perShard.append(try await connection.query("select count(*) as n from steadfast.workflows where queue = 'cliq'")[0].int("n"))
            await connection.close()
        }
        #expect(perShard.reduce(0, +) == 6 && perShard.allSatisfy { $0 > 0 }, "six workflows over both shards: \(perShard)")
    }
}
