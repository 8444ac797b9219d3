/// Which shard of a sharded cluster a database is (docs/scale-out.md):
/// `steadfast.shard_identity()`.
public struct ShardIdentity: Sendable, Codable, Equatable {
    /// The shard's number, 0 ..< ``shards``.
    public var shard: Int
    /// How many shards the cluster has (a power of two).
    public var shards: Int

    /// Creates an identity.
    public init(shard: Int, shards: Int) {
        self.shard = shard
        self.shards = shards
    }
}
