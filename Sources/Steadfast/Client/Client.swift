import Foundation
public import Logging
import Synchronization
import Tracing

/// Starts workflows and reads their results, without running any: for web handlers, scripts
/// and services that hand work to workers.
///
/// ```swift
/// let client = try await Client.connect(DatabaseConfiguration(connectionString: url))
/// let handle = try await client.start(SendWelcome.self, SendWelcome.Input(userID: 7),
///                                     options: StartOptions(id: "welcome-7"))
/// let email = try await handle.result()
/// await client.close()
/// ```
///
/// Every method is one call of a `steadfast.*` SQL function.
public final class Client: Sendable {
    package let engine: Engine
    let pool: ConnectionPool
    let database: DatabaseConfiguration
    let logger: Logger
    let waiters: ResultWaiters
    /// Whether the database is a sharded cluster's router (it has `steadfast._router_place`):
    /// no transaction spans its calls.
    let isRouter: Bool
    /// When ``warnIfStranded(name:queue:)`` last asked, by name and queue.
    let strandedChecks = Mutex<[String: ContinuousClock.Instant]>([:])

    /// A client on `pool` (a worker's, for the handles it returns: ``Worker/start(_:_:options:)``).
    init(database: DatabaseConfiguration, pool: ConnectionPool, logger: Logger, telemetry: Telemetry,
         listeningTo shards: [DatabaseConfiguration] = [], isRouter: Bool = false) {
        self.isRouter = isRouter
        self.database = database
        self.pool = pool
        self.logger = logger
        self.engine = Engine(pool: pool, logger: logger, telemetry: telemetry)
        self.waiters = ResultWaiters(databases: shards.isEmpty ? [database] : shards, logger: logger)
    }

    /// Connects and checks that the database's schema is the one this library expects.
    /// - Parameters:
    ///   - database: Where the engine lives; the client's pool uses its `maximumConnections`.
    ///   - logger: Where to log. Defaults to a logger labelled `steadfast.client`.
    ///   - observability: Where spans and metrics go. Defaults to the bootstrapped tracer and
    ///     metrics factory, if any: each start is then a span whose trace the workflow's
    ///     executions join.
    /// - Throws: ``SteadfastError``: ``SteadfastError/Code/connectionFailed``,
    ///   ``SteadfastError/Code/migrationRequired`` or ``SteadfastError/Code/schemaTooNew``.
    public static func connect(_ database: DatabaseConfiguration,
                               logger: Logger = Logger(label: "steadfast.client"),
                               observability: Observability = Observability()) async throws -> Client {
        try await connect(database, listeningTo: [], logger: logger, observability: observability)
    }

    /// Connects to the router of a sharded cluster (docs/scale-out.md) and learns of results,
    /// events and stream writes from the shards, where workflows notify: every call goes
    /// through the router, and a wait ends as soon as its workflow's shard notifies. (With
    /// ``connect(_:logger:observability:)`` on the router, waits find out by polling.)
    /// - Parameters:
    ///   - router: The router database.
    ///   - shards: The shards, in any order; one listening connection each, opened on the first
    ///     wait.
    ///   - logger: Where to log. Defaults to a logger labelled `steadfast.client`.
    ///   - observability: As for one database.
    /// - Throws: ``SteadfastError`` as ``connect(_:logger:observability:)``.
    public static func connect(router: DatabaseConfiguration, shards: [DatabaseConfiguration],
                               logger: Logger = Logger(label: "steadfast.client"),
                               observability: Observability = Observability()) async throws -> Client {
        try await connect(router, listeningTo: shards, logger: logger, observability: observability)
    }

    private static func connect(_ database: DatabaseConfiguration, listeningTo shards: [DatabaseConfiguration],
                                logger: Logger, observability: Observability) async throws -> Client {
        let pool = ConnectionPool(configuration: database, logger: logger)
        let isRouter: Bool
        do {
            isRouter = try await pool.withConnection { connection in
                try await Migrator.verifySchema(on: connection)
                return try await Engine.isRouter(on: connection)
            }
        } catch {
            await pool.close()
            throw error
        }
        return Client(database: database, pool: pool, logger: logger, telemetry: Telemetry(observability), listeningTo: shards,
                      isRouter: isRouter)
    }

    /// Closes the client's connections. Waiting calls fail with ``SteadfastError/Code/shutdown``.
    public func close() async {
        await waiters.close()
        await pool.close()
    }

    /// Stops listening for results (waiting calls fail with ``SteadfastError/Code/shutdown``),
    /// leaving the pool to its owner.
    func closeListener() async {
        await waiters.close()
    }

    /// Starts a workflow, or returns the existing one when `options.id` was used before with the
    /// same workflow name.
    /// - Throws: ``SteadfastError`` — ``SteadfastError/Code/workflowConflict`` when the id belongs
    ///   to a workflow with another name; ``SteadfastError/Code/notFound`` for an unknown queue;
    ///   ``SteadfastError/Code/invalidArgument``; ``SteadfastError/Code/payloadTooLarge``.
    public func start<W: Workflow>(_ workflow: W.Type, _ input: W.Input,
                                   options: StartOptions = StartOptions()) async throws -> WorkflowHandle<W.Output> {
        try await start(workflowNamed: W.name, input, returning: W.Output.self, options: options)
    }

