import Foundation
import Logging
import Steadfast
import SteadfastTesting

/// The phases of `make bench`. Figures are collected in `results` (name → value) and printed
/// as a table beside the floor they are compared with.
final class Bench {
    let url: String
    let database: DatabaseConfiguration
    let pool: ConnectionPool
    let engine: Engine
    let client: Client
    /// A client whose starts are traced (a `TestTracer` keeping nothing): its workflows carry a
    /// traceparent, as a traced application's do.
    let tracedClient: Client
    let logger: Logger
    var results: [(name: String, value: Double, unit: String, note: String)] = []
    /// The CPU time the worker processes of the last drain used.
    var lastDrainCPU = 0.0

    init(url: String) async throws {
        self.url = url
        database = DatabaseConfiguration(connectionString: url, maximumConnections: 40, applicationName: "steadfast-bench")
        var logger = Logger(label: "bench")
        logger.logLevel = .error
        self.logger = logger
        try await Steadfast.migrate(database)
        pool = ConnectionPool(configuration: database, logger: logger)
        engine = Engine(pool: pool, logger: logger)
        client = try await Client.connect(database, logger: logger)
        tracedClient = try await Client.connect(database, logger: logger,
                                                observability: Observability(tracer: TestTracer(keepsSpans: false),
                                                                             metricsFactory: DiscardingMetrics()))
    }

    func record(_ name: String, _ value: Double, _ unit: String, _ note: String = "") {
        results.append((name, value, unit, note))
        let formatted = value >= 100 ? String(format: "%.0f", value) : String(format: "%.3f", value)
        print("  \(name.padding(toLength: 46, withPad: " ", startingAt: 0)) \(formatted.leftPadded(10)) \(unit)  \(note)")
    }

    func value(_ name: String) -> Double { results.first { $0.name == name }?.value ?? .nan }

    /// The phases, in the order `run` takes them.
    static let phases = ["floor", "serial", "roundtrips", "enqueue", "drain", "observed", "latency", "wakeups", "recovery", "memory", "sleep", "sleep10k", "children", "messages", "dashboard", "shards"]

    /// Runs the named phases (all of them by default; `steadfast-bench run --only drain,floor`
    /// for profiling one). Ratios need the floor: it runs whenever a phase compares with it.
    func run(only: Set<String>? = nil) async throws {
        func wanted(_ phase: String) -> Bool { only.map { $0.contains(phase) } ?? true }
        if wanted("floor") || wanted("serial") {
            print("== floor (raw libpq, durable commits)")
            try await floor()
        }
        if wanted("serial") {
            print("== serial: 500 workflows × 3 no-op steps, started and run by one process")
            try await serial()
        }
        if wanted("roundtrips") {
            print("== round trips per workflow (pg_stat_statements)")
            try await roundTrips()
        }
        if wanted("enqueue") {
            print("== enqueue")
            try await enqueue()
        }
        if wanted("drain") {
            print("== queue drain: 5,000 workflows × 3 steps")
            for workers in [1, 2, 4] { try await drain(workers: workers) }
            // With group commit, a worker running more workflows at once writes larger batches.
            try await drain(workers: 1, concurrency: 64)
        }
        if wanted("dashboard") {
            print("== dashboard: 1,000,000 workflows")
            try await dashboardAtScale()
        }
        if wanted("observed") {
            print("== observed drain: tracing and metrics bootstrapped vs not, 1 worker × 32")
            try await observedDrain()
        }
        if wanted("latency") {
            print("== claim latency: enqueue → running, idle worker")
            try await claimLatency()
        }
        if wanted("wakeups") {
            print("== wake-ups: result and cancellation notifications, idle cost")
            try await wakeups()
        }
        if wanted("recovery") {
            print("== recovery: 200 workflows inside a step, worker killed with SIGKILL")
            try await recovery()
        }
        if wanted("memory") {
            print("== memory: one worker holding 1,000 concurrent workflows")
            try await memory()
        }
        if wanted("sleep") {
            print("== durable sleep: 1,000 workflows asleep on a worker of 100 slots, all waking at the same second")
            try await sleepers()
        }
        if wanted("sleep10k") {
            print("== durable sleep: 10,000 workflows, each a step, a 2 s sleep and a step, on a worker of 10 slots")
            try await manySleepers()
        }
        if wanted("children") {
            print("== children: a parent fans out to 100 children and awaits them all, on a worker of 10 slots")
            try await fanOut()
        }
        if wanted("messages") {
            print("== messages: round trips to a waiting workflow; a stream of 5,000 values written and read")
            try await messages()
        }
        if wanted("shards") {
            print("== shards: a PL/Proxy router over 4 shards (databases of this server): routing cost, drain 1 vs 4")
            try await shards()
        }
    }

    // MARK: Floor

