import CoreMetrics
import Foundation
import Logging
import Synchronization

/// One run of a worker: its session, its running workflows, its loops.
///
/// Everything that acts for the executor — claims, heartbeats, releases, deregistering — goes
/// through its session (``ExecutorSession``), the connection that registered it and holds its
/// advisory lock; the engine refuses those calls from any other (`executorInUse`). Checkpoints
/// and completions, fenced by the workflow's attempt instead, go through the pool.
final class WorkerRun: Sendable {
    private let worker: Worker
    private let engine: Engine
    private let doorbell = Doorbell()
    private let stopping = Atomic<Bool>(false)
    /// The executor and its current session: set by ``start()``, cleared when the session is
    /// lost, replaced once ``reconnect()`` has registered a new one.
    private let executor: ExecutorSession
    /// A claim this worker runs: a workflow at one attempt. Keyed by both, since an execution
    /// that is handing its workflow back may still be winding down when the same workflow is
    /// claimed again.
    private struct Held: Hashable, Sendable {
        var id: String
        var attempt: Int
    }
    private let active = Mutex<Set<Held>>([])
    /// How many workflows hold a slot now.
    var inFlight: Int { active.withLock { $0.count } }
    /// The task running each claimed workflow, so a cancellation in the database
    /// (`NOTIFY steadfast_cancelled`) can cancel it, and whether it was. A notification that
    /// arrives before the task is known (the claim's reply was slower) is dropped: the
    /// workflow's next write is refused as fenced, which stops it too.
    private let tasks = Mutex<[Held: (task: Task<Void, Never>, cancelled: Bool)]>([:])
    /// The current session's notifications, subscribed to before its `LISTEN`: a notification
    /// that arrives while the first claim runs — before ``superviseSession()`` iterates — is
    /// kept, not dropped for want of a subscriber.
    private let sessionNotifications = Mutex<AsyncStream<PostgresNotification>?>(nil)

    private var configuration: Worker.Configuration { worker.configuration }
    /// Where the executor's session connects (the worker's database, or one shard).
    private let session: DatabaseConfiguration
    private let logger: Logger
    private var executorID: String { executor.id }

    init(worker: Worker, engine: Engine, session: DatabaseConfiguration, logger: Logger) {
        self.worker = worker
        self.engine = engine
        self.session = session
        self.logger = logger
        self.executor = ExecutorSession(id: worker.executorID)
    }

    /// Connects the session, checks the schema, registers the executor and listens.
    func start() async throws {
        let connection = try await Connection.connect(session, logger: logger)
        do {
            try await Migrator.verifySchema(on: connection)
            try await register(on: connection)
        } catch {
            await connection.close()
            throw error
        }
        executor.replace(with: connection)
        logger.info("worker started", metadata: [
            "queues": "\(configuration.queues)", "concurrency": "\(configuration.concurrency)",
            "workflows": "\(worker.registry.names)",
        ])
    }

    private func register(on connection: Connection) async throws {
        _ = try await Engine.registerExecutor(
            on: connection, id: executorID, queues: configuration.queues,
            leaseSeconds: configuration.lease.inSeconds, appVersion: configuration.appVersion,
            metadata: ["workflows": .array(worker.registry.names.sorted().map { .string($0) })])
        let notifications = await connection.notifications()
        try await connection.listen("steadfast_enqueued")
        try await connection.listen("steadfast_cancelled")
        sessionNotifications.withLock { $0 = notifications }
    }

    /// Asks the loop to stop claiming and wind down.
    func stop() {
        stopping.store(true, ordering: .relaxed)
        doorbell.ring()
    }

    private var isStopping: Bool { stopping.load(ordering: .relaxed) }

