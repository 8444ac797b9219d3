public import Logging

/// Sets up a sharded Steadfast: shards that each hold the engine and their own workflows, and a
/// PL/Proxy router whose `steadfast.*` functions route each call (docs/scale-out.md).
///
/// ```swift
/// for (k, shard) in shards.enumerated() {
///     try await Sharding.configureShard(shard, shard: k, of: shards.count)
/// }
/// var partitions: [String] = []
/// for shard in shards { partitions.append(try await Sharding.partition(of: shard)) }
/// try await Sharding.installRouter(router, partitions: partitions, engine: shards[0])
/// let client = try await Client.connect(router)                  // the same API
/// let worker = Worker(shards: shards)                              // claims on every shard
/// ```
///
/// The router needs a superuser to install (PL/Proxy is an untrusted language) and the
/// Debian package `postgresql-15-plproxy` on its server. Its functions run with the caller's
/// rights, and PL/Proxy connects to each shard as the calling role (give the partitions'
/// passwords in a `.pgpass` or a user mapping, never in a partition string a role can read).
public enum Sharding {
    /// Migrates `database` (as ``Steadfast/migrate(_:)``) and makes it shard `shard` of
    /// `shards` (`steadfast.configure_shard`): from then on it refuses a workflow or schedule
    /// that belongs on another shard. Run it once per shard; again with a larger `shards`
    /// after adding shards (see docs/scale-out.md).
    /// - Returns: How many workflows it already holds that belong on another shard (0 on a
    ///   new database).
    /// - Throws: ``SteadfastError`` — ``SteadfastError/Code/invalidArgument`` when `shards` is
    ///   not a power of two (1…1024) or `shard` is out of range.
    @discardableResult
    public static func configureShard(_ database: DatabaseConfiguration, shard: Int, of shards: Int,
                                      logger: Logger = Logger(label: "steadfast.sharding")) async throws -> Int {
        try await Migrator(configuration: database, logger: logger).migrate()
        return try await Connection.with(database, logger: logger) { connection in
            try await Engine.configureShard(on: connection, shard: shard, shards: shards)
        }
    }

    /// The libpq connection string a router on the same server uses for `database`'s
    /// partition: that server's socket directory (or address) and port, and the database's
    /// name — no user, so that PL/Proxy connects as the calling role. For a shard on another
    /// server, write the string yourself (`host=… port=… dbname=…`).
    public static func partition(of database: DatabaseConfiguration,
                                 logger: Logger = Logger(label: "steadfast.sharding")) async throws -> String {
        let place = try await Connection.with(database, logger: logger) { try await Engine.serverPlace(on: $0) }
        return "host=\(conninfoValue(place.host)) port=\(conninfoValue(place.port)) dbname=\(conninfoValue(place.database))"
    }

    /// A value of a libpq keyword/value connection string: quoted, with `'` and `\` escaped.
    static func conninfoValue(_ value: String) -> String {
        "'" + String(value.flatMap { $0 == "'" || $0 == "\\" ? ["\\", $0] : [$0] }) + "'"
    }

    /// Installs, or brings up to date, the router in `router`: the `plproxy` extension, the
    /// server `steadfast_shards` with one partition per string of `partitions` (in shard
    /// order; a power of two of them), a user mapping for PUBLIC, and the `steadfast.*`
    /// functions `engine`'s `steadfast.router_ddl()` generates (`engine`: any shard, migrated
    /// to the version the router should front). Run it again after migrating the shards, and
    /// with more partitions after adding shards; it never removes a partition.
    /// - Throws: ``SteadfastError`` — ``SteadfastError/Code/invalidArgument`` for a count of
    ///   partitions that is not a power of two or is smaller than the router has.
    public static func installRouter(_ router: DatabaseConfiguration, partitions: [String], engine: DatabaseConfiguration,
                                     logger: Logger = Logger(label: "steadfast.sharding")) async throws {
        let count = partitions.count
        guard count >= 1, count <= 1024, count & (count - 1) == 0 else {
            throw SteadfastError(.invalidArgument, message: "installRouter: \(count) partitions; a cluster has a power of two (1…1024)")
        }
        let ddl = try await Connection.with(engine, logger: logger) { try await Engine.routerDDL(on: $0) }
        // (A cluster that grew: the router's DDL puts the new count in front of the earlier
        // ones, so that it still finds the workflows the earlier maps placed.)
        try await Connection.with(router, logger: logger) { connection in
            try await Engine.installRouter(on: connection, partitions: partitions, ddl: ddl)
        }
    }
}