    func floor() async throws {
        let connection = try await Connection.connect(database, logger: logger)
        _ = try await connection.query("create table if not exists bench_floor (id bigserial primary key, v int not null)")
        _ = try await connection.query("truncate bench_floor")
        for _ in 0..<200 { _ = try await connection.query("select 1") }
        let selects = 3000
        let selectTime = try await Measure.time { for _ in 0..<selects { _ = try await connection.query("select 1") } }
        record("floor.select1.latency", selectTime / Double(selects) * 1000, "ms", "SELECT 1, 1 connection")
        let inserts = 1000
        let insertTime = try await Measure.time {
            for i in 0..<inserts { _ = try await connection.query("insert into bench_floor (v) values ($1::int)", [String(i)]) }
        }
        record("floor.commit.latency", insertTime / Double(inserts) * 1000, "ms", "one-row durable INSERT, 1 connection")
        record("floor.commit.rate.1", Double(inserts) / insertTime, "/s", "commits, 1 connection")
        await connection.close()

        let database = self.database, logger = self.logger
        let connections = try await withThrowingTaskGroup(of: Connection.self) { group in
            for _ in 0..<32 { group.addTask { try await Connection.connect(database, logger: logger) } }
            return try await group.reduce(into: [Connection]()) { $0.append($1) }
        }
        let perConnection = 300
        let selectRate = try await Measure.time {
            try await withThrowingTaskGroup(of: Void.self) { group in
                for c in connections { group.addTask { for _ in 0..<perConnection { _ = try await c.query("select 1") } } }
                try await group.waitForAll()
            }
        }
        record("floor.select1.rate.32", Double(32 * perConnection) / selectRate, "/s", "SELECT 1, 32 connections")
        let commitRate = try await Measure.time {
            try await withThrowingTaskGroup(of: Void.self) { group in
                for c in connections {
                    group.addTask { for i in 0..<perConnection { _ = try await c.query("insert into bench_floor (v) values ($1::int)", [String(i)]) } }
                }
                try await group.waitForAll()
            }
        }
        record("floor.commit.rate.32", Double(32 * perConnection) / commitRate, "/s", "one-row durable INSERTs, 32 connections")
        for c in connections { await c.close() }
    }

    // MARK: Serial

    /// Starts and runs `count` workflows one after another in this process, as an application
    /// running its own workflows does: start-and-claim, the steps, complete.
    func runSerially<W: Workflow>(_ workflow: W, count: Int, input: (Int) -> W.Input) async throws -> Double {
        let session = try await Connection.connect(database, logger: logger)
        let executorID = "bench-serial-\(UUID().uuidString.prefix(8))"
        _ = try await Engine.registerExecutor(on: session, id: executorID, queues: ["default"], leaseSeconds: 300, appVersion: nil)
        let executor = ExecutorSession(id: executorID, connection: session)
        let registry = WorkflowRegistry()
        registry.register(workflow)
        let runner = registry.runner(for: W.name)!
        let time = try await Measure.time {
            for n in 0..<count {
                let (claimed, _, _) = try await Engine.startAndClaim(on: session, executorID: executorID, id: nil, name: W.name,
                                                                  inputJSON: try JSONCoding.encode(input(n)), options: [:])
                let outcome = await WorkflowExecution(claimed: claimed!, runner: runner, engine: engine,
                                                      executor: executor, logger: logger).run()
                guard case .succeeded = outcome else { throw BenchError("serial workflow \(n): \(outcome)") }
            }
        }
        _ = try await Engine.deregisterExecutor(on: session, id: executorID)
        await session.close()
        return time
    }

    /// Starts and runs `count` workflows one after another through the public API an
    /// application uses to run its workflows in its own process: a running ``Worker``'s
    /// `start` (start-and-claim, then the worker runs it) and the handle's `result()`.
    func runPublicly<W: Workflow>(_ workflow: W, count: Int, input: (Int) -> W.Input) async throws -> Double {
        let worker = Worker(database: database, configuration: .init(queues: ["default"], scheduleTicking: nil),
                            logger: logger)
        worker.register(workflow)
        let running = Task { try await worker.run() }
        defer { running.cancel() }
        // Ready once a start runs here (this first one is not measured).
        while true {
            do {
                let handle = try await worker.start(W.self, input(0))
                _ = try await handle.result()
                break
            } catch let error as SteadfastError where error.code == .shutdown {}
            try await Task.sleep(for: .milliseconds(10))
        }
        let time = try await Measure.time {
            for n in 0..<count {
                let handle = try await worker.start(W.self, input(n))
                guard handle.runsHere else { throw BenchError("public serial workflow \(n) did not run here") }
                _ = try await handle.result()
            }
        }
        running.cancel()
        try? await running.value
        return time
    }

