import Foundation
import Synchronization
import Testing

@testable import Steadfast

/// Whether ``ShardedOrder``'s second step fails.
final class Switch: Sendable {
    private let value: Mutex<Bool>
    init(_ value: Bool) { self.value = Mutex(value) }
    var isOn: Bool { value.withLock { $0 } }
    func set(_ on: Bool) { value.withLock { $0 = on } }
}

/// Two steps; the second fails while `failing` is on (for a fork to run again).
struct ShardedOrder: Workflow {
    let failing: Switch
    let runs: Runs
    func run(_ input: Int, context: WorkflowContext) async throws -> Int {
        let reserved: Int = try await context.step("reserve") { runs.hit("reserve \(context.workflowID)"); return input }
        return try await context.step("charge") {
            runs.hit("charge \(context.workflowID)")
            if failing.isOn { throw SteadfastError(.invalidArgument, message: "card declined") }
            return reserved * 10
        }
    }
}

/// Starts `count` ChildDoublers and sums their results; with `hang`, starts LongSleep children
/// instead and waits for them (until cancelled).
struct ShardedParent: Workflow {
    struct Input: Codable, Sendable { var count: Int; var hang: Bool; var queue: String }
    func run(_ input: Input, context: WorkflowContext) async throws -> Int {
        let options = StartOptions(queue: input.queue)
        if input.hang {
            var children: [ChildWorkflow<LongSleep>] = []
            for n in 1...input.count { children.append(try await context.startChild(LongSleep.self, n, options: options)) }
            return try await context.results(of: children).count
        }
        let children = try await context.startChildren(ChildDoubler.self, Array(1...input.count), options: options)
        return try await context.results(of: children).reduce(0) { $0 + (try $1.get()) }
    }
}

/// Waits for `count` messages and sums them; on the way, sends its partner (if any) a message
/// — a workflow-to-workflow send, to whichever shard the partner is on.
struct ShardedInbox: Workflow {
    struct Input: Codable, Sendable { var count: Int; var partner: String? }
    func run(_ input: Input, context: WorkflowContext) async throws -> Int {
        if let partner = input.partner { try await context.send(to: partner, 1000) }
        var sum = 0
        for _ in 0..<input.count { sum += try await context.receive(Int.self) ?? 0 }
        return sum
    }
}

/// The core scenarios on a sharded cluster (docs/scale-out.md): a router and four shards as
/// databases of the test server (``ShardedCluster``); a `Client` on the router, `Worker`s on
/// the four shards directly.
@Suite("Sharded: a router and four shards", .serialized)
struct ShardedScenarioTests {
    let cluster: ShardedCluster
    let queue = TestDatabase.uniqueName("sq")

    init() async throws {
        cluster = try await ShardedCluster.current()
        // A queue's settings are written to every shard (define_queue through the router).
        let client = try await Client.connect(cluster.routerConfiguration, logger: TestDatabase.logger)
        #expect(try await client.defineQueue(Queue(queue)))
        await client.close()
    }

    /// A client on the router that hears of results from the shards (a plain client on the
    /// router, which polls, is used by ``fork()``).
    private func client() async throws -> Client {
        try await Client.connect(router: cluster.routerConfiguration, shards: cluster.shardConfigurations(maximumConnections: 2),
                                 logger: TestDatabase.logger)
    }

    private func worker(_ register: (Worker) -> Void) -> (Worker, Task<Void, any Error>) {
        let worker = Worker(shards: cluster.shardConfigurations(),
                            configuration: Worker.Configuration(queues: [queue], concurrency: 10, pollInterval: .milliseconds(200)),
                            logger: TestDatabase.logger)
        register(worker)
        return (worker, Task { try await worker.run() })
    }

