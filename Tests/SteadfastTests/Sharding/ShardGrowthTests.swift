import Foundation
import Testing

@testable import Steadfast

/// Growing a cluster from two shards to four (docs/scale-out.md, "Adding shards"): new
/// workflows are placed by the new map; the existing ones stay where they are, and the router
/// still finds them, their children and their schedules.
@Suite("Sharded: adding shards", .serialized)
struct ShardGrowthTests {
    @Test("2 → 4 shards: existing workflows stay and are found (read, messaged, their children placed with them), new ones spread over 4, a schedule stays on its shard")
    func growTwoToFour() async throws {
        let server = try TestDatabase.serverURL()
        let base = try #require(URLComponents(string: try await TestDatabase.url())?.path.dropFirst()).description
        let admin = try await Connection.connect(DatabaseConfiguration(connectionString: server, maximumConnections: 1),
                                                 logger: TestDatabase.logger)
        let names = ["\(base)_g_router"] + (0..<4).map { "\(base)_g_shard_\($0)" }
        for name in names { _ = try await admin.execute("create database \(name)") }
        await admin.close()
        let urls = names.map { TestDatabase.connectionString(server, database: $0) }
        let router = DatabaseConfiguration(connectionString: urls[0], maximumConnections: 4)
        let shards = urls.dropFirst().map { DatabaseConfiguration(connectionString: $0, maximumConnections: 10) }
        func install(_ count: Int) async throws {
            var partitions: [String] = []
            for k in 0..<count {
                try await Sharding.configureShard(shards[k], shard: k, of: count, logger: TestDatabase.logger)
                partitions.append(try await Sharding.partition(of: shards[k], logger: TestDatabase.logger))
            }
            try await Sharding.installRouter(router, partitions: partitions, engine: shards[0], logger: TestDatabase.logger)
        }
        func holding(_ id: String) async throws -> [Int] {
            var found: [Int] = []
            for (k, shard) in shards.enumerated() {
                let connection = try await Connection.connect(shard, logger: TestDatabase.logger)
                if try await connection.query("select 1 from steadfast.workflows where id = $1", [id]).count == 1 { found.append(k) }
                await connection.close()
            }
            return found
        }

        // Two shards: inboxes waiting for a message, and a schedule. (The databases of the two
        // shards added later exist already, empty, so that every look below can ask all four.)
        for shard in shards { _ = try await Steadfast.migrate(shard) }
        try await install(2)
        let queue = TestDatabase.uniqueName("gq")
        var client = try await Client.connect(router: router, shards: Array(shards.prefix(2)), logger: TestDatabase.logger)
        _ = try await client.defineQueue(Queue(queue))
        let before = Worker(shards: Array(shards.prefix(2)),
                            configuration: .init(queues: [queue], concurrency: 20, pollInterval: .milliseconds(200)),
                            logger: TestDatabase.logger)
        before.register(ShardedInbox())
        try before.schedule(ShardedInbox.self, name: "grow-nightly", cron: "0 3 * * *", input: .init(count: 0, partner: nil),
                            queue: queue)
        var task = Task { try await before.run() }
        var old: [String] = []
        for n in 0..<16 {
            old.append(try await client.start(ShardedInbox.self, .init(count: 1, partner: nil),
                                              options: StartOptions(id: "grow-\(queue)-\(n)", queue: queue)).id)
        }
        for id in old {
            try await waitUntil(timeout: .seconds(60)) { try await client.workflow(id).status == .waiting }
        }
        var placedBefore: [String: Int] = [:]
        for id in old {
            let home = try await holding(id)
            placedBefore[id] = try #require(home.first, "\(id) is on a shard")
        }
        var scheduleShard: Int?
        for (k, shard) in shards.prefix(2).enumerated() {
            let connection = try await Connection.connect(shard, logger: TestDatabase.logger)
            if try await connection.query("select 1 from steadfast.schedules where name = 'grow-nightly'").count == 1 { scheduleShard = k }
            await connection.close()
        }
        #expect(scheduleShard != nil)
        task.cancel()
        _ = try? await task.value
        await client.close()

        // Four shards: the two new ones made, the old ones told, the router given the new map.
        try await install(4)
        client = try await Client.connect(router: router, shards: shards, logger: TestDatabase.logger)
        // Settings are every shard's: defined again through the router, they reach the new ones.
        _ = try await client.defineQueue(Queue(queue))
        let after = Worker(shards: shards, configuration: .init(queues: [queue], concurrency: 20, pollInterval: .milliseconds(200)),
                           logger: TestDatabase.logger)
        after.register(ShardedInbox())
        try after.schedule(ShardedInbox.self, name: "grow-nightly", cron: "0 3 * * *", input: .init(count: 0, partner: nil),
                           queue: queue)
        task = Task { try await after.run() }
        defer { task.cancel() }

        // The existing workflows: where they were, found through the router, woken by a message.
        var moved = 0
        for id in old {
            #expect(try await holding(id) == [placedBefore[id]!], "\(id) stayed on its shard")
            let newHome = try await Connection.connect(router, logger: TestDatabase.logger)
            if try await newHome.query("select steadfast.shard_of($1, 4) as k", [id])[0].int("k") != placedBefore[id]! { moved += 1 }
            await newHome.close()
            #expect(try await client.workflow(id).status == .waiting)
            try await client.send(to: id, 1)
        }
        #expect(moved > 0, "the new map places some existing ids elsewhere: the router found them anyway")
        for id in old {
            #expect(try await client.handle(ShardedInbox.self, id: id).result(timeout: .seconds(60)) == 1)
            // A fork of an existing workflow lands with it.
            let fork = try await client.fork(id, fromStep: 1)
            #expect(try await holding(fork.id) == [placedBefore[id]!])
        }

        // New workflows: by the new map, over all four shards.
        var used = Set<Int>()
        var handles: [WorkflowHandle<Int>] = []
        for _ in 0..<24 {
            handles.append(try await client.start(ShardedInbox.self, .init(count: 0, partner: nil), options: StartOptions(queue: queue)))
        }
        for handle in handles {
            #expect(try await handle.result(timeout: .seconds(60)) == 0)
            let home = try await holding(handle.id)
            let connection = try await Connection.connect(router, logger: TestDatabase.logger)
            #expect(try await home == [connection.query("select steadfast.shard_of($1, 4) as k", [handle.id])[0].int("k")])
            await connection.close()
            used.formUnion(home)
        }
        #expect(used.count == 4)

        // The schedule, declared again by the four-shard worker, is still only where it was.
        var scheduleHomes: [Int] = []
        for (k, shard) in shards.enumerated() {
            let connection = try await Connection.connect(shard, logger: TestDatabase.logger)
            if try await connection.query("select 1 from steadfast.schedules where name = 'grow-nightly'").count == 1 { scheduleHomes.append(k) }
            await connection.close()
        }
        #expect(scheduleHomes == [scheduleShard!])
        await client.close()
    }
}