    /// Serial workflows in rounds, reporting medians and ranges: single workflows are the most
    /// sensitive to the machine's noise. Each round also measures a commit just before it, for
    /// a ratio taken under the same conditions (on this VM a commit right after other work is
    /// faster than the floor phase's, so that ratio is the stricter one).
    func serial() async throws {
        _ = try await runSerially(NoopWorkflow(), count: 300) { .init(n: $0) }  // warm up: a fresh server's caches
        _ = try await runPublicly(NoopWorkflow(), count: 100) { .init(n: $0) }
        let rounds = 5, count = 100
        let floorConnection = try await Connection.connect(database, logger: logger)
        let before = try await countSucceeded(name: NoopWorkflow.name)
        var workflows: [Double] = [], empties: [Double] = [], steps: [Double] = [], ratios: [Double] = [], floors: [Double] = []
        var publics: [Double] = [], publicRatios: [Double] = [], raws: [Double] = [], rawRatios: [Double] = []
        for _ in 0..<rounds {
            let inserts = 300
            let floorTime = try await Measure.time {
                for i in 0..<inserts { _ = try await floorConnection.query("insert into bench_floor (v) values ($1::int)", [String(i)]) }
            }
            let threeSteps = try await runSerially(NoopWorkflow(), count: count) { .init(n: $0) }
            let raw = try await Measure.time {
                for n in 0..<count { try await rawWorkflow(floorConnection, n: n) }
            }
            raws.append(raw / Double(count) * 1000)
            rawRatios.append(threeSteps / raw)
            let empty = try await runSerially(EmptyWorkflow(), count: count) { .init(n: $0) }
            let publicly = try await runPublicly(NoopWorkflow(), count: count) { .init(n: $0) }
            publics.append(publicly / Double(count) * 1000)
            publicRatios.append(publicly / threeSteps)
            let commit = floorTime / Double(inserts) * 1000
            let step = (threeSteps - empty) / Double(count * 3) * 1000
            floors.append(commit)
            workflows.append(threeSteps / Double(count) * 1000)
            empties.append(empty / Double(count) * 1000)
            steps.append(step)
            ratios.append(step / commit)
        }
        _ = try await floorConnection.query("delete from steadfast.workflows where name = 'bench.raw'")
        await floorConnection.close()
        // Each public round also ran its readiness probe: one more workflow.
        try await expect(try await countSucceeded(name: NoopWorkflow.name) - before == rounds * (2 * count + 1),
                         "1,005 succeeded serial workflows")
        let median = { (values: [Double]) in Measure.percentile(values, 50) }
        let range = { (values: [Double]) in String(format: "%.3f–%.3f", values.min() ?? .nan, values.max() ?? .nan) }
        let commit = value("floor.commit.latency")
        record("serial.workflow.3steps", median(workflows), "ms", "median of \(rounds) rounds of \(count) (\(range(workflows))); target ≤ 1.5 ms")
        record("serial.workflow.3steps.floor.ratio", median(workflows) / commit, "×",
               "3-step workflow / the floor's commit latency; target ≤ 7×")
        record("serial.public.3steps", median(publics), "ms",
               "the same through Worker.start + handle.result() (\(range(publics)))")
        record("serial.public.ratio", median(publicRatios), "×",
               "public path / package-level start-and-claim, same round (\(range(publicRatios))); target ≤ 1.1×")
        record("serial.raw.3steps", median(raws), "ms",
               "the same rows written by 4 plain statements, no engine (\(range(raws)))")
        record("serial.raw.floor.ratio", median(raws) / commit, "×", "plain statements / the floor's commit latency")
        record("serial.engine.raw.ratio", median(rawRatios), "×",
               "3-step workflow / its rows by plain statements, same round (\(range(rawRatios)))")
        record("serial.workflow.0steps", median(empties), "ms", "start-and-claim + complete (\(range(empties)))")
        record("serial.step", median(steps), "ms", "per-step overhead ((3-step − 0-step) / 3) (\(range(steps)))")
        record("serial.step.ratio", median(steps) / commit, "×", "per-step overhead / the floor's commit latency; target ≤ 1.5×")
        record("serial.round.commit", median(floors), "ms", "durable INSERT measured in each round, just before it (\(range(floors)))")
        record("serial.step.ratio.round", median(ratios), "×", "per-step overhead / its own round's commit (\(range(ratios)))")
    }

    /// The rows of a 3-step workflow written by plain statements on a raw connection, as a
    /// client without an engine would: the workflow inserted running, a step per statement,
    /// the last with the completion — the same four durable commits, without options, fencing,
    /// idempotency or numbering. The serial figure's lower bound in the same run.
    func rawWorkflow(_ connection: Connection, n: Int) async throws {
        let id = "bench-raw-" + UUID().uuidString
        _ = try await connection.query("""
            insert into steadfast.workflows (id, name, status, queue, input, attempt, executor_id, started_at)
            values ($1, 'bench.raw', 'running', 'default', jsonb_build_object('n', $2::int), 1, 'bench-raw', now())
            """, [id, String(n)])
        let step = """
            insert into steadfast.steps (workflow_id, step_key, seq, name, output, attempt, started_at, total_bytes)
            values ($1, $2, $3::int, $2, to_jsonb($4::int), 1, now(), 278 * $3::int)
            """
        _ = try await connection.query(step, [id, "a", "1", String(n)])
        _ = try await connection.query(step, [id, "b", "2", String(n + 1)])
        _ = try await connection.query("""
            with s as (\(step))
            update steadfast.workflows set status = 'succeeded', output = to_jsonb($4::int), executor_id = null,
                   completed_at = now(), updated_at = now()
            where id = $1
            """, [id, "c", "3", String(n + 2)])
    }

    // MARK: Round trips

    func roundTrips() async throws {
        let admin = try await Connection.connect(database, logger: logger)
        _ = try await admin.query("create extension if not exists pg_stat_statements")
        _ = try await admin.query("select pg_stat_statements_reset()")
        let count = 100
        _ = try await runSerially(NoopWorkflow(), count: count) { .init(n: $0) }
        let rows = try await admin.query("""
            select coalesce(sum(calls), 0)::bigint as calls from pg_stat_statements
            where dbid = (select oid from pg_database where datname = current_database())
              and query not like '%pg_stat_statements%' and query not like '%register_executor%'
              and query not like '%deregister_executor%'
            """)
        let calls = Double(try rows[0].int("calls"))
        record("roundtrips.per.3step.workflow", calls / Double(count), "statements",
               "start-and-claim, 2 checkpoints, the last with the completion: target N+1 = 4")
        await admin.close()
    }

    // MARK: Enqueue

