import ArgumentParser
import Foundation
import Steadfast

/// `steadfast shards install|list`: a sharded Steadfast behind a PL/Proxy router (docs/scale-out.md).
struct Shards: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Set up and inspect a sharded Steadfast: shards behind a PL/Proxy router.",
        discussion: "See docs/scale-out.md: the model, its limits and how to add shards.",
        subcommands: [ShardsInstall.self, ShardsList.self])
}

struct ShardsInstall: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "install",
        abstract: "Migrate each shard, make it shard k of N, and install (or bring up to date) the router.",
        discussion: """
            The shards are given in shard order, a power of two of them. Run it again with the same \
            shards after an upgrade (the router then fronts the new functions), or with more shards \
            to grow the cluster: existing workflows stay where they are. Installing the router needs \
            a superuser and the plproxy extension (Debian: postgresql-15-plproxy) on its server.
            """)

    @Option(name: .customLong("router"), help: ArgumentHelp("The router database's connection string.", valueName: "url"))
    var router: String

    @Option(name: .customLong("shard"), help: ArgumentHelp("A shard's connection string, in shard order (repeat it).",
                                                           valueName: "url"))
    var shards: [String]

    @Option(name: .customLong("partition"), help: ArgumentHelp(
        "How the router's server reaches each shard (libpq key=value, no user), in shard order; default: each shard's own socket or address, port and name — right when router and shards share a server.",
        valueName: "conninfo"))
    var partitions: [String] = []

    @Flag(help: "Print JSON instead of text.")
    var json = false

    func validate() throws {
        guard !shards.isEmpty, shards.count & (shards.count - 1) == 0, shards.count <= 1024 else {
            throw ValidationError("Give a power of two of --shard (1, 2, 4, …), in shard order.")
        }
        guard partitions.isEmpty || partitions.count == shards.count else {
            throw ValidationError("Give one --partition per --shard, or none.")
        }
    }

    func run() async throws {
        let global = try GlobalOptions.parse(["--database-url", router] + (json ? ["--json"] : []))
        try await global.reportingErrors {
            let databases = shards.map { DatabaseConfiguration(connectionString: $0, maximumConnections: 1, applicationName: "steadfast-cli") }
            var misplaced: [Int] = []
            for (k, shard) in databases.enumerated() {
                misplaced.append(try await Sharding.configureShard(shard, shard: k, of: databases.count, logger: quietLogger))
            }
            var reached = partitions
            if reached.isEmpty {
                for shard in databases { reached.append(try await Sharding.partition(of: shard, logger: quietLogger)) }
            }
            try await Sharding.installRouter(DatabaseConfiguration(connectionString: router, maximumConnections: 1,
                                                                   applicationName: "steadfast-cli"),
                                             partitions: reached, engine: databases[0], logger: quietLogger)
            if json {
                Output.json(["shards": databases.count, "partitions": reached, "misplaced_workflows": misplaced])
                return
            }
            for (k, partition) in reached.enumerated() {
                Output.line("shard \(k) of \(databases.count): \(partition)"
                            + (misplaced[k] > 0 ? " (\(misplaced[k]) workflows there belong on another shard)" : ""))
            }
            Output.line("router installed over \(databases.count) shard(s)")
        }
    }
}

struct ShardsList: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "list",
        abstract: "List the shards a router fronts, as each says it is (steadfast.shard_identity).")

    @OptionGroup var global: GlobalOptions

    func run() async throws {
        try await global.withClient { client in
            let shards = try await client.shards()
            if global.json {
                Output.json(shards.map { ["shard": $0.shard, "shards": $0.shards] })
                return
            }
            if shards.isEmpty {
                Output.line("not a router or a shard: this database holds every workflow")
                return
            }
            Output.table(["SHARD", "OF"], shards.map { [String($0.shard), String($0.shards)] })
        }
    }
}
