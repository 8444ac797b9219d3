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

/// Setting up shards and routers (``Sharding``), each on a connection of its own.
extension Engine {
    /// `configure_shard`: how many workflows this database holds that belong elsewhere.
    static func configureShard(on connection: Connection, shard: Int, shards: Int) async throws -> Int {
        let rows = try await connection.query("select misplaced_workflows from steadfast.configure_shard($1, $2)",
                                              [String(shard), String(shards)])
        return try rows.first?.int("misplaced_workflows") ?? 0
    }

    /// `router_ddl`: the statements that install a router in front of this engine.
    static func routerDDL(on connection: Connection) async throws -> [String] {
        try await connection.query("select s from steadfast.router_ddl() as s").map { try $0.string("s") }
    }

    /// Where this database's server is reached, as that server sees itself: its socket
    /// directory (or address), its port, and the database's name.
    static func serverPlace(on connection: Connection) async throws -> (host: String, port: String, database: String) {
        let row = try await connection.query("""
            select coalesce(pg_catalog.host(pg_catalog.inet_server_addr()),
                            pg_catalog.split_part(pg_catalog.current_setting('unix_socket_directories'), ',', 1)) as host,
                   pg_catalog.current_setting('port') as port, pg_catalog.current_database() as dbname
            """)[0]
        return (try row.string("host"), try row.string("port"), try row.string("dbname"))
    }

    /// Whether the database is a router (it has the router's `_router_place`).
    static func isRouter(on connection: Connection) async throws -> Bool {
        try await !connection.query(
            "select 1 where pg_catalog.to_regprocedure('steadfast._router_place(text)') is not null").isEmpty
    }

    /// Installs, or brings up to date, a router on `connection`: the plproxy extension; the
    /// servers `steadfast_shards` (what its functions run on) and `steadfast_probe` (what a grown
    /// router asks where an existing workflow is while it places a call: PL/Proxy does not nest
    /// calls to one cluster), each with `partitions`, and their user mappings; then `ddl`.
    /// Refuses fewer partitions than a server has.
    static func installRouter(on connection: Connection, partitions: [String], ddl: [String]) async throws {
        _ = try await connection.execute("set client_min_messages = warning")
        _ = try await connection.execute("create extension if not exists plproxy")
        for server in ["steadfast_shards", "steadfast_probe"] {
            let current = try await connection.query("""
                select count(*) > 0 as exists,
                       coalesce(sum((select pg_catalog.count(*) from pg_catalog.unnest(s.srvoptions) o where o ~ '^p[0-9]+=')), 0)::integer as partitions
                from pg_catalog.pg_foreign_server s where s.srvname = $1
                """, [server])[0]
            let existing = try current.int("partitions")
            guard existing <= partitions.count else {
                throw SteadfastError(.invalidArgument,
                                     message: "installRouter: the router has \(existing) partitions; \(partitions.count) would remove some")
            }
            // The statement, built by the server so that every string is quoted as SQL wants.
            let statement = try await connection.query("""
                select case when $2 then pg_catalog.format('alter server %I options (%s)', $4::text,
                                pg_catalog.string_agg(pg_catalog.format('%s p%s %L', case when p.i <= $3 then 'set' else 'add' end,
                                                                        p.i - 1, p.partition), ', ' order by p.i))
                            else pg_catalog.format('create server %I foreign data wrapper plproxy options (%s)', $4::text,
                                pg_catalog.string_agg(pg_catalog.format('p%s %L', p.i - 1, p.partition), ', ' order by p.i)) end as ddl
                from pg_catalog.unnest($1::text[]) with ordinality as p(partition, i)
                """, [textArray(partitions), try current.bool("exists") ? "true" : "false", String(existing), server])[0].string("ddl")
            _ = try await connection.execute(statement)
            _ = try await connection.execute("create user mapping if not exists for public server \(server)")
        }
        for statement in ddl { _ = try await connection.execute(statement) }
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