    func enqueue() async throws {
        let queue = "bench_enqueue"
        try await freshQueue(queue)
        let single = 2000
        let singleTime = try await Measure.time {
            for n in 0..<single {
                _ = try await client.start(NoopWorkflow.self, .init(n: n), options: StartOptions(queue: queue))
            }
        }
        record("enqueue.single.rate", Double(single) / singleTime, "/s", "start_workflow, one commit each, 1 connection")
        let batches = 10, batchSize = 5000
        let batchTime = try await Measure.time {
            for _ in 0..<batches {
                let batch = (0..<batchSize).map { (input: NoopWorkflow.Input(n: $0), options: StartOptions(queue: queue)) }
                _ = try await client.start(NoopWorkflow.self, batch: batch)
            }
        }
        record("enqueue.batch.rate", Double(batches * batchSize) / batchTime, "/s", "start_workflows, 5,000 per call (target ≥ 50,000/s)")
        try await expect(try await countStatus(queue: queue, status: "enqueued") == single + batches * batchSize, "all enqueued")
        _ = try await pool.query("delete from steadfast.workflows where queue = $1", [queue])
    }

    // MARK: Queue drain

    func drain(workers: Int, concurrency: Int = 32) async throws {
        let rate = try await drainRate(workers: workers, concurrency: concurrency)
        let name = concurrency == 32 ? "drain.\(workers)worker" : "drain.\(workers)worker.c\(concurrency)"
        record("\(name).workflows", rate, "/s", "\(workers) worker process(es) × \(concurrency) concurrency (target ≥ 2,500/s)")
        record("\(name).steps", rate * 3, "/s", "")
    }

    /// The drain of one worker × 32 with tracing and metrics bootstrapped (backends that
    /// discard what they get, a TestTracer keeping nothing and DiscardingMetrics.swift; the workflows carry a traceparent,
    /// as when started by a traced client) beside the same drain without, alternated three
    /// times each so that both see the same machine: the medians' ratio is the cost of the
    /// instrumentation.
    func observedDrain() async throws {
        var plain: [Double] = []
        var observed: [Double] = []
        var plainCPU: [Double] = []
        var observedCPU: [Double] = []
        for _ in 0..<3 {
            plain.append(try await drainRate(workers: 1, concurrency: 32))
            plainCPU.append(lastDrainCPU)
            observed.append(try await drainRate(workers: 1, concurrency: 32, observed: true))
            observedCPU.append(lastDrainCPU)
        }
        let plainMedian = Measure.percentile(plain, 50)
        let observedMedian = Measure.percentile(observed, 50)
        record("drain.observed.plain", plainMedian, "/s", "median of 3, without tracing or metrics")
        record("drain.observed.traced", observedMedian, "/s", "median of 3, tracer and metrics bootstrapped")
        record("drain.observed.ratio", observedMedian / plainMedian, "×", "target ≥ 0.95")
        // The worker's own CPU per workflow (the whole process, libpq included): less noisy
        // than the rate, which the database's share of the two cores sets.
        let plainMicros = Measure.percentile(plainCPU, 50) / 5000 * 1e6
        let observedMicros = Measure.percentile(observedCPU, 50) / 5000 * 1e6
        record("drain.observed.cpu.plain", plainMicros, "µs", "worker CPU per workflow, without")
        record("drain.observed.cpu.traced", observedMicros, "µs", "worker CPU per workflow, with")
    }

    /// Drains 5,000 three-step workflows with `workers` worker processes; returns workflows/s.
    func drainRate(workers: Int, concurrency: Int, observed: Bool = false) async throws -> Double {
        let queue = "bench_drain_\(workers)_\(concurrency)" + (observed ? "_observed" : "")
        try await freshQueue(queue)
        let total = 5000
        let starter = observed ? tracedClient : client
        for chunk in stride(from: 0, to: total, by: 5000) {
            let batch = (chunk..<min(total, chunk + 5000)).map { (input: NoopWorkflow.Input(n: $0), options: StartOptions(queue: queue)) }
            _ = try await starter.start(NoopWorkflow.self, batch: batch)
        }
        if observed {
            try await expect(try await pool.query("select count(*) as n from steadfast.workflows where queue = $1 and traceparent is not null",
                                                  [queue])[0].int("n") == total, "the workflows carry a traceparent")
        }
        let processes = try (0..<workers).map { _ in
            try WorkerProcess(queue: queue, concurrency: concurrency, holdMilliseconds: 0, pool: 8, observed: observed)
        }
        for process in processes { await process.waitUntilReady() }
        // A cheap probe (two partial-index look-ups), not a count, and not often: the poll must
        // not take the CPU it measures. While the drain runs, those indexes are full of the
        // entries of workflows that moved on, and a probe cost 15 ms of server time — every
        // 50 ms, it took a third of a core from the drain. The rate is measured from the rows'
        // timestamps, not from when the poll noticed the end.
        try await waitUntil(timeout: 300, every: .milliseconds(500)) { try await !self.hasUnfinished(queue: queue) }
        lastDrainCPU = processes.map(\.cpuSeconds).reduce(0, +)
        processes.forEach { $0.terminate() }
        try await expect(try await countStatus(queue: queue, status: "succeeded") == total, "5,000 succeeded")
        let rows = try await pool.query("""
            select extract(epoch from max(completed_at) - min(started_at))::float8 as seconds,
                   (select count(*) from steadfast.steps s join steadfast.workflows w on w.id = s.workflow_id where w.queue = $1) as steps
            from steadfast.workflows where queue = $1
            """, [queue])
        let seconds = try rows[0].double("seconds")
        try await expect(try rows[0].int("steps") == total * 3, "15,000 steps recorded")
        for p in processes { _ = await p.waitForExit() }
        return Double(total) / seconds
    }