    @Test("workflows started through the router run on four shards: each result right, each workflow's rows on its own shard only")
    func startAndRun() async throws {
        let runs = Runs()
        let (worker, task) = worker { $0.register(ShardedOrder(failing: Switch(false), runs: runs)) }
        defer { task.cancel() }
        let client = try await client()
        var handles: [WorkflowHandle<Int>] = []
        for n in 1...16 {
            // Some ids of one tenant ("tenant-a/…" are placed together), some generated.
            let id: String? = n % 3 == 0 ? nil : (n % 3 == 1 ? "order-\(queue)-\(n)" : "tenant-a/\(queue)-\(n)")
            handles.append(try await client.start(ShardedOrder.self, n, options: StartOptions(id: id, queue: queue)))
        }
        for (n, handle) in zip(1..., handles) {
            #expect(try await handle.result(timeout: .seconds(60)) == n * 10)
        }
        var used = Set<Int>()
        var tenantShards = Set<Int>()
        for handle in handles {
            let shard = try await cluster.shardOf(handle.id)
            used.insert(shard)
            if handle.id.hasPrefix("tenant-a/") { tenantShards.insert(shard) }
            #expect(try await cluster.shardsHolding(table: "workflows", column: "id", value: handle.id) == [shard])
            #expect(try await cluster.shardsHolding(table: "steps", column: "workflow_id", value: handle.id) == [shard])
            #expect(runs.count("reserve \(handle.id)") == 1 && runs.count("charge \(handle.id)") == 1)
        }
        #expect(used.count > 1, "16 workflows spread over more than one shard")
        #expect(tenantShards.count == 1, "one tenant's workflows on one shard")
        let listed = try await client.list(WorkflowFilter(queue: queue), limit: 100)
        #expect(Set(listed.map(\.id)) == Set(handles.map(\.id)), "the router lists every shard's workflows")
        // The worker registered on four shards is one executor through the router.
        let executors = try await client.executors().filter { $0.id == worker.executorID }
        #expect(executors.count == 1)
        await client.close()
    }

