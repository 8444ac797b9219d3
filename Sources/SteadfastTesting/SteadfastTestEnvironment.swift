public import Foundation
public import Logging
public import Steadfast

/// A database of the test's own, migrated, with a fake clock and helpers that run workflows
/// exactly as production does — real PostgreSQL, real checkpoints, the same execution path as
/// a `Worker` — plus step stubs and crash injection.
///
/// ```swift
/// @Test func chargesOnce() async throws {
///     let env = try await SteadfastTestEnvironment.make()
///     let crashed = try await env.run(Checkout(), .init(cart: 7), crashAfterStep: 1)
///     let resumed = try await env.resume(Checkout(), id: crashed.workflowID)
///     #expect(resumed.replayedSteps == ["charge"])
///     await env.close()
/// }
/// ```
///
/// Each environment creates its own database on ``SteadfastTestServer/shared()``
/// (`DATABASE_URL`, or a throwaway local server), so suites run in parallel; ``close()`` drops it.
public final class SteadfastTestEnvironment: Sendable {
    /// The environment's database; give it to a `Worker` or `Client` of your own.
    public let database: DatabaseConfiguration
    /// The database's clock.
    public let clock: FakeClock
    /// Where executions log. Defaults to warnings and errors only.
    public let logger: Logger
    /// Where runs' spans and metrics go; ``client()`` uses it too.
    public let observability: Observability

    let engine: Engine
    let pool: ConnectionPool
    let databaseName: String
    let server: SteadfastTestServer

    private init(database: DatabaseConfiguration, databaseName: String, server: SteadfastTestServer, logger: Logger,
                 observability: Observability) {
        self.database = database
        self.databaseName = databaseName
        self.server = server
        self.logger = logger
        self.observability = observability
        self.pool = ConnectionPool(configuration: database, logger: logger)
        self.engine = Engine(pool: pool, logger: logger, telemetry: Telemetry(observability))
        self.clock = FakeClock(engine: engine)
    }

    /// Creates a fresh database on the test server and installs the engine in it.
    /// - Parameters:
    ///   - server: Where to create it. Defaults to ``SteadfastTestServer/shared()``.
    ///   - fakeTime: Where the fake clock starts. Defaults to `nil`: the clock runs in real
    ///     time until the test sets or advances it.
    ///   - logger: Where executions log. Defaults to a logger showing warnings and errors.
    ///   - observability: Where runs' spans and metrics go (a ``TestTracer`` to assert them).
    ///     Defaults to the bootstrapped tracer and metrics factory, if any.
    public static func make(server: SteadfastTestServer? = nil, fakeTime: Date? = nil,
                            logger: Logger? = nil,
                            observability: Observability = Observability()) async throws -> SteadfastTestEnvironment {
        let server = try server ?? SteadfastTestServer.shared()
        let logger = logger ?? {
            var logger = Logger(label: "steadfast.testing")
            logger.logLevel = .warning
            return logger
        }()
        let name = "steadfast_test_\(UInt64.random(in: 0...UInt64.max) & 0xffff_ffff_ffff)"
        let admin = DatabaseConfiguration(connectionString: server.connectionString, maximumConnections: 1)
        try await Migrator.createDatabase(name, using: admin, logger: logger)
        var database = DatabaseConfiguration(connectionString: server.connectionString, applicationName: "steadfast-testing")
        database.parameterOverrides = [("dbname", name)]
        try await Migrator(configuration: database, logger: logger).migrate()
        let environment = SteadfastTestEnvironment(database: database, databaseName: name, server: server, logger: logger,
                                                   observability: observability)
        if let fakeTime {
            try await environment.clock.set(to: fakeTime)
        }
        return environment
    }

    /// Closes the environment's connections and drops its database.
    public func close() async {
        await pool.close()
        let admin = DatabaseConfiguration(connectionString: server.connectionString, maximumConnections: 1)
        try? await Migrator.dropDatabase(databaseName, using: admin, logger: logger)
    }

    /// A client on the environment's database; close it when done.
    public func client() async throws -> Client {
        try await Client.connect(database, logger: logger, observability: observability)
    }

    /// Runs a new workflow to the end of one execution, as a worker would: it is started and
    /// claimed by an executor of its own, its code runs with a real context, and it is completed
    /// or failed.
    /// - Parameters:
    ///   - workflow: The workflow (with whatever dependencies the test gives it).
    ///   - input: Its input.
    ///   - id: Its id. Defaults to `nil`: a new UUID.
    ///   - options: How to start it (queue, retry policy…). Defaults to `StartOptions/init(id:queue:priority:delay:retry:maxRecoveryAttempts:appVersion:)`'s defaults.
    ///   - replacing: Steps whose code is not run: their given result is recorded as if the
    ///     step had returned it. Defaults to none.
    ///   - preRecorded: Steps recorded before the workflow runs, as if an earlier execution had
    ///     completed them; the workflow replays them. Defaults to none.
    ///   - crashAfterStep: Crash (as `kill -9` would) right after this many steps were run and
    ///     recorded; the workflow stays held by a dead executor until ``resume(_:id:replacing:crashAfterStep:)``.
    ///     Defaults to `nil`: no crash.
    public func run<W: Workflow>(_ workflow: W, _ input: W.Input, id: String? = nil,
                                 options: StartOptions = StartOptions(), replacing: StepResults = [:],
                                 preRecorded: StepResults = [:], crashAfterStep: Int? = nil) async throws -> TestRun<W.Output> {
        let executor = try await TestExecutor.register(database: database, logger: logger)
        let inputJSON = try JSONCoding.encode(input)
        // Started as a client starts it: in a `StartWorkflow` span whose context it carries.
        let (claimedOrNil, _, _) = try await engine.telemetry.withStartSpan(W.name) { trace, _ in
            try await Engine.startAndClaim(
                on: executor.session, executorID: executor.id, id: id ?? options.id, name: W.name,
                inputJSON: inputJSON, options: options.json.merging(trace) { given, _ in given })
        }
        guard var claimed = claimedOrNil else {
            await executor.stop()
            throw TestRunError(workflowID: id ?? "", description: "the workflow was not claimable (it exists and is not enqueued, or starts later)")
        }
        if !preRecorded.json.isEmpty {
            for (key, json) in preRecorded.json.sorted(by: { $0.key < $1.key }) {
                let (name, occurrence) = Self.split(key)
                try await engine.recordStep(StepRecord(workflowID: claimed.id, attempt: claimed.attempt, name: name,
                                                       occurrence: occurrence, outputJSON: json, error: nil,
                                                       startedAt: Date(), runs: 1, parallel: true))
            }
            claimed.steps = try await engine.workflow(id: claimed.id).steps.map {
                RecordedStep(key: $0.key, seq: $0.seq, name: $0.name, output: $0.outputJSON.map { Data($0.utf8) },
                             error: $0.error, parallel: true, attempt: $0.attempt)
            }
        }
        return try await execute(workflow, claimed: claimed, executor: executor, replacing: replacing, crashAfterStep: crashAfterStep)
    }