    // MARK: Claim latency

    func claimLatency() async throws {
        let queue = "bench_latency"
        try await freshQueue(queue)
        let worker = try WorkerProcess(queue: queue, concurrency: 10, holdMilliseconds: 0, pool: 4)
        await worker.waitUntilReady()
        try await Task.sleep(for: .seconds(1))
        let samples = 200
        for n in 0..<samples {
            _ = try await client.start(EmptyWorkflow.self, .init(n: n), options: StartOptions(queue: queue))
            try await Task.sleep(for: .milliseconds(Int.random(in: 10...30)))
        }
        try await waitUntil(timeout: 60) { try await self.countStatus(queue: queue, status: "succeeded") == samples }
        worker.terminate()
        let rows = try await pool.query(
            "select extract(epoch from started_at - created_at)::float8 * 1000 as ms from steadfast.workflows where queue = $1", [queue])
        let latencies = try rows.map { try $0.double("ms") }
        record("claim.latency.p50", Measure.percentile(latencies, 50), "ms", "start → claimed, woken by NOTIFY")
        record("claim.latency.p99", Measure.percentile(latencies, 99), "ms", "")
        _ = await worker.waitForExit()
    }

    // MARK: Recovery

    func recovery() async throws {
        let queue = "bench_recovery"
        try await freshQueue(queue)
        let victim = try WorkerProcess(queue: queue, concurrency: 200, holdMilliseconds: 600_000, pool: 20)
        await victim.waitUntilReady()
        let batch = (0..<200).map { (input: HoldWorkflow.Input(n: $0), options: StartOptions(queue: queue)) }
        _ = try await client.start(HoldWorkflow.self, batch: batch)
        try await waitUntil(timeout: 60) { try await self.countStatus(queue: queue, status: "running") == 200 }
        let survivor = try WorkerProcess(queue: queue, concurrency: 200, holdMilliseconds: 0, pool: 20)
        await survivor.waitUntilReady()
        try await Task.sleep(for: .seconds(1))
        let start = ContinuousClock.now
        victim.kill()
        try await waitUntil(timeout: 120, every: .milliseconds(5)) { try await self.countStatus(queue: queue, status: "succeeded") == 200 }
        let seconds = (ContinuousClock.now - start).secondsValue
        record("recovery.200.seconds", seconds, "s", "kill -9 → all 200 completed by the other worker (target < 1 s; lease 30 s)")
        survivor.terminate()
        _ = await survivor.waitForExit()
        _ = await victim.waitForExit()
    }

    // MARK: Memory

    func memory() async throws {
        let queue = "bench_memory"
        try await freshQueue(queue)
        let worker = try WorkerProcess(queue: queue, concurrency: 1000, holdMilliseconds: 600_000, pool: 10)
        await worker.waitUntilReady()
        let batch = (0..<1000).map { (input: HoldWorkflow.Input(n: $0), options: StartOptions(queue: queue)) }
        _ = try await client.start(HoldWorkflow.self, batch: batch)
        try await waitUntil(timeout: 120) { try await self.countStatus(queue: queue, status: "running") == 1000 }
        try await Task.sleep(for: .milliseconds(500))
        let rss = peakRSS(pid: worker.pid) ?? .nan
        record("memory.1000.workflows.peak.rss", rss, "MiB", "peak RSS of the worker (target ≤ 100 MB)")
        worker.kill()
        _ = await worker.waitForExit()
        _ = try await engine.recoverWorkflows()
    }

    // MARK: Durable sleep

    /// 1,000 workflows each run a step, sleep until the same instant and run a step: they all
    /// sleep at once on a worker of 100 slots (holding none), then wake together. Lateness is
    /// how long after that instant each one's second step started (its recorded start time);
    /// the worker's RSS is read once all sleep.
    func sleepers() async throws {
        let queue = "bench_sleep"
        try await freshQueue(queue)
        let count = 1000, slots = 100
        let worker = try WorkerProcess(queue: queue, concurrency: slots, holdMilliseconds: 0, pool: 10)
        await worker.waitUntilReady()
        let wakeAt = Date().addingTimeInterval(10).timeIntervalSince1970.rounded(.up)
        let batch = (0..<count).map { (input: SleepWorkflow.Input(n: $0, wakeAt: wakeAt), options: StartOptions(queue: queue)) }
        _ = try await client.start(SleepWorkflow.self, batch: batch)
        var mostRunning = 0
        try await waitUntil(timeout: 60, every: .milliseconds(100)) {
            mostRunning = max(mostRunning, try await self.countStatus(queue: queue, status: "running"))
            return try await self.countStatus(queue: queue, status: "waiting") == count
        }
        try await expect(Date().timeIntervalSince1970 < wakeAt, "all 1,000 asleep before their wake time")
        let asleepRSS = peakRSS(pid: worker.pid) ?? .nan
        try await waitUntil(timeout: 120, every: .milliseconds(500)) {
            try await self.countStatus(queue: queue, status: "succeeded") == count
        }
        let rows = try await pool.query("""
            select extract(epoch from s.started_at)::float8 - $2::float8 as late
            from steadfast.steps s join steadfast.workflows w on w.id = s.workflow_id
            where w.queue = $1 and s.step_key = 'b'
            """, [queue, String(wakeAt)])
        let lateness = try rows.map { try $0.double("late") * 1000 }
        try await expect(lateness.count == count && lateness.allSatisfy { $0 >= 0 }, "1,000 woke, none early")
        record("sleep.wake.lateness.p50", Measure.percentile(lateness, 50), "ms", "wake time → the step after the sleep starts")
        record("sleep.wake.lateness.p99", Measure.percentile(lateness, 99), "ms", "all 1,000 wake together: the last wait for a slot")
        record("sleep.asleep.peak.rss", asleepRSS, "MiB", "peak RSS of the worker once all 1,000 slept (target ≤ 60 MiB)")
        record("sleep.running.max", Double(mostRunning), "workflows", "most seen running at once (slots: \(slots))")
        worker.terminate()
        _ = await worker.waitForExit()
    }

