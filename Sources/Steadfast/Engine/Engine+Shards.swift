import Foundation
import Synchronization

/// Where workflows and schedules live in a sharded cluster (sql/25_shards.sql).
extension Engine {
    /// `shard_identity`: which shard this database is (one row), which shards a router fronts
    /// (one row each), or nothing for a database that is neither.
    func shardIdentities() async throws -> [ShardIdentity] {
        try await pool.query("select shard, shards from steadfast.shard_identity()").map {
            ShardIdentity(shard: try $0.int("shard"), shards: try $0.int("shards"))
        }
    }

    /// `shard_of`: the shard (0 ..< `shards`) the workflow id belongs on.
    func shardOf(_ workflowID: String, shards: Int) async throws -> Int {
        let rows = try await pool.query("select steadfast.shard_of($1, $2) as shard", [workflowID, String(shards)])
        guard let row = rows.first else { throw SteadfastError(.decodingFailed, message: "shard_of returned no row") }
        return try row.int("shard")
    }

    /// `schedules_here`: of the names given, those this database holds (`true`) or — if they
    /// exist nowhere yet — would hold (`false`).
    func schedulesHere(_ names: [String]) async throws -> [String: Bool] {
        let rows = try await pool.query("select name, present from steadfast.schedules_here($1::text[])", [Self.textArray(names)])
        var here: [String: Bool] = [:]
        for row in rows { here[try row.string("name")] = try row.bool("present") }
        return here
    }
}

/// The engines of a sharded worker, one per shard in shard order: a workflow's call about
/// another workflow (a message sent to it) goes to that workflow's shard. Filled once every
/// shard's engine exists.
package final class ShardPeers: Sendable {
    private let engines = Mutex<[Engine]>([])

    package init() {}

    func set(_ engines: [Engine]) {
        self.engines.withLock { $0 = engines }
    }

    /// The engine of `workflowID`'s shard, asking `engine`'s database where that is.
    func engine(for workflowID: String, asking engine: Engine) async throws -> Engine {
        let all = engines.withLock { $0 }
        guard all.count > 1 else { return engine }
        return all[try await engine.shardOf(workflowID, shards: all.count)]
    }
}