    @Test("a client transaction on the router is refused before it runs anything: the shard would commit a start whatever the transaction did")
    func transactionThroughRouter() async throws {
        let client = try await client()
        let id = "tx-\(queue)"
        let error = await #expect(throws: SteadfastError.self) {
            try await client.withTransaction { tx in
                _ = try await tx.start(ShardedOrder.self, 1, options: StartOptions(id: id, queue: queue))
            }
        }
        #expect(error?.code == .invalidArgument && error?.message.contains("router") == true, "\(String(describing: error))")
        #expect(try await cluster.shardsHolding(table: "workflows", column: "id", value: id).isEmpty, "nothing was started")
        await client.close()
    }

    @Test("a sharded worker runs a workflow it starts itself on the workflow's shard, in this process")
    func startHere() async throws {
        let runs = Runs()
        let (worker, task) = worker { $0.register(ShardedOrder(failing: Switch(false), runs: runs)) }
        defer { task.cancel() }
        // Until run() has connected every shard, start(_:_:options:) says the worker is not running.
        try await waitUntil(timeout: .seconds(30)) {
            do {
                _ = try await worker.start(ShardedOrder.self, 0, options: StartOptions(id: "probe-\(queue)", queue: queue))
                return true
            } catch let error as SteadfastError where error.code == .shutdown {
                return false
            }
        }
        var shards = Set<Int>()
        for n in 1...8 {
            let handle = try await worker.start(ShardedOrder.self, n, options: StartOptions(queue: queue))
            #expect(handle.runsHere, "run in this process, on its shard")
            #expect(try await handle.result(timeout: .seconds(60)) == n * 10)
            let shard = try await cluster.shardOf(handle.id)
            #expect(try await cluster.shardsHolding(table: "workflows", column: "id", value: handle.id) == [shard])
            shards.insert(shard)
        }
        #expect(shards.count > 1)
    }

    @Test("children are placed on their parent's shard; a fan-in completes; cancelling a parent through the router cancels its children")
    func childrenAndCancel() async throws {
        let runs = Runs()
        let (_, task) = worker {
            $0.register(ShardedParent())
            $0.register(ChildDoubler(runs: runs))
            $0.register(LongSleep())
        }
        defer { task.cancel() }
        let client = try await client()
        let fanIn = try await client.start(ShardedParent.self, .init(count: 5, hang: false, queue: queue),
                                           options: StartOptions(queue: queue))
        #expect(try await fanIn.result(timeout: .seconds(60)) == 2 * 15)
        let shard = try await cluster.shardOf(fanIn.id)
        #expect(try await cluster.shardsHolding(table: "workflows", column: "parent_id", value: fanIn.id) == [shard])

        let hanging = try await client.start(ShardedParent.self, .init(count: 3, hang: true, queue: queue),
                                             options: StartOptions(queue: queue))
        try await waitUntil(timeout: .seconds(60)) {
            let children = try await client.list(WorkflowFilter(parentID: hanging.id), limit: 10).count
            let status = try await client.workflow(hanging.id).status
            return children == 3 && status == .waiting
        }
        let cancelled = try await client.cancel(hanging.id)
        #expect(Set(cancelled.map(\.id)).count == 4, "the parent and its three children")
        for child in try await client.list(WorkflowFilter(parentID: hanging.id), limit: 10) {
            #expect(try await client.workflow(child.id).status == .cancelled)
            #expect(try await cluster.shardOf(child.id) == cluster.shardOf(hanging.id))
        }
        await client.close()
    }

    @Test("one shard's sessions are all terminated (its server side fails): the router and the worker reconnect to it, the other shards never stop, every workflow completes")
    func shardSessionsLost() async throws {
        let runs = Runs()
        let (worker, task) = worker { $0.register(ShardedOrder(failing: Switch(false), runs: runs)) }
        defer { task.cancel() }
        let client = try await client()
        // As a careful caller does after any database failure: a call that met it
        // (isDatabaseUnavailable) is sent again — starts with ids of their own, so that a start
        // sent twice is one workflow. Through the router, a shard's connection that died since its
        // last use fails one call (PL/Proxy checks only connections idle for a while).
        let failures = Mutex(0)
        func again<T>(_ body: () async throws -> T) async throws -> T {
            for _ in 1...20 {
                do { return try await body() } catch let error as SteadfastError where error.isDatabaseUnavailable {
                    failures.withLock { $0 += 1 }
                }
            }
            return try await body()
        }
        func startAndFinish(_ range: ClosedRange<Int>) async throws -> [String] {
            var handles: [WorkflowHandle<Int>] = []
            for n in range {
                handles.append(try await again {
                    try await client.start(ShardedOrder.self, n, options: StartOptions(id: "lost-\(queue)-\(n)", queue: queue))
                })
            }
            for (n, handle) in zip(range, handles) { #expect(try await again { try await handle.result(timeout: .seconds(60)) } == n * 10) }
            return handles.map(\.id)
        }
        var ids = try await startAndFinish(1...12)
        // Every session on shard 1 — the worker's executor session and pool, the router's
        // PL/Proxy connections, the client's listener — is terminated.
        let shard = try #require(URLComponents(string: cluster.shards[1])?.path.dropFirst()).description
        let admin = try await Connection.connect(DatabaseConfiguration(connectionString: try TestDatabase.serverURL(), maximumConnections: 1),
                                                 logger: TestDatabase.logger)
        let terminated = try await admin.query(
            // (Waiting until each is gone: the next call finds its connection closed.)
            "select count(*) filter (where pg_terminate_backend(pid, 10000)) as n from pg_stat_activity where datname = $1 and pid <> pg_backend_pid()",
            [shard])[0].int("n")
        await admin.close()
        #expect(terminated > 0)
        ids += try await startAndFinish(13...40)
        var onShard1 = 0
        for id in ids where try await cluster.shardOf(id) == 1 { onShard1 += 1 }
        #expect(onShard1 > 0, "shard 1 ran some of the workflows after its sessions were terminated")
        // The executor is registered on shard 1 again, from a new session.
        let connection = try await Connection.connect(DatabaseConfiguration(connectionString: cluster.shards[1], maximumConnections: 1),
                                                      logger: TestDatabase.logger)
        let alive = try await connection.query("select count(*) as n from steadfast.executors where id = $1 and stopped_at is null",
                                               [worker.executorID])[0].int("n")
        await connection.close()
        #expect(alive == 1)
        #expect(failures.withLock { $0 } <= 10, "at most one failed call per router connection (the client's pool has 10)")
        for id in ids { #expect(runs.count("charge \(id)") >= 1) }
        await client.close()
    }

    @Test("a failed workflow forked through the router lands on its shard and completes, re-running only the failed step")
    func fork() async throws {
        let runs = Runs()
        let failing = Switch(true)
        let (_, task) = worker { $0.register(ShardedOrder(failing: failing, runs: runs)) }
        defer { task.cancel() }
        let client = try await Client.connect(cluster.routerConfiguration, logger: TestDatabase.logger)
        let handle = try await client.start(ShardedOrder.self, 7, options: StartOptions(queue: queue, maxRecoveryAttempts: nil))
        await #expect(throws: WorkflowFailedError.self) { try await handle.result(timeout: .seconds(60)) }
        failing.set(false)
        let fork = try await client.fork(handle.id, fromStep: 2)
        #expect(try await cluster.shardOf(fork.id) == cluster.shardOf(handle.id))
        #expect(try await client.handle(ShardedOrder.self, id: fork.id).result(timeout: .seconds(60)) == 70)
        #expect(runs.count("reserve \(fork.id)") == 0, "step 1 was copied, not run")
        #expect(runs.count("charge \(fork.id)") == 1)
        await client.close()
    }

    @Test("messages: a client sends through the router; a workflow sends to another on any shard; each is received once")
    func messages() async throws {
        let (_, task) = worker { $0.register(ShardedInbox()) }
        defer { task.cancel() }
        let client = try await client()
        // Two inboxes on different shards: the first sends the second one message.
        var second = "inbox-\(queue)-0"
        let senderShard = try await cluster.shardOf("inbox-\(queue)-a")
        for n in 1...50 {
            if try await cluster.shardOf(second) != senderShard { break }
            second = "inbox-\(queue)-\(n)"
        }
        let receiver = try await client.start(ShardedInbox.self, .init(count: 2, partner: nil),
                                              options: StartOptions(id: second, queue: queue))
        let sender = try await client.start(ShardedInbox.self, .init(count: 1, partner: receiver.id),
                                            options: StartOptions(id: "inbox-\(queue)-a", queue: queue))
        try await client.send(to: receiver.id, 5)
        try await client.send(to: sender.id, 7)
        #expect(try await sender.result(timeout: .seconds(60)) == 7)
        #expect(try await receiver.result(timeout: .seconds(60)) == 1005)
        await client.close()
    }

    @Test("kill -9 of a sharded worker inside a step: another sharded worker completes every workflow on every shard, each finished step once")
    func killNine() async throws {
        let fixture = try await EngineFixture()
        let table = try await fixture.makeEffectsTable()
        let client = try await client()
        var ids: [String] = []
        for n in 0..<24 {
            ids.append(try await client.start(EffectsWorkflow.self, EffectsInput(n: n), options: StartOptions(queue: queue)).id)
        }
        let shards = cluster.shards.joined(separator: " ")
        let first = try await WorkerProcess(environment: [
            "SF_EFFECTS_TABLE": table, "SF_QUEUE": queue, "SF_CONCURRENCY": "24", "SF_HOLD_STEP": "s2",
            "SF_LEASE_SECONDS": "3600", "SF_SHARDS": shards,
        ])
        try await waitUntil(timeout: .seconds(60)) {
            try await fixture.effects(in: table).values.filter { $0["s2"] == 1 }.count == 24
        }
        let second = try await WorkerProcess(environment: [
            "SF_EFFECTS_TABLE": table, "SF_QUEUE": queue, "SF_CONCURRENCY": "24", "SF_LEASE_SECONDS": "3600",
            "SF_SHARDS": shards,
        ])
        first.signal(SIGKILL)
        for id in ids {
            #expect(try await client.handle(EffectsWorkflow.self, id: id).result(timeout: .seconds(120)).hasPrefix("done"))
        }
        let effects = try await fixture.effects(in: table)
        for id in ids {
            #expect(effects[id]?["s1"] == 1, "s1 of \(id) ran once")
            #expect(effects[id]?["s2"] == 2, "s2 of \(id) was interrupted by the kill and ran again")
            #expect(effects[id]?["s3"] == 1)
        }
        var used = Set<Int>()
        for id in ids { used.insert(try await cluster.shardOf(id)) }
        #expect(used.count == 4, "24 generated ids reach all four shards")
        second.signal(SIGTERM)
        _ = await second.waitForExit()
        await client.close()
        await fixture.close()
    }
}