    /// Claims and runs workflows until stopped or cancelled; then waits for the running ones
    /// (at most the grace period) and cancels what is left.
    func loop() async {
        await withDiscardingTaskGroup { group in
            group.addTask { await self.superviseSession() }
            group.addTask { await self.heartbeatLoop() }
            let minimumClaimBatch = max(1, configuration.concurrency / 4)
            var pollDue = true
            while !isStopping && !Task.isCancelled {
                let running = active.withLock { $0.count }
                let free = configuration.concurrency - running
                var claimedAll = false
                // Claim in batches: while workflows run, wait until a quarter of the slots are
                // free (a claim costs about as much as several steps); an idle worker, or one
                // whose wait timed out, claims whatever fits.
                if free > 0 && (running == 0 || free >= minimumClaimBatch || pollDue) {
                    do {
                        let claimed = try await Engine.claim(on: executor.connection(), executorID: executorID,
                                                             limit: free, names: worker.registry.names)
                        engine.telemetry.claimBatchSize?.record(claimed.count)
                        for workflow in claimed {
                            // Cancelling the group (shutdown) reaches it.
                            let task = launch(workflow)
                            group.addTask {
                                await withTaskCancellationHandler {
                                    await task.value
                                } onCancel: {
                                    task.cancel()
                                }
                            }
                        }
                        claimedAll = claimed.count == free
                    } catch let error as SteadfastError where error.code == .fenced {
                        logger.warning("executor was declared dead; registering again", metadata: ["error": "\(error)"])
                        await reRegister()
                    } catch let error as SteadfastError where error.code == .executorInUse {
                        logger.warning("the session no longer holds the executor; registering again",
                                       metadata: ["error": "\(error)"])
                        await reRegister()
                    } catch is CancellationError {
                        break
                    } catch _ where Task.isCancelled {
                        break  // the claim was interrupted by the shutdown
                    } catch let error as SteadfastError where Self.isSessionLoss(error) {
                        engine.telemetry.increment(Metric.databaseErrors, [("kind", "unavailable")])
                        // superviseSession reconnects, registers again and rings the doorbell.
                        logger.info("claim skipped: the executor session is being restored", metadata: ["error": "\(error)"])
                    } catch {
                        engine.telemetry.increment(Metric.databaseErrors, [("kind", Self.errorKind(error))])
                        logger.error("claim failed", metadata: ["error": "\(error)"])
                    }
                }
                pollDue = false
                if !claimedAll {
                    let delay = configuration.nextPollDelay()
                    let waitStarted = ContinuousClock.now
                    await doorbell.wait(timeout: delay)
                    pollDue = ContinuousClock.now - waitStarted >= delay
                }
            }
            // Winding down: let running workflows finish for the grace period.
            let deadline = ContinuousClock.now + configuration.shutdownGracePeriod
            while !active.withLock({ $0.isEmpty }) && ContinuousClock.now < deadline && !Task.isCancelled {
                await doorbell.wait(timeout: .milliseconds(100))
            }
            let left = active.withLock { $0.count }
            if left > 0 {
                logger.info("cancelling workflows still running after the grace period", metadata: ["count": "\(left)"])
            }
            group.cancelAll()
            // The workflows started here (``startHere``) run outside the group.
            for task in tasks.withLock({ $0.values.map(\.task) }) { task.cancel() }
        }
        // Let the cancelled ones end before ``finish()`` hands back what is left (at most 5 s;
        // a sleep of its own, since this task may be cancelled).
        let deadline = ContinuousClock.now + .seconds(5)
        while !active.withLock({ $0.isEmpty }) && ContinuousClock.now < deadline {
            await Task.detached { try? await Task.sleep(for: .milliseconds(20)) }.value
        }
    }

    /// Runs a claimed workflow in a task of its own — so that cancelling this one workflow is
    /// possible — held in the worker's slots until it ends; `outcome` learns how it ended.
    private func launch(_ workflow: ClaimedWorkflow, outcome: LocalOutcome? = nil) -> Task<Void, Never> {
        let held = Held(id: workflow.id, attempt: workflow.attempt)
        active.withLock { _ = $0.insert(held) }
        reportSlots()
        // Created under the lock, so that the task finds itself in `tasks` when it ends.
        return tasks.withLock { tasks in
            let task = Task {
                let result = await self.execute(workflow)
                outcome?.resolve(result)
                let cancelled = self.tasks.withLock { $0.removeValue(forKey: held)?.cancelled }
                if cancelled == true {
                    // Normally a no-op (the workflow is cancelled). But a late notification may
                    // have hit a run that started after the workflow was resumed: hand that
                    // run's claim back.
                    await self.release(workflow.id)
                }
                self.freeSlot(held, claimedHere: outcome != nil)
            }
            tasks[held] = (task, false)
            return task
        }
    }

    /// Gives a slot back and wakes the claim loop: always for a workflow the loop claimed (it
    /// claims in batches as slots free); for one started here, only if the worker was full —
    /// otherwise the loop was free to claim all along, and waking it would cost a claim per
    /// workflow run here.
    private func freeSlot(_ held: Held, claimedHere: Bool) {
        let wasFull = active.withLock { active -> Bool in
            defer { active.remove(held) }
            return active.count >= configuration.concurrency
        }
        reportSlots()
        if !claimedHere || wasFull { doorbell.ring() }
    }

