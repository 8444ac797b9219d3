import Foundation
import Logging
import Steadfast

/// Sharding (docs/scale-out.md): what the PL/Proxy router costs per call beside a direct call to
/// the shard, and a drain on four shards beside the same drain on one database — all databases
/// of this one server, in the same run.
extension Bench {
    func shards() async throws {
        let count = 4
        let cluster = try await makeCluster(shards: count)
        let router = DatabaseConfiguration(connectionString: cluster.router, maximumConnections: 8, applicationName: "steadfast-bench")
        let routerClient = try await Client.connect(router, logger: logger)
        let routerConnection = try await Connection.connect(router, logger: logger)
        var shardConnections: [Connection] = []
        for url in cluster.shards {
            shardConnections.append(try await Connection.connect(DatabaseConfiguration(connectionString: url), logger: logger))
        }
        let queue = "bench_route"
        _ = try await routerClient.defineQueue(Queue(queue))

        // 1. The cost of routing: the same call through the router and straight to the shard.
        var shardOf: [String: Int] = [:]
        for n in 0..<200 {
            let id = "route-\(n)"
            _ = try await routerConnection.query("select * from steadfast.start_workflow($1, 'bench-noop', '{}', $2::jsonb)",
                                                 [id, #"{"queue": "bench_route"}"#])
            shardOf[id] = try await routerConnection.query("select steadfast.shard_of($1, $2) as k", [id, String(count)])[0].int("k")
        }
        var direct: [Double] = []
        var routed: [Double] = []
        for n in 0..<2000 {
            let id = "route-\(n % 200)"
            let sql = "select * from steadfast.get_workflow($1)"
            // Alternated, so that both see the same machine.
            direct.append(try await Measure.milliseconds { _ = try await shardConnections[shardOf[id]!].query(sql, [id]) })
            routed.append(try await Measure.milliseconds { _ = try await routerConnection.query(sql, [id]) })
        }
        let readDirect = Measure.percentile(direct, 50), readRouted = Measure.percentile(routed, 50)
        record("shards.read.direct.p50", readDirect, "ms", "get_workflow straight to its shard")
        record("shards.read.router.p50", readRouted, "ms", "get_workflow through the router (PL/Proxy)")
        record("shards.read.router.cost", readRouted - readDirect, "ms", "what the router adds to a call")
        var startDirect: [Double] = []
        var startRouted: [Double] = []
        var n = 0
        while startDirect.count < 500 {
            n += 1
            let id = "start-\(n)"
            let shard = try await routerConnection.query("select steadfast.shard_of($1, $2) as k", [id, String(count)])[0].int("k")
            let sql = "select * from steadfast.start_workflow($1, 'bench-noop', '{}', $2::jsonb)"
            if n % 2 == 0 {
                startDirect.append(try await Measure.milliseconds {
                    _ = try await shardConnections[shard].query(sql, [id, #"{"queue": "bench_route"}"#])
                })
            } else {
                startRouted.append(try await Measure.milliseconds {
                    _ = try await routerConnection.query(sql, [id, #"{"queue": "bench_route"}"#])
                })
            }
        }
        let writeDirect = Measure.percentile(startDirect, 50), writeRouted = Measure.percentile(startRouted, 50)
        record("shards.start.direct.p50", writeDirect, "ms", "start_workflow straight to its shard (durable commit)")
        record("shards.start.router.p50", writeRouted, "ms", "start_workflow through the router")
        record("shards.start.router.cost", writeRouted - writeDirect, "ms", "what the router adds to a write")

        // 2. A drain of 5,000 three-step workflows by one worker process of 64 slots: on one
        //    database, then on four shards (16 slots per shard), started through the router.
        let single = try await drainRate(workers: 1, concurrency: 64)
        record("shards.drain.1shard", single, "/s", "one database, 1 worker × 64")
        let sharded = try await shardedDrainRate(cluster: cluster, client: routerClient, concurrencyPerShard: 64 / count)
        record("shards.drain.4shards", sharded.rate, "/s", "4 shards on this server, 1 worker × 16 per shard")
        record("shards.drain.4shards.pershard", sharded.rate / Double(count), "/s", "each shard's share")
        record("shards.drain.ratio", sharded.rate / single, "×", "4 shards / 1 database, same server and cores")
        // With 64 slots per shard, each shard's checkpoints commit in batches as large as one
        // database's (group commit): the same server then does fewer, larger commits.
        let wide = try await shardedDrainRate(cluster: cluster, client: routerClient, concurrencyPerShard: 64)
        record("shards.drain.4shards.c64", wide.rate, "/s", "4 shards on this server, 1 worker × 64 per shard")
        // The same 256 slots on one database: is it the slots or the shards?
        let singleWide = try await drainRate(workers: 1, concurrency: 256)
        record("shards.drain.1shard.c256", singleWide, "/s", "one database, 1 worker × 256")
        record("shards.drain.c64.ratio", wide.rate / singleWide, "×", "4 shards × 64 / 1 database × 256 (same slots)")

        await routerConnection.close()
        for connection in shardConnections { await connection.close() }
        await routerClient.close()
    }

    /// Drains 5,000 three-step workflows started through the router with one sharded worker
    /// process; the rate from the rows' own timestamps on every shard.
    private func shardedDrainRate(cluster: (router: String, shards: [String]), client: Client,
                                  concurrencyPerShard: Int) async throws -> (rate: Double, steps: Int) {
        let queue = "bench_drain_sharded_c\(concurrencyPerShard)"
        _ = try await client.defineQueue(Queue(queue))
        let total = 5000
        for chunk in stride(from: 0, to: total, by: 1000) {
            let batch = (chunk..<min(total, chunk + 1000)).map { (input: NoopWorkflow.Input(n: $0), options: StartOptions(queue: queue)) }
            _ = try await client.start(NoopWorkflow.self, batch: batch)
        }
        let process = try WorkerProcess(queue: queue, concurrency: concurrencyPerShard, holdMilliseconds: 0, pool: 4,
                                        shards: cluster.shards)
        await process.waitUntilReady()
        try await waitUntil(timeout: 300, every: .milliseconds(500)) {
            let queues = try await client.queues().filter { $0.queue.name == queue }
            return queues.allSatisfy { $0.enqueued == 0 && $0.running == 0 }
        }
        process.terminate()
        var started: Date?
        var completed: Date?
        var succeeded = 0
        var steps = 0
        for url in cluster.shards {
            let connection = try await Connection.connect(DatabaseConfiguration(connectionString: url), logger: logger)
            let row = try await connection.query("""
                select min(started_at) as started, max(completed_at) as completed,
                       count(*) filter (where status = 'succeeded') as succeeded,
                       (select count(*) from steadfast.steps s join steadfast.workflows w on w.id = s.workflow_id where w.queue = $1) as steps
                from steadfast.workflows where queue = $1
                """, [queue])[0]
            await connection.close()
            if let s = try row.decodeIfPresent("started", as: Date.self) { started = min(started ?? s, s) }
            if let c = try row.decodeIfPresent("completed", as: Date.self) { completed = max(completed ?? c, c) }
            succeeded += try row.int("succeeded")
            steps += try row.int("steps")
        }
        try await expect(succeeded == total, "5,000 succeeded on the shards")
        try await expect(steps == total * 3, "15,000 steps recorded on the shards")
        _ = await process.waitForExit()
        guard let started, let completed else { throw BenchError("no timestamps") }
        return (Double(total) / completed.timeIntervalSince(started), steps)
    }

    /// A router and `shards` shards as fresh databases of this server (dropped first when an
    /// earlier run left them).
    private func makeCluster(shards count: Int) async throws -> (router: String, shards: [String]) {
        let admin = try await Connection.connect(database, logger: logger)
        func url(_ name: String) -> String {
            var components = URLComponents(string: self.url)!
            components.path = "/" + name
            return components.string!
        }
        let names = ["steadfast_bench_router"] + (0..<count).map { "steadfast_bench_shard_\($0)" }
        for name in names {
            _ = try await admin.execute("drop database if exists \(name) with (force)")
            _ = try await admin.execute("create database \(name)")
        }
        await admin.close()
        var partitions: [String] = []
        for k in 0..<count {
            let shard = DatabaseConfiguration(connectionString: url(names[k + 1]), maximumConnections: 1)
            try await Sharding.configureShard(shard, shard: k, of: count, logger: logger)
            partitions.append(try await Sharding.partition(of: shard, logger: logger))
        }
        try await Sharding.installRouter(DatabaseConfiguration(connectionString: url(names[0]), maximumConnections: 1),
                                         partitions: partitions,
                                         engine: DatabaseConfiguration(connectionString: url(names[1]), maximumConnections: 1),
                                         logger: logger)
        return (url(names[0]), names.dropFirst().map(url))
    }
}
