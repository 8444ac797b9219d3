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
public final class Worker: Service, Sendable {
    /// How the worker behaves.
    public let configuration: Configuration
    /// The executor id this worker registers.
    public let executorID: String

    let database: DatabaseConfiguration
    let logger: Logger
    let registry = WorkflowRegistry()
    /// The cron schedules declared in code, by name (``schedule(_:)``).
    let declaredSchedules = Mutex<[String: Schedule]>([:])
    /// While ``run()`` runs: the run, and a client on its pool for the handles ``start(_:_:options:)``
    /// returns.
    let running = Mutex<(run: WorkerRun, client: Client)?>(nil)

    /// How many workflows hold one of the worker's slots now (0 while it is not running).
    package var inFlight: Int { running.withLock { $0?.run }?.inFlight ?? 0 }

    /// Creates a worker; nothing connects until ``run()``.
    /// - Parameters:
    ///   - database: Where the engine lives. The worker's pool uses its `maximumConnections`.
    ///   - configuration: Queues, concurrency, polling, lease. Defaults to ``Configuration/init(executorID:queues:concurrency:pollInterval:pollJitter:lease:heartbeatInterval:appVersion:shutdownGracePeriod:scheduleTicking:)``'s defaults.
    ///   - logger: Where to log; workflow ids and steps travel in the metadata. Defaults to a
    ///     logger labelled `steadfast.worker`.
    public init(database: DatabaseConfiguration, configuration: Configuration = Configuration(),
                logger: Logger = Logger(label: "steadfast.worker")) {
        self.database = database
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
        let pool = ConnectionPool(configuration: poolDatabase, logger: logger)
        // The workflows running at once share commits for their checkpoints (group commit).
        let telemetry = Telemetry(configuration.observability)
        let engine = Engine(pool: pool, logger: logger, telemetry: telemetry).batchingCheckpoints()
        let run = WorkerRun(worker: self, engine: engine)
        do {
            try await run.start()
        } catch {
            await pool.close()
            throw error
        }
        let client = Client(database: database, pool: pool, logger: logger, telemetry: telemetry)
        running.withLock { $0 = (run, client) }
        defer { running.withLock { $0 = nil } }
        do {
            try await ScheduleTicker.declare(schedules, engine: engine, logger: logger)
        } catch {
            await run.finish()
            await pool.close()
            throw error
        }
        await withGracefulShutdownHandler {
            await withDiscardingTaskGroup { group in
                if let ticking = configuration.scheduleTicking {
                    group.addTask { await ScheduleTicker(engine: engine, ticking: ticking, logger: self.logger).run() }
                }
                await run.loop()
                group.cancelAll()
            }
        } onGracefulShutdown: {
            run.stop()
        }
        running.withLock { $0 = nil }
        await run.finish()
        await client.closeListener()
        await pool.close()
    }

    /// The pool's connections (checkpoints, transaction steps): a frozen transaction is ended
    /// after ``Configuration/transactionIdleTimeout``.
    var poolDatabase: DatabaseConfiguration {
        var database = self.database
        if let timeout = configuration.transactionIdleTimeout {
            database.setDefault("idle_in_transaction_session_timeout", timeout)
        }
        return database
    }

    /// The executor's session (claims, heartbeats, releases): nothing on it may wait longer
    /// than the lease.
    var sessionDatabase: DatabaseConfiguration {
        var database = self.database
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