    /// Sets the slot gauges: slots holding a workflow, and free ones.
    private func reportSlots() {
        guard engine.telemetry.isMeasuring else { return }
        let used = active.withLock { $0.count }
        engine.telemetry.slotsUsed?.record(used)
        engine.telemetry.slotsAvailable?.record(max(0, configuration.concurrency - used))
    }

    /// The `kind` label of ``Metric/databaseErrors`` for an error a call to the database threw.
    static func errorKind(_ error: any Error) -> String {
        guard let error = error as? SteadfastError else { return "other" }
        if error.isDatabaseUnavailable { return "unavailable" }
        if error.isTransientConflict { return "conflict" }
        return "other"
    }

    /// Starts a workflow and, when a slot is free, claims it in the same call
    /// (`start_workflow_and_claim`, on the session) and runs it here at once. Returns its id,
    /// whether this call created it, and — when it runs here — the outcome to wait for; `nil`
    /// when the worker has no free slot or is stopping (the caller enqueues it instead).
    func startHere(name: String, id: String?, inputJSON: String, options: [String: JSONValue]) async throws
        -> (id: String, created: Bool, outcome: LocalOutcome?)? {
        guard !isStopping else { return nil }
        // A slot, reserved before the claim so the claim loop cannot fill it meanwhile.
        let reservation = Held(id: "\u{0}here", attempt: Int.random(in: Int.min ..< 0))
        let reserved = active.withLock { active -> Bool in
            guard active.count < configuration.concurrency else { return false }
            active.insert(reservation)
            return true
        }
        guard reserved else { return nil }
        defer { freeSlot(reservation, claimedHere: true) }
        let (claimed, created, workflowID) = try await Engine.startAndClaim(
            on: executor.connection(), executorID: executorID, id: id, name: name, inputJSON: inputJSON, options: options)
        guard let claimed else {
            return (workflowID, created, nil)  // enqueued: not claimable now (a delay, the queue's limits, finished)
        }
        let outcome = LocalOutcome()
        _ = launch(claimed, outcome: outcome)
        return (workflowID, created, outcome)
    }

    /// Hands back what is still held (`deregister_executor`, on the session) and closes the
    /// session. Runs after ``loop()``, so no reconnection swaps the session meanwhile.
    func finish() async {
        let connection = executor.replace(with: nil)
        // Not the caller's task: it may be cancelled, and this must still reach the database.
        await Task.detached { [executorID, logger] in
            guard let connection else {
                // Lost and not restored: no session can act for the executor now. Its lock is
                // free, so the next claim of any worker recovers what it held.
                logger.warning("worker stopped without its session; its workflows will be recovered")
                return
            }
            do {
                let released = try await Engine.deregisterExecutor(on: connection, id: executorID)
                logger.info("worker stopped", metadata: ["released": "\(released)"])
            } catch {
                logger.warning("deregistering failed; the lease will expire", metadata: ["error": "\(error)"])
            }
            await connection.close()
        }.value
    }

    // MARK: Session and lease

    /// Turns notifications into doorbell rings (work enqueued) or task cancellations (a running
    /// workflow was cancelled); reconnects and re-registers when the session is lost.
    private func superviseSession() async {
        while !Task.isCancelled {
            guard let notifications = sessionNotifications.withLock({ current in
                defer { current = nil }
                return current
            }) else { return }
            for await notification in notifications {
                if notification.channel == "steadfast_cancelled" {
                    cancelRunning(notification.payload)
                } else {
                    doorbell.ring()
                }
            }
            if Task.isCancelled { return }
            logger.warning("executor session lost; reconnecting")
            await reconnect()
        }
    }

    /// A workflow was cancelled in the database: cancel its task if this worker runs it. Its
    /// writes are refused (fenced) anyway; this stops its code early.
    private func cancelRunning(_ workflowID: String) {
        let running = tasks.withLock { tasks -> [Task<Void, Never>] in
            tasks.keys.filter { $0.id == workflowID }.map { held in
                tasks[held]!.cancelled = true
                return tasks[held]!.task
            }
        }
        guard !running.isEmpty else { return }
        logger.notice("workflow cancelled; stopping its code", metadata: ["workflow_id": .string(workflowID)])
        for task in running { task.cancel() }
    }