    /// 10,000 workflows, each a step, a 2 s durable sleep and a step, on one worker of 10
    /// slots: every one completes, the worker never runs more than 10 at once (sleepers hold
    /// no slot), and its memory stays small however many sleep.
    func manySleepers() async throws {
        let queue = "bench_sleep10k"
        try await freshQueue(queue)
        let count = 10_000, slots = 10
        let worker = try WorkerProcess(queue: queue, concurrency: slots, holdMilliseconds: 0, pool: 10)
        await worker.waitUntilReady()
        let started = ContinuousClock.now
        for chunk in stride(from: 0, to: count, by: 5000) {
            let batch = (chunk..<chunk + 5000).map { (input: SleepForWorkflow.Input(n: $0, seconds: 2), options: StartOptions(queue: queue)) }
            _ = try await client.start(SleepForWorkflow.self, batch: batch)
        }
        var mostRunning = 0, mostWaiting = 0
        try await waitUntil(timeout: 600, every: .milliseconds(250)) {
            let rows = try await self.pool.query("""
                select count(*) filter (where status = 'running') as running,
                       count(*) filter (where status = 'waiting') as waiting,
                       count(*) filter (where status = 'succeeded') as succeeded
                from steadfast.workflows where queue = $1 and status in ('running', 'waiting', 'succeeded')
                """, [queue])
            mostRunning = max(mostRunning, try rows[0].int("running"))
            mostWaiting = max(mostWaiting, try rows[0].int("waiting"))
            return try rows[0].int("succeeded") == count
        }
        let elapsed = ContinuousClock.now - started
        let rss = peakRSS(pid: worker.pid) ?? .nan
        let rows = try await pool.query("""
            select extract(epoch from b.started_at - (z.output ->> 'until')::timestamptz)::float8 * 1000 as late
            from steadfast.workflows w
            join steadfast.steps z on z.workflow_id = w.id and z.step_key = 'sleep'
            join steadfast.steps b on b.workflow_id = w.id and b.step_key = 'b'
            where w.queue = $1
            """, [queue])
        let lateness = try rows.map { try $0.double("late") }
        try await expect(lateness.count == count && lateness.allSatisfy { $0 >= 0 }, "10,000 woke, none early")
        try await expect(mostRunning <= slots, "never more than \(slots) running at once (saw \(mostRunning))")
        record("sleep10k.seconds", Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18, "s",
               "start → all 10,000 completed")
        record("sleep10k.running.max", Double(mostRunning), "workflows", "most seen running at once (slots: \(slots))")
        record("sleep10k.waiting.max", Double(mostWaiting), "workflows", "most seen asleep at once")
        record("sleep10k.peak.rss", rss, "MiB", "peak RSS of the worker over the whole run (target ≤ 60 MiB)")
        record("sleep10k.lateness.p50", Measure.percentile(lateness, 50), "ms", "wake time → the step after the sleep starts")
        record("sleep10k.lateness.p99", Measure.percentile(lateness, 99), "ms", "")
        worker.terminate()
        _ = await worker.waitForExit()
    }

    /// A parent starts 100 one-step children — in one `startChildren` call, or one
    /// `startChild` after another — and waits for all of them with one wait: the time from its
    /// start to its completion (median of 7 each), against the time the same worker takes to
    /// run 100 such workflows started by a client in one batch (the baseline). The three are
    /// measured in turn, in the same run.
    func fanOut() async throws {
        let queue = "bench_children"
        try await freshQueue(queue)
        let count = 100, slots = 10
        let worker = try WorkerProcess(queue: queue, concurrency: slots, holdMilliseconds: 0, pool: 10)
        await worker.waitUntilReady()
        var fanOuts: [Double] = [], sequentials: [Double] = [], batches: [Double] = []
        for round in 0..<8 {
            let fanOut = try await Measure.time {
                let handle = try await client.start(FanOutWorkflow.self, .init(count: count, queue: queue, batched: true),
                                                    options: StartOptions(queue: queue))
                _ = try await handle.result(timeout: .seconds(120))
            }
            let sequential = try await Measure.time {
                let handle = try await client.start(FanOutWorkflow.self, .init(count: count, queue: queue, batched: false),
                                                    options: StartOptions(queue: queue))
                _ = try await handle.result(timeout: .seconds(120))
            }
            let batch = try await Measure.time {
                let handles = try await client.start(FanOutChild.self, batch: (0..<count).map { (input: .init(n: $0), options: StartOptions(queue: queue)) })
                for handle in handles { _ = try await handle.result(timeout: .seconds(120)) }
            }
            if round > 0 {  // the first warms up
                fanOuts.append(fanOut * 1000); sequentials.append(sequential * 1000); batches.append(batch * 1000)
            }
        }
        let parents = try await pool.query("""
            select count(*) as n, max(attempt) as attempts from steadfast.workflows where queue = $1 and name = 'bench.fanout'
            """, [queue])
        try await expect(try parents[0].int("n") == 16 && parents[0].int("attempts") <= 2,
                         "each parent claimed at most twice (one wait, one wake)")
        let fanOut = Measure.percentile(fanOuts, 50), sequential = Measure.percentile(sequentials, 50)
        let batch = Measure.percentile(batches, 50)
        record("children.fanout100.ms", fanOut, "ms", "parent start → parent complete, 100 children by startChildren (median of 7)")
        record("children.fanout100.sequential.ms", sequential, "ms", "the same, 100 startChild calls")
        record("children.batch100.ms", batch, "ms", "baseline: 100 one-step workflows started in one batch → all complete")
        record("children.fanout100.ratio", fanOut / batch, "×", "startChildren fan-out / baseline, same run")
        record("children.fanout100.sequential.ratio", sequential / batch, "×", "startChild one by one / baseline, same run")
        worker.terminate()
        _ = await worker.waitForExit()
    }