    /// Starts a workflow by its name — for a client that does not link the workflow's code (a
    /// service apart from its workers, a command line): the input is encoded as JSON and the
    /// result decoded as `Output`, as the worker registered under `name` reads and writes them.
    ///
    /// ```swift
    /// let handle = try await client.start(workflowNamed: "ProcessOrder", OrderInput(order: "o-1", amount: 42),
    ///                                     returning: Receipt.self)
    /// ```
    /// - Throws: as ``start(_:_:options:)``.
    public func start<Input: Encodable & Sendable, Output: Codable & Sendable>(
        workflowNamed name: String, _ input: Input, returning: Output.Type = Output.self,
        options: StartOptions = StartOptions()
    ) async throws -> WorkflowHandle<Output> {
        let inputJSON = try JSONCoding.encode(input)
        let started = try await engine.telemetry.withStartSpan(name) { trace, span in
            try await enqueue(name: name, inputJSON: inputJSON, options: options, trace: trace, span: span)
        }
        return WorkflowHandle(id: started.id, created: started.created, client: self)
    }

    /// `start_workflow`, with the trace context of the start's span (``Telemetry/withStartSpan(_:_:)``);
    /// counts the workflow when it is created.
    func enqueue(name: String, inputJSON: String, options: StartOptions, trace: [String: JSONValue],
                 span: (any Span)?, on connection: Connection? = nil) async throws -> (id: String, created: Bool) {
        let started = try await engine.start(id: options.id, name: name, inputJSON: inputJSON,
                                             options: options.json.merging(trace) { given, _ in given }, on: connection)
        span?.attributes[TraceAttribute.workflowID] = started.id
        if started.created {
            engine.telemetry.started(name, queue: options.queue)
            if connection == nil { await warnIfStranded(name: name, queue: options.queue) }
        }
        return (started.id, started.created)
    }

    /// Logs a warning when no live executor can run workflows named `name` from `queue` (none
    /// registered it, none claims from the queue, none of their app version): the workflow
    /// just started would wait until one comes. Asked at most once per name and queue every
    /// 30 seconds (`list_stranded`); a failure to ask is ignored.
    func warnIfStranded(name: String, queue: String) async {
        let key = name + "\u{1}" + queue
        let now = ContinuousClock.now
        let due = strandedChecks.withLock { checks -> Bool in
            if let last = checks[key], now - last < .seconds(30) { return false }
            checks[key] = now
            return true
        }
        guard due, let stranded = try? await engine.stranded(queue: queue, name: name, limit: 1).first else { return }
        logger.warning("no live worker can run this workflow yet; it waits in its queue until one can",
                       metadata: ["workflow": .string(name), "queue": .string(queue), "reason": .string(stranded.reason),
                                  "workflow_id": .string(stranded.id)])
    }

    /// A handle on an existing workflow of type `W`, to await its result.
    public func handle<W: Workflow>(_ workflow: W.Type, id: String) -> WorkflowHandle<W.Output> {
        WorkflowHandle(id: id, created: false, client: self)
    }

    /// The workflow with this id: status, payloads, steps.
    /// - Throws: ``SteadfastError`` with code ``SteadfastError/Code/notFound``.
    public func workflow(_ id: String) async throws -> WorkflowRecord {
        try await engine.workflow(id: id)
    }

    /// Workflows, newest first, filtered by status, name and queue.
    /// - Parameters:
    ///   - status: Only these statuses. Defaults to `nil`: all.
    ///   - name: Only workflows of this name. Defaults to `nil`.
    ///   - queue: Only this queue. Defaults to `nil`.
    ///   - limit: At most this many (1…1000). Defaults to 100.
    public func list(status: [WorkflowStatus]? = nil, name: String? = nil, queue: String? = nil,
                     limit: Int = 100) async throws -> [WorkflowSummary] {
        try await engine.list(filter: WorkflowFilter(status: status, name: name, queue: queue), limit: limit, after: nil)
    }

    /// Runs `body` with a function that waits, at most a given time, until the engine notifies
    /// about the workflow (`steadfast_finished`, `steadfast_event`, `steadfast_stream`): what a
    /// live view of it waits on between reads.
    package func watching<T: Sendable>(_ workflowID: String,
                                       _ body: (_ wait: @Sendable (Duration) async -> Void) async throws -> T) async throws -> T {
        let subscription = try await waiters.subscribe(workflowID)
        defer { waiters.unsubscribe(subscription) }
        let doorbell = subscription.doorbell
        return try await body { timeout in await doorbell.wait(timeout: timeout) }
    }

    /// Waits until the workflow reaches a final status and returns it.
    func waitUntilFinished(_ id: String, timeout: Duration?) async throws -> WorkflowRecord {
        let deadline = timeout.map { ContinuousClock.now + $0 }
        let subscription = try await waiters.subscribe(id)
        defer { waiters.unsubscribe(subscription) }
        while true {
            let record = try await engine.workflow(id: id)
            if record.status.isFinal { return record }
            var wait = Duration.seconds(5)  // the safety net if a notification is lost
            if let deadline {
                let left = deadline - ContinuousClock.now
                if left <= .zero {
                    throw SteadfastError(.timeout, message: "workflow \(id) did not finish within \(timeout!)")
                }
                wait = min(wait, left)
            }
            await subscription.doorbell.wait(timeout: wait)
        }
    }
}