    /// Replaces a lost session. The lost one is closed first (its backend, if the server still
    /// has it, ends and frees the executor's lock); until a new session has registered, calls
    /// for the executor fail with `connectionLost` and the loops carry on. Registering again
    /// hands back what the lost session held: running workflows are then fenced and abandoned,
    /// and claimed anew.
    private func reconnect() async {
        await executor.replace(with: nil)?.close()
        var failures = 0
        while !Task.isCancelled {
            do {
                let connection = try await Connection.connect(session, logger: logger)
                do {
                    try await register(on: connection)
                } catch {
                    await connection.close()
                    throw error
                }
                await executor.replace(with: connection)?.close()
                logger.info("executor session restored")
                doorbell.ring()
                return
            } catch {
                failures += 1
                if failures == 1 || failures % 10 == 0 {
                    logger.warning("reconnecting failed; trying again", metadata: ["error": "\(error)", "tries": "\(failures)"])
                }
                try? await Task.sleep(for: min(.seconds(1), Engine.backoff(afterFailures: failures)))
            }
        }
    }

    /// Registers again after the engine declared the executor dead (its lease expired while
    /// the session lived on — a process stopped, say) or the session stopped holding it. One
    /// path for every re-registration: the current session is closed, which ends its
    /// notifications, and ``superviseSession()`` reconnects and registers on a new one
    /// (retrying until the database is reachable) — so a session that is in fact dead (the
    /// server restarted under it) is never used to register.
    private func reRegister() async {
        guard let connection = executor.current else { return }  // being restored already
        await connection.close()
    }

    /// Renews the lease on the executor's session. Never retried on another connection (the
    /// engine would refuse it): when the session is lost, superviseSession registers again on a
    /// new one, which renews the lease too.
    private func heartbeatLoop() async {
        while !Task.isCancelled {
            do {
                try await Task.sleep(for: configuration.resolvedHeartbeatInterval)
                _ = try await Engine.heartbeat(on: executor.connection(), executorID: executorID)
            } catch is CancellationError {
                return
            } catch _ where Task.isCancelled {
                return
            } catch let error as SteadfastError where error.code == .fenced {
                logger.warning("executor was declared dead; its workflows went to others; registering again",
                               metadata: ["error": "\(error)"])
                await reRegister()
            } catch let error as SteadfastError where error.code == .executorInUse {
                logger.warning("the session no longer holds the executor; registering again", metadata: ["error": "\(error)"])
                await reRegister()
            } catch let error as SteadfastError where Self.isSessionLoss(error) {
                engine.telemetry.increment(Metric.databaseErrors, [("kind", "unavailable")])
                logger.info("heartbeat skipped: the executor session is being restored", metadata: ["error": "\(error)"])
            } catch {
                engine.telemetry.increment(Metric.databaseErrors, [("kind", Self.errorKind(error))])
                logger.warning("heartbeat failed", metadata: ["error": "\(error)"])
            }
        }
    }

    /// Whether `error` says the executor's session is gone (broken, closed or not yet restored).
    private static func isSessionLoss(_ error: SteadfastError) -> Bool {
        error.code == .connectionLost || error.code == .shutdown
    }

    /// Hands `workflowID` back (`release_workflows`, on the session). Best effort: without a
    /// session, registering again on the next one hands back whatever the lost one held.
    private func release(_ workflowID: String) async {
        do {
            try await Engine.release(on: executor.connection(), executorID: executorID, workflowIDs: [workflowID])
        } catch {
            logger.warning("handing a workflow back failed", metadata: ["workflow_id": .string(workflowID), "error": "\(error)"])
        }
    }

    // MARK: Running a workflow

    private func execute(_ claimed: ClaimedWorkflow) async -> WorkflowExecution.Outcome? {
        guard let runner = worker.registry.runner(for: claimed.name) else {
            logger.error("no workflow registered under this name; handing it back",
                         metadata: ["workflow_id": .string(claimed.id), "workflow": .string(claimed.name)])
            await release(claimed.id)
            return nil
        }
        var execution = WorkflowExecution(claimed: claimed, runner: runner, engine: engine, executor: executor, logger: logger)
        let held = Held(id: claimed.id, attempt: claimed.attempt)
        execution.cancelledByRequest = { [self] in tasks.withLock { $0[held]?.cancelled ?? false } }
        return await execution.run()
    }
}