    /// Runs the next execution of an existing workflow — after a crash, or once a retry's delay
    /// has passed (advance ``clock``) — on a new executor: crashed executors are declared dead
    /// first, as the next claim of any worker would.
    /// - Throws: ``TestRunError`` when the workflow is not claimable (running under a live
    ///   executor, finished, or not yet available).
    public func resume<W: Workflow>(_ workflow: W, id: String, replacing: StepResults = [:],
                                    crashAfterStep: Int? = nil) async throws -> TestRun<W.Output> {
        try await engine.recoverWorkflows()
        let record = try await engine.workflow(id: id)
        let executor = try await TestExecutor.register(database: database, logger: logger)
        let (claimedOrNil, _, _) = try await Engine.startAndClaim(
            on: executor.session, executorID: executor.id, id: id, name: W.name, inputJSON: record.inputJSON,
            options: ["queue": .string(record.queue)])
        guard let claimed = claimedOrNil else {
            await executor.stop()
            throw TestRunError(workflowID: id, description: "workflow \(id) is \(record.status.rawValue) and not claimable now")
        }
        return try await execute(workflow, claimed: claimed, executor: executor, replacing: replacing, crashAfterStep: crashAfterStep)
    }

    /// Runs a new workflow until it finishes: after each failed execution whose retry policy
    /// put it back in the queue, the fake clock is advanced to its retry time and it runs again.
    /// - Returns: Every execution, in order; the last one finished the workflow.
    public func runToCompletion<W: Workflow>(_ workflow: W, _ input: W.Input, id: String? = nil,
                                             options: StartOptions = StartOptions(),
                                             maxExecutions: Int = 20) async throws -> [TestRun<W.Output>] {
        var runs = [try await run(workflow, input, id: id, options: options)]
        while case .failed(_, willRetry: true) = runs.last!.outcome, runs.count < maxExecutions {
            let id = runs.last!.workflowID
            if let availableAt = try await engine.workflow(id: id).availableAt, availableAt > (try await clock.now()) {
                try await clock.set(to: availableAt)
            }
            runs.append(try await resume(workflow, id: id))
        }
        return runs
    }

    /// The workflow as stored: status, output, error and recorded steps.
    public func workflow(_ id: String) async throws -> WorkflowRecord {
        try await engine.workflow(id: id)
    }

    /// The keys of the workflow's recorded steps, in recording order.
    public func recordedSteps(_ id: String) async throws -> [String] {
        try await engine.workflow(id: id).steps.map(\.key)
    }

    private func execute<W: Workflow>(_ workflow: W, claimed: ClaimedWorkflow, executor: TestExecutor,
                                      replacing: StepResults, crashAfterStep: Int?) async throws -> TestRun<W.Output> {
        let registry = WorkflowRegistry()
        registry.register(workflow)
        let execution = WorkflowExecution(
            claimed: claimed, runner: registry.runner(for: W.name)!, engine: engine, executor: executor.executorSession,
            logger: logger, hooks: WorkflowContext.Hooks(replacements: replacing.json, crashAfterSteps: crashAfterStep))
        let context = execution.makeContext()
        let outcome = await execution.run(in: context)
        let result: TestRun<W.Output>.Outcome
        switch outcome {
        case .succeeded(let json):
            result = .succeeded(try JSONCoding.decode(W.Output.self, from: json))
            await executor.stop()
        case .failed(let status, let error):
            result = .failed(error, willRetry: status == .enqueued)
            await executor.stop()
        case .abandoned:
            result = .abandoned
            await executor.stop()
        case .interrupted:
            result = .crashed
            try await executor.crash(engine: engine)
        case .suspended(let until):
            result = until.map { .sleeping(until: $0) } ?? .waiting
            await executor.stop()
        }
        return TestRun(workflowID: claimed.id, attempt: claimed.attempt, outcome: result,
                       executedSteps: context.executedSteps, replayedSteps: context.replayedSteps)
    }

    static func split(_ key: String) -> (String, Int) {
        if let hash = key.lastIndex(of: "#"), let occurrence = Int(key[key.index(after: hash)...]) {
            return (String(key[..<hash]), occurrence)
        }
        return (key, 1)
    }
}
