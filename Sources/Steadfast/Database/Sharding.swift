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
        let connection = try await Connection.connect(database, logger: logger)
        do {
            let rows = try await connection.query("select misplaced_workflows from steadfast.configure_shard($1, $2)",
                                                  [String(shard), String(shards)])
            await connection.close()
            return try rows.first?.int("misplaced_workflows") ?? 0
        } catch {
            await connection.close()
            throw error
        }
    }

    /// The libpq connection string a router on the same server uses for `database`'s
    /// partition: that server's socket directory (or address) and port, and the database's
    /// name — no user, so that PL/Proxy connects as the calling role. For a shard on another
    /// server, write the string yourself (`host=… port=… dbname=…`).
    public static func partition(of database: DatabaseConfiguration,
                                 logger: Logger = Logger(label: "steadfast.sharding")) async throws -> String {
        let connection = try await Connection.connect(database, logger: logger)
        let rows: [Row]
        do {
            rows = try await connection.query("""
            select coalesce(pg_catalog.host(pg_catalog.inet_server_addr()),
                            pg_catalog.split_part(pg_catalog.current_setting('unix_socket_directories'), ',', 1)) as host,
                   pg_catalog.current_setting('port') as port, pg_catalog.current_database() as dbname
            """)
            await connection.close()
        } catch {
            await connection.close()
            throw error
        }
        let row = rows[0]
        return "host=\(conninfoValue(try row.string("host"))) port=\(conninfoValue(try row.string("port")))"
            + " dbname=\(conninfoValue(try row.string("dbname")))"
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
        let source = try await Connection.connect(engine, logger: logger)
        let ddl: [String]
        do {
            ddl = try await source.query("select s from steadfast.router_ddl() as s").map { try $0.string("s") }
            await source.close()
        } catch {
            await source.close()
            throw error
        }
        let connection = try await Connection.connect(router, logger: logger)
        do {
            _ = try await connection.execute("set client_min_messages = warning")
            _ = try await connection.execute("create extension if not exists plproxy")
            // Two servers with the same partitions: steadfast_shards, which the functions run
            // on, and steadfast_probe, which a grown router asks where an existing workflow is
            // while it places a call (PL/Proxy does not nest calls to one cluster).
            var existing = 0
            var hasServer = false
            for server in ["steadfast_shards", "steadfast_probe"] {
                let partitionsNow = try await connection.query("""
                    select pg_catalog.count(*)::integer as n from pg_catalog.pg_foreign_server s, pg_catalog.unnest(s.srvoptions) o
                    where s.srvname = $1 and o ~ '^p[0-9]+='
                    """, [server])[0].int("n")
                let serverExists = try await !connection.query(
                    "select 1 from pg_catalog.pg_foreign_server where srvname = $1", [server]).isEmpty
                if server == "steadfast_shards" { (existing, hasServer) = (partitionsNow, serverExists) }
                guard partitionsNow <= count else {
                    throw SteadfastError(.invalidArgument,
                                         message: "installRouter: the router has \(partitionsNow) partitions; \(count) would remove some")
                }
                // The statement, built by the server so that every string is quoted as SQL wants.
                let statement = try await connection.query("""
                    select case when $2 then pg_catalog.format('alter server %I options (%s)', $4::text,
                                    pg_catalog.string_agg(pg_catalog.format('%s p%s %L', case when p.i <= $3 then 'set' else 'add' end,
                                                                            p.i - 1, p.partition), ', ' order by p.i))
                                else pg_catalog.format('create server %I foreign data wrapper plproxy options (%s)', $4::text,
                                    pg_catalog.string_agg(pg_catalog.format('p%s %L', p.i - 1, p.partition), ', ' order by p.i)) end as ddl
                    from pg_catalog.unnest($1::text[]) with ordinality as p(partition, i)
                    """, [Engine.textArray(partitions), serverExists ? "true" : "false", String(partitionsNow), server])[0].string("ddl")
                _ = try await connection.execute(statement)
                _ = try await connection.execute("create user mapping if not exists for public server \(server)")
            }
            // A cluster that grew: the router remembers the earlier counts, newest first, so that
            // it finds the workflows the earlier maps placed (steadfast._router_place).
            let remembers = try await !connection.query(
                "select 1 where pg_catalog.to_regprocedure('steadfast._router_maps()') is not null").isEmpty
            if hasServer, existing < count, remembers {
                _ = try await connection.query("""
                    select pg_catalog.set_config('steadfast.router_maps',
                                                 pg_catalog.array_to_string(array[$1::integer] || steadfast._router_maps(), ','), false)
                    """, [String(count)])
                _ = try await connection.execute("""
                    do $maps$ begin
                        execute pg_catalog.format('create or replace function steadfast._router_maps() returns integer[]
                                                   language sql immutable set search_path = pg_catalog, pg_temp as %L',
                                                  pg_catalog.format('select array[%s]', pg_catalog.current_setting('steadfast.router_maps')));
                    end $maps$
                    """)
            }
            for statement in ddl { _ = try await connection.execute(statement) }
            await connection.close()
        } catch {
            await connection.close()
            throw error
        }
    }
}