    /// Message round trips: the bench sends message n to a workflow that waits for it (holding
    /// no slot), the workflow answers with the event "reply-n", and the bench reads it
    /// (`getEvent` with a timeout, woken by NOTIFY) — 200 in a row, against the round trip of a
    /// start → result of an empty workflow on the same worker (the baseline, measured in turn).
    /// Then a workflow writes 5,000 values to a stream (a step each) and the bench reads them
    /// back, against the floor's durable commits on one connection, measured just before.
    func messages() async throws {
        let queue = "bench_messages"
        try await freshQueue(queue)
        let worker = try WorkerProcess(queue: queue, concurrency: 10, holdMilliseconds: 0, pool: 10)
        await worker.waitUntilReady()
        let rounds = 200
        let echo = try await client.start(EchoLoopWorkflow.self, .init(count: rounds), options: StartOptions(queue: queue))
        var trips: [Double] = [], baseline: [Double] = []
        for n in 0..<rounds {
            try await waitUntil(timeout: 30, every: .milliseconds(1)) {
                try await self.client.workflow(echo.id).status == .waiting
            }
            let trip = try await Measure.time {
                try await client.send(to: echo.id, n, topic: "ask")
                let reply = try await client.getEvent(Int.self, workflowID: echo.id, key: "reply-\(n)", timeout: .seconds(30))
                guard reply == n else { throw BenchError("reply \(n): \(String(describing: reply))") }
            }
            trips.append(trip * 1000)
            let empty = try await Measure.time {
                _ = try await client.start(EmptyWorkflow.self, .init(n: n), options: StartOptions(queue: queue)).result(timeout: .seconds(30))
            }
            baseline.append(empty * 1000)
        }
        _ = try await client.handle(EchoLoopWorkflow.self, id: echo.id).result(timeout: .seconds(30))
        let consumed = try await pool.query("select count(*) filter (where consumed_at is not null) as n from steadfast.messages where workflow_id = $1",
                                            [echo.id])[0].int("n")
        try await expect(consumed == rounds, "every message consumed once (\(consumed))")
        let p50 = Measure.percentile(trips, 50), base = Measure.percentile(baseline, 50)
        record("messages.roundtrip.p50", p50, "ms", "send → the waiting workflow receives it → its reply event read by the sender")
        record("messages.roundtrip.p99", Measure.percentile(trips, 99), "ms", "")
        record("messages.roundtrip.first50.p50", Measure.percentile(Array(trips.prefix(50)), 50), "ms", "rounds 1–50 (little to replay)")
        record("messages.roundtrip.last50.p50", Measure.percentile(Array(trips.suffix(50)), 50), "ms", "rounds 151–200 (up to 400 steps replayed)")
        record("messages.baseline.p50", base, "ms", "baseline: start → result of an empty workflow, same worker, in turn")
        record("messages.roundtrip.ratio", p50 / base, "×", "round trip / baseline (p50), same run")

        // Streams: the floor first, then 5,000 writes (one step each) and the read.
        let connection = try await Connection.connect(database, logger: logger)
        _ = try await connection.query("create table if not exists bench_floor (id bigserial primary key, v int not null)")
        let commits = 500
        let floor = try await Measure.time {
            for i in 0..<commits { _ = try await connection.query("insert into bench_floor (v) values ($1::int)", [String(i)]) }
        }
        await connection.close()
        let values = 5000
        let writer = try await client.start(StreamWriterWorkflow.self, .init(count: values), options: StartOptions(queue: queue))
        let written = try await Measure.time { _ = try await writer.result(timeout: .seconds(300)) }
        var read = 0
        let reading = try await Measure.time {
            for try await entry in client.readStream(Int.self, workflowID: writer.id, key: "s") {
                guard entry.value == read else { throw BenchError("stream value \(entry.value) at \(read)") }
                read += 1
            }
        }
        try await expect(read == values, "all \(values) stream values read, in order")
        let floorRate = Double(commits) / floor
        record("stream.write.rate", Double(values) / written, "/s", "values written by one workflow, a step (a commit) each")
        record("stream.write.floor.ratio", (Double(values) / written) / floorRate, "×", "write rate / the floor's durable commits on 1 connection, same run")
        record("stream.read.rate", Double(values) / reading, "/s", "values read by client.readStream, 1,000 per query")
        worker.terminate()
        _ = await worker.waitForExit()
    }

