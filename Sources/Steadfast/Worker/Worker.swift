import Foundation
public import Logging
public import ServiceLifecycle
import Synchronization

/// Claims workflows from PostgreSQL and runs them: a swift-service-lifecycle `Service`.
///
/// ```swift
/// let worker = Worker(database: DatabaseConfiguration(connectionString: url))
/// worker.register(SendWelcome())
/// let group = ServiceGroup(services: [worker], gracefulShutdownSignals: [.sigterm], logger: logger)
/// try await group.run()
/// ```
///
/// While it runs, the worker
/// - registers an executor from a database session it keeps open (a crash closes it, and
///   other workers take over its workflows at their next claim) and renews its lease;
///   everything it does as that executor — claiming, renewing, handing workflows back,
///   deregistering — goes through that session, the only one the engine accepts it from. If
///   the session is lost, the worker reconnects and registers again, which hands back the
///   workflows the lost session held (their running executions are abandoned and run anew);
/// - claims up to ``Configuration/concurrency`` workflows of its registered names from its
///   queues, woken by `NOTIFY` when work is enqueued and polling with jitter otherwise;
/// - writes the cron schedules declared with ``schedule(_:)`` and fires due schedules on a
///   jittered timer (``Configuration/scheduleTicking``), like every other worker;
/// - runs each workflow, replaying recorded steps, then completes or fails it. A workflow whose
///   write is refused as fenced (another executor took it over) is abandoned.
///
/// On graceful shutdown (SIGTERM through a `ServiceGroup`) it stops claiming, lets running
/// workflows finish for ``Configuration/shutdownGracePeriod``, then cancels the rest and hands
/// them back to their queues so another worker resumes them at once.
///
/// A worker of a sharded cluster (``init(shards:configuration:logger:)``, docs/scale-out.md)
/// does all of this on every shard at once: an executor session, a claim loop and
/// ``Configuration/concurrency`` slots per shard, and each declared schedule on the one shard
/// that ticks it.
public final class Worker: Service, Sendable {
    /// How the worker behaves.
    public let configuration: Configuration
    /// The executor id this worker registers.
    public let executorID: String

    /// Where the engine lives: one database, or the shards of a cluster in shard order.
    let databases: [DatabaseConfiguration]
    /// The (first) database: where a worker of one database does everything.
    var database: DatabaseConfiguration { databases[0] }
    let logger: Logger
    let registry = WorkflowRegistry()
    /// The cron schedules declared in code, by name (``schedule(_:)``).
    let declaredSchedules = Mutex<[String: Schedule]>([:])
    /// While ``run()`` runs: per database (per shard, in shard order), the run and a client on
    /// its pool for the handles ``start(_:_:options:)`` returns.
    let running = Mutex<[(run: WorkerRun, client: Client)]?>(nil)

    /// How many workflows hold one of the worker's slots now (0 while it is not running).
    package var inFlight: Int { (running.withLock { $0 } ?? []).reduce(0) { $0 + $1.run.inFlight } }

    /// Creates a worker; nothing connects until ``run()``.
    /// - Parameters:
    ///   - database: Where the engine lives. The worker's pool uses its `maximumConnections`.
    ///   - configuration: Queues, concurrency, polling, lease. Defaults to ``Configuration/init(executorID:queues:concurrency:pollInterval:pollJitter:lease:heartbeatInterval:appVersion:shutdownGracePeriod:scheduleTicking:)``'s defaults.
    ///   - logger: Where to log; workflow ids and steps travel in the metadata. Defaults to a
    ///     logger labelled `steadfast.worker`.
    public convenience init(database: DatabaseConfiguration, configuration: Configuration = Configuration(),
                            logger: Logger = Logger(label: "steadfast.worker")) {
        self.init(databases: [database], configuration: configuration, logger: logger)
    }

    /// Creates a worker for a sharded cluster; nothing connects until ``run()``.
    ///
    /// The worker connects to every shard directly — never through the router — and on each it
    /// registers its executor (same id), claims with ``Configuration/concurrency`` slots of its
    /// own (so up to `shards.count × concurrency` workflows run at once), renews its lease and
    /// runs what it claimed there; each schedule it declares is written to, and ticked on, the
    /// one shard that holds it. ``start(_:_:options:)`` runs a workflow on its shard.
    /// - Parameters:
    ///   - shards: Every shard of the cluster, in shard order (shard 0 first), as
    ///     `steadfast.shard_identity()` numbers them; ``run()`` checks that each is the shard
    ///     its position says.
    ///   - configuration: As for one database; `concurrency` is per shard.
    ///   - logger: Where to log; each shard's messages carry a `shard` metadata key.
    public convenience init(shards: [DatabaseConfiguration], configuration: Configuration = Configuration(),
                            logger: Logger = Logger(label: "steadfast.worker")) {
        precondition(!shards.isEmpty, "a sharded worker needs at least one shard")
        self.init(databases: shards, configuration: configuration, logger: logger)
    }

    private init(databases: [DatabaseConfiguration], configuration: Configuration, logger: Logger) {
        self.databases = databases
        self.configuration = configuration
        self.executorID = configuration.resolvedExecutorID
        var logger = logger
        logger[metadataKey: "executor"] = .string(executorID)
        self.logger = logger
    }

    /// Makes `workflow` runnable by this worker under `W.name`. Register before ``run()``.
    public func register<W: Workflow>(_ workflow: W) {
        registry.register(workflow)
    }

    /// Runs until cancelled or gracefully shut down.
    /// - Throws: ``SteadfastError`` when the database cannot be reached at start, or its schema
    ///   is missing or newer than this library.
    public func run() async throws {
        let telemetry = Telemetry(configuration.observability)
        var parts: [(run: WorkerRun, client: Client, engine: Engine, pool: ConnectionPool)] = []
        func closeAll() async {
            for part in parts { await part.run.finish(); await part.pool.close() }
        }
        let peers = databases.count > 1 ? ShardPeers() : nil
        for (index, database) in databases.enumerated() {
            var logger = self.logger
            if databases.count > 1 { logger[metadataKey: "shard"] = .stringConvertible(index) }
            let pool = ConnectionPool(configuration: poolDatabase(database), logger: logger)
            // The workflows running at once share commits for their checkpoints (group commit).
            var plain = Engine(pool: pool, logger: logger, telemetry: telemetry)
            plain.peers = peers
            let engine = plain.batchingCheckpoints()
            let run = WorkerRun(worker: self, engine: engine, session: sessionDatabase(database), logger: logger)
            do {
                if databases.count > 1 { try await Self.checkShard(engine, index: index, of: databases.count) }
                try await run.start()
            } catch {
                await pool.close()
                await closeAll()
                throw error
            }
            parts.append((run, Client(database: database, pool: pool, logger: logger, telemetry: telemetry), engine, pool))
        }
        let started = parts
        peers?.set(started.map(\.engine))
        running.withLock { $0 = started.map { ($0.run, $0.client) } }
        defer { running.withLock { $0 = nil } }
        do {
            let schedules = self.schedules
            if started.count == 1 {
                try await ScheduleTicker.declare(schedules, engine: started[0].engine, logger: logger)
            } else {
                // Each schedule on the one shard that ticks it: where it is, else where the map
                // places it.
                var answers: [[String: Bool]] = []
                for part in started { answers.append(try await part.engine.schedulesHere(schedules.map(\.name))) }
                for (index, part) in started.enumerated() {
                    let mine = schedules.filter { schedule in
                        let present = answers.firstIndex { $0[schedule.name] == true }
                        return present.map { $0 == index } ?? (answers[index][schedule.name] != nil)
                    }
                    try await ScheduleTicker.declare(mine, engine: part.engine, logger: logger)
                }
            }
        } catch {
            await closeAll()
            throw error
        }
        await withGracefulShutdownHandler {
            await withDiscardingTaskGroup { group in
                if let ticking = configuration.scheduleTicking {
                    for part in started {
                        group.addTask { await ScheduleTicker(engine: part.engine, ticking: ticking, logger: self.logger).run() }
                    }
                }
                await withDiscardingTaskGroup { loops in
                    for part in started { loops.addTask { await part.run.loop() } }
                }
                group.cancelAll()
            }
        } onGracefulShutdown: {
            for part in started { part.run.stop() }
        }
        running.withLock { $0 = nil }
        for part in started {
            await part.run.finish()
            await part.client.closeListener()
            await part.pool.close()
        }
    }

    /// Refuses a shard list out of order: the database at `index` must say it is shard
    /// `index` of `count`.
    private static func checkShard(_ engine: Engine, index: Int, of count: Int) async throws {
        let identity = try await engine.shardIdentities().first
        guard let identity, identity.shard == index, identity.shards == count else {
            throw SteadfastError(.invalidArgument,
                                 message: "shard \(index) of \(count) in the worker's list is "
                                     + (identity.map { "shard \($0.shard) of \($0.shards)" } ?? "not a shard"),
                                 hint: "List every shard of the cluster in shard order (steadfast.shard_identity() in each).")
        }
    }

    /// The pool's connections (checkpoints, transaction steps): a frozen transaction is ended
    /// after ``Configuration/transactionIdleTimeout``.
    func poolDatabase(_ database: DatabaseConfiguration) -> DatabaseConfiguration {
        var database = database
        if let timeout = configuration.transactionIdleTimeout {
            database.setDefault("idle_in_transaction_session_timeout", timeout)
        }
        return database
    }

    /// The executor's session (claims, heartbeats, releases): nothing on it may wait longer
    /// than the lease.
    func sessionDatabase(_ database: DatabaseConfiguration) -> DatabaseConfiguration {
        var database = database
        database.setDefault("statement_timeout", configuration.lease)
        database.setDefault("idle_in_transaction_session_timeout", configuration.lease)
        return database
    }
}

extension DatabaseConfiguration {
    /// Sets a duration parameter (in whole milliseconds, at least 1) unless it is set already.
    fileprivate mutating func setDefault(_ name: String, _ duration: Duration) {
        guard sessionSettings[name] == nil else { return }
        sessionSettings[name] = "\(max(1, Int64((duration.inSeconds * 1000).rounded(.up))))ms"
    }
}