    // MARK: Checks

    /// Defines `queue` and removes what an earlier run against the same database left in it,
    /// so that the counts and times a phase reads are its own.
    func freshQueue(_ queue: String) async throws {
        _ = try await client.defineQueue(Queue(queue))
        _ = try await pool.query("delete from steadfast.workflows where queue = $1", [queue])
    }

    func countSucceeded(name: String) async throws -> Int {
        try await pool.query("select count(*) as n from steadfast.workflows where name = $1 and status = 'succeeded'", [name])[0].int("n")
    }

    func hasUnfinished(queue: String) async throws -> Bool {
        try await pool.query("""
            select exists (select 1 from steadfast.workflows where queue = $1 and status = 'enqueued')
                or exists (select 1 from steadfast.workflows where queue = $1 and status = 'running') as busy
            """, [queue])[0].bool("busy")
    }

    func countStatus(queue: String, status: String) async throws -> Int {
        try await pool.query("select count(*) as n from steadfast.workflows where queue = $1 and status = $2", [queue, status])[0].int("n")
    }

    func expect(_ condition: Bool, _ what: String) async throws {
        if !condition { throw BenchError("check failed: \(what)") }
    }

    func waitUntil(timeout: Double, every interval: Duration = .milliseconds(20), _ condition: () async throws -> Bool) async throws {
        let deadline = ContinuousClock.now + .seconds(timeout)
        while try await !condition() {
            if ContinuousClock.now > deadline { throw BenchError("timed out after \(timeout) s") }
            try await Task.sleep(for: interval)
        }
    }

    // MARK: Report

    func report(jsonPath: String) throws {
        var object: [String: Any] = [:]
        for result in results { object[result.name] = ["value": result.value, "unit": result.unit, "note": result.note] }
        object["machine"] = machineDescription()
        object["date"] = ISO8601DateFormatter().string(from: Date())
        let data = try JSONSerialization.data(withJSONObject: object, options: [.prettyPrinted, .sortedKeys])
        let url = URL(fileURLWithPath: jsonPath)
        try? FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try data.write(to: url)
        print("wrote \(jsonPath)")
    }

    func machineDescription() -> String {
        let cpu = (try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8))?
            .split(separator: "\n").first { $0.hasPrefix("model name") }?.split(separator: ":").last?
            .trimmingCharacters(in: .whitespaces) ?? "unknown CPU"
        return "\(ProcessInfo.processInfo.activeProcessorCount) cores (\(cpu)), \(ProcessInfo.processInfo.physicalMemory >> 30) GiB"
    }
}

struct BenchError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

extension String {
    func leftPadded(_ width: Int) -> String {
        count >= width ? self : String(repeating: " ", count: width - count) + self
    }
}

/// A `steadfast-bench worker` child process.
final class WorkerProcess {
    let process = Process()

    /// `shards`: the shards' URLs when the worker is to run on a sharded cluster.
    init(queue: String, concurrency: Int, holdMilliseconds: Int, pool: Int, observed: Bool = false, shards: [String] = []) throws {
        process.executableURL = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath()
        if !shards.isEmpty {
            process.environment = ProcessInfo.processInfo.environment.merging(["STEADFAST_SHARDS": shards.joined(separator: " ")]) { $1 }
        }
        process.arguments = ["worker", queue, String(concurrency), String(holdMilliseconds), String(pool)]
            + (observed ? ["observed"] : [])
        let output = Pipe()
        process.standardOutput = output
        try process.run()
        // Wait for "ready" on a thread of its own, not on one of Swift's cooperative threads.
        let handle = output.fileHandleForReading
        let ready = DispatchSemaphore(value: 0)
        Thread.detachNewThread {
            _ = handle.availableData
            ready.signal()
        }
        self.ready = ready
    }

    private var ready: DispatchSemaphore?

    /// Returns once the worker printed "ready" (registered and about to claim).
    func waitUntilReady() async {
        guard let ready else { return }
        while ready.wait(timeout: .now()) == .timedOut {
            try? await Task.sleep(for: .milliseconds(5))
        }
    }

    var pid: Int32 { process.processIdentifier }

    /// The CPU time (user + system) the process has used so far, from /proc; 0 where unreadable.
    var cpuSeconds: Double {
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
              let close = stat.lastIndex(of: ")") else { return 0 }
        // After "pid (comm)": state is field 3, utime 14 and stime 15 (in clock ticks).
        let fields = stat[stat.index(after: close)...].split(separator: " ")
        guard fields.count > 13, let user = Double(fields[11]), let system = Double(fields[12]) else { return 0 }
        return (user + system) / Double(sysconf(Int32(_SC_CLK_TCK)))
    }
    func terminate() { Foundation.kill(pid, SIGTERM) }
    func kill() { Foundation.kill(pid, SIGKILL) }

    func waitForExit() async -> Bool {
        let deadline = ContinuousClock.now + .seconds(30)
        while process.isRunning {
            if ContinuousClock.now > deadline { kill(); return false }
            try? await Task.sleep(for: .milliseconds(20))
        }
        return true
    }
}
