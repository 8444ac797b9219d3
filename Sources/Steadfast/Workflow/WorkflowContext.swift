public import Foundation
public import Logging
import Synchronization
import Tracing

/// What a running workflow uses to run its steps durably.
///
/// Each call to `step(_:retry:_:)` either returns the step's recorded result (on replay) or
/// runs the step and records its result — durable before the next step's body runs and before
/// the workflow's result is visible (the last step's checkpoint commits with the workflow's
/// completion, saving a round trip). Steps are keyed by name and
/// occurrence — the second `step("charge")` of a workflow is `charge#2` — so steps started in
/// parallel (`async let`, task groups) replay correctly when their names differ. Give steps
/// that run in parallel distinct names: two parallel calls with the same name may swap
/// occurrence numbers on replay.
///
/// A replay that departs from the record — it calls a new step where the record has a step
/// that ran sequentially, or it returns while recorded steps were never called — fails with
/// ``SteadfastError/Code/nonDeterminism``: the workflow's code changed under it. Fork the
/// workflow to re-run it with the new code.
public final class WorkflowContext: Sendable {
    /// The workflow's id.
    public let workflowID: String
    /// The workflow's name.
    public let workflowName: String
    /// The claim this execution holds (the fencing token): 1 on the first run, +1 per reclaim.
    public let attempt: Int
    /// A logger whose metadata carries `workflow_id` (and `step` inside steps).
    public let logger: Logger
    /// For a workflow started by a cron ``Schedule``: the time of the occurrence it runs for
    /// (the `scheduled_at` of its input), the same on every replay whenever it actually
    /// runs. `nil` for a workflow started otherwise.
    public let scheduledTime: Date?

    let engine: Engine
    let hooks: Hooks
    let state: Mutex<State>
    /// This workflow's metrics (its steps' durations among them); `nil` when metrics are off.
    let metrics: WorkflowMetrics?

    /// What the testing kit changes about an execution; production runs use none.
    package struct Hooks: Sendable {
        /// Step results (JSON) that replace running the step's body, by step key; the result
        /// is recorded as if the body had returned it.
        package var replacements: [String: String] = [:]
        /// After this many steps were run and recorded by this execution, throw
        /// ``SimulatedCrash`` as if the process had died.
        package var crashAfterSteps: Int?
        /// Called inside a transaction step's transaction after its checkpoint was written and
        /// before the commit, with the step's key: tests hold the transaction open here.
        package var beforeCommit: (@Sendable (String) async -> Void)?

        package init(replacements: [String: String] = [:], crashAfterSteps: Int? = nil,
                     beforeCommit: (@Sendable (String) async -> Void)? = nil) {
            self.replacements = replacements
            self.crashAfterSteps = crashAfterSteps
            self.beforeCommit = beforeCommit
        }
    }

    struct State {
        var recorded: [String: RecordedStep]
        var consumed: Set<String> = []
        var occurrences: [String: Int] = [:]
        /// Steps running now, by token: whether another step ran at the same time.
        var inFlight: [Int: Bool] = [:]
        var nextToken = 0
        /// Keys of the steps this execution ran (not replayed), in the order they were recorded.
        var executed: [String] = []
        /// Set when the database became unreachable under a transaction step: the execution
        /// must end, and every later step refuses to run.
        var interruption: ExecutionInterrupted?
        /// Keys of the steps this execution replayed from their checkpoints.
        var replayed: [String] = []
        /// Set when the workflow went to sleep: this attempt has ended, and every later step
        /// refuses to run (see ``WorkflowSuspended``).
        var suspension: WorkflowSuspended?
        /// The checkpoint of the step that ran last, held back while no other step has run
        /// since: written before the next step's body runs, or with the workflow's outcome
        /// (see ``heldCheckpoint()``).
        var held = Held.none
    }

    /// A held checkpoint: none, waiting for the next step or the outcome, or being written —
    /// with the steps about to run that wait for that write.
    enum Held {
        case none
        case step(StepRecord)
        case writing(waiters: [CheckedContinuation<Void, any Error>])
    }

    init(workflowID: String, workflowName: String, attempt: Int, recorded: [RecordedStep],
         engine: Engine, logger: Logger, hooks: Hooks = Hooks(), scheduledTime: Date? = nil,
         metrics: WorkflowMetrics? = nil) {
        self.workflowID = workflowID
        self.metrics = metrics
        self.scheduledTime = scheduledTime
        self.workflowName = workflowName
        self.attempt = attempt
        self.engine = engine
        self.hooks = hooks
        var logger = logger
        if logger[metadataKey: "workflow_id"] != .string(workflowID) {  // a worker's execution set it already
            logger[metadataKey: "workflow_id"] = .string(workflowID)
        }
        self.logger = logger
        self.state = Mutex(State(recorded: Dictionary(recorded.map { ($0.key, $0) }, uniquingKeysWith: { a, _ in a })))
    }

    /// Runs `body` as a durable step named `name` and returns its result — or, when this step
    /// already completed in an earlier execution, returns the recorded result without running it.
    ///
    /// A step that throws is tried again as `retry` says; when it fails for good the failure is
    /// recorded (a replay throws it again without running the step) and thrown as
    /// ``StepFailedError``. A step is at-least-once: it runs again only if its process died
    /// after running it and before recording it.
    ///
    /// - Parameters:
    ///   - name: The step's name, unique among the steps that may run at the same time; not
    ///     empty, without `#`.
    ///   - retry: How to retry a failing run. Defaults to ``RetryPolicy/none``.
    ///   - body: The step's code. Its result is stored as JSON.
    public func step<Output: Codable & Sendable>(
        _ name: String,
        retry: RetryPolicy = .none,
        _ body: () async throws -> Output
    ) async throws -> Output {
        let data = try await runStep(name, retry: retry) {
            let output = try await body()
            return try JSONCoding.encode(output)
        }
        return try JSONCoding.decode(Output.self, from: data)
    }

    /// Runs `body` as a durable step that returns nothing; see `step(_:retry:_:)`.
    public func step(
        _ name: String,
        retry: RetryPolicy = .none,
        _ body: () async throws -> Void
    ) async throws {
        _ = try await runStep(name, retry: retry) {
            try await body()
            return "null"
        }
    }

    /// Runs `body` and the step's checkpoint in one PostgreSQL transaction on the engine's
    /// database: exactly-once for steps that only touch that database. On replay the recorded
    /// result is returned and `body` does not run.
    ///
    /// If two executions race — a stalled one and the one that took over — only the current
    /// owner's transaction can commit: the other's checkpoint is refused (``SteadfastError/Code/fenced``)
    /// and its statements roll back with it; a later replay returns the committed result.
    /// Serialization failures and deadlocks are retried with jittered backoff (up to 100 times,
    /// about 30 s at most); other errors follow `retry`.
    ///
    /// ```swift
    /// let balance: Int = try await context.transaction("debit") { tx in
    ///     let rows = try await tx.query("update accounts set balance = balance - $1::int where id = $2 returning balance",
    ///                                   [String(amount), account])
    ///     return try rows[0].int("balance")
    /// }
    /// ```
    /// - Parameters:
    ///   - name: The step's name.
    ///   - isolation: The transaction's isolation level. Defaults to ``IsolationLevel/readCommitted``.
    ///   - retry: How to retry errors other than serialization failures. Defaults to ``RetryPolicy/none``.
    ///   - body: The statements to run; its result is stored as JSON.
    public func transaction<Output: Codable & Sendable>(
        _ name: String,
        isolation: IsolationLevel = .readCommitted,
        retry: RetryPolicy = .none,
        _ body: (Transaction) async throws -> Output
    ) async throws -> Output {
        let data = try await runStep(name, retry: retry, transactional: isolation) { transaction in
            try JSONCoding.encode(try await body(transaction!))
        }
        return try JSONCoding.decode(Output.self, from: data)
    }

    /// The common path of all steps: replay or run, then record (in the step's own transaction
    /// for transaction steps). Returns the output's JSON.
    private func runStep(_ name: String, retry: RetryPolicy, _ run: () async throws -> String) async throws -> Data {
        try await runStep(name, retry: retry, transactional: nil) { _ in try await run() }
    }

    private func runStep(_ name: String, retry: RetryPolicy, transactional isolation: IsolationLevel?,
                         _ run: (Transaction?) async throws -> String) async throws -> Data {
        let (occurrence, key, replayed, _) = try nextKey(name, kind: "step")

        if let replayed {
            logger.step(key, at: .trace)?.trace("step replayed from its checkpoint")
            traceReplayed(replayed)
            if let error = replayed.error {
                throw StepFailedError(step: key, type: error.type, message: error.message, underlying: nil)
            }
            return replayed.output ?? Data("null".utf8)
        }
        if let interruption = self.interruption { throw interruption }
        if let suspension = self.suspension { throw suspension }
        try checkNoSequentialStepSkipped(calling: key)
        try Task.checkCancellation()
        try await writeHeldCheckpoint()

        let token = state.withLock { state -> Int in
            let token = state.nextToken
            state.nextToken += 1
            let parallel = !state.inFlight.isEmpty
            for other in state.inFlight.keys { state.inFlight[other] = true }
            state.inFlight[token] = parallel
            return token
        }
        defer { _ = state.withLock { $0.inFlight.removeValue(forKey: token) } }

        return try await withStepSpan(key, name: name) { span in
            try await runAndRecord(name, occurrence: occurrence, key: key, retry: retry, transactional: isolation,
                                   token: token, span: span, run)
        }
    }

    /// Runs a step's body — again as `retry` says while it throws — and records its output or,
    /// once it has failed for good, its failure.
    private func runAndRecord(_ name: String, occurrence: Int, key: String, retry: RetryPolicy,
                              transactional isolation: IsolationLevel?, token: Int,
                              span: (any Span)?, _ run: (Transaction?) async throws -> String) async throws -> Data {
        let startedAt = Date()
        var runs = 0
        var conflicts = 0
        var unreachable = 0
        while true {
            runs += 1
            do {
                let json: String
                if let replacement = hooks.replacements[key] {
                    json = replacement
                    try await record(name: name, occurrence: occurrence, outputJSON: json, error: nil,
                                     startedAt: startedAt, runs: runs, token: token, on: nil)
                } else if let isolation {
                    json = try await engine.withTransaction(isolation: isolation) { connection in
                        let json = try await run(Transaction(connection: connection))
                        try await record(name: name, occurrence: occurrence, outputJSON: json, error: nil,
                                         startedAt: startedAt, runs: runs, token: token, on: connection)
                        await hooks.beforeCommit?(key)
                        return json
                    }
                } else {
                    json = try await run(nil)
                    try await record(name: name, occurrence: occurrence, outputJSON: json, error: nil,
                                     startedAt: startedAt, runs: runs, token: token, on: nil, mayHold: true)
                }
                logger.step(key, at: .debug)?.debug("step recorded", metadata: ["runs": "\(runs)"])
                stepEnded(name, span: span, runs: runs, failed: false, since: startedAt)
                try await afterStepRecorded(key)
                return Data(json.utf8)
            } catch let error as SteadfastError where error.code == .fenced || error.code == .nonDeterminism {
                throw error
            } catch let error as SteadfastError where isolation != nil && error.code == .connectionFailed {
                // No connection could be opened: the transaction never began. Wait for the
                // database and begin again (the run does not count).
                unreachable += 1
                runs -= 1
                if unreachable == 1 {
                    logger.step(key, at: .warning)?.warning("transaction step waits for the database", metadata: ["error": "\(error)"])
                }
                try await Task.sleep(for: Engine.backoff(afterFailures: unreachable))
                continue
            } catch let error as SteadfastError where isolation != nil && error.isDatabaseUnavailable {
                // The step's transaction met an outage: whether it committed (step and all) is
                // unknown, so it must not run again here. End the execution; the workflow is
                // handed back, and its next execution replays the step if it was recorded.
                let interruption = ExecutionInterrupted(step: key, underlying: error)
                state.withLock { $0.interruption = interruption }
                logger.step(key, at: .warning)?.warning("the database became unreachable in a transaction step; ending this execution",
                               metadata: ["error": "\(error)"])
                throw interruption
            } catch let error as SteadfastError where isolation != nil && (error.sqlState == "40001" || error.sqlState == "40P01") && conflicts < 100 {
                // Serialization failure or deadlock: the transaction rolled back, and another
                // transaction made progress; run it again. Under heavy contention on a loaded
                // machine a step can lose many rounds in a row (ten was seen to run out in CI),
                // so the budget is large; the backoff (at most 320 ms) bounds it to about 30 s.
                conflicts += 1
                runs -= 1
                logger.step(key, at: .debug)?.debug("transaction conflict; retrying", metadata: ["sqlstate": "\(error.sqlState ?? "")"])
                try await Task.sleep(for: .milliseconds(Int64.random(in: 1...(5 << min(conflicts, 6)))))
                continue
            } catch is CancellationError {
                throw CancellationError()
            } catch is SimulatedCrash {
                throw SimulatedCrash()
            } catch {
                if Task.isCancelled { throw CancellationError() }
                if runs < retry.maxAttempts && retry.shouldRetry(error) {
                    let delay = retry.delay(beforeRetry: runs - 1)
                    logger.step(key, at: .info)?.info("step failed; retrying", metadata: ["error": "\(error)", "retry_in": "\(delay)"])
                    try await Task.sleep(for: delay)
                    continue
                }
                let failure = StepFailedError(step: key, type: String(reflecting: type(of: error)),
                                              message: String(describing: error), underlying: error)
                try await record(name: name, occurrence: occurrence, outputJSON: nil,
                                 error: ErrorInfo(type: failure.type, message: failure.message),
                                 startedAt: startedAt, runs: runs, token: token, on: nil)
                logger.step(key, at: .warning)?.warning("step failed", metadata: ["error": "\(error)", "runs": "\(runs)"])
                stepEnded(name, span: span, runs: runs, failed: true, since: startedAt)
                try await afterStepRecorded(key)
                throw failure
            }
        }
    }

    /// The next call of `name` (a step's or a sleep's): its occurrence, its key (`name`, then
    /// `name#2`, …), its checkpoint when the record has one (then marked replayed), and whether
    /// other steps are running now. Throws for a name that is empty or contains `#`.
    func nextKey(_ name: String, kind: String) throws(SteadfastError)
        -> (occurrence: Int, key: String, replayed: RecordedStep?, parallel: Bool) {
        guard !name.isEmpty, !name.contains("#") else {
            throw SteadfastError(.invalidArgument, message: "\(kind) name '\(name)' must be non-empty and must not contain '#' (it separates the occurrence in step keys)")
        }
        return state.withLock { state in
            let occurrence = (state.occurrences[name] ?? 0) + 1
            state.occurrences[name] = occurrence
            let key = occurrence == 1 ? name : "\(name)#\(occurrence)"
            let replayed = state.recorded[key]
            if replayed != nil {
                state.consumed.insert(key)
                state.replayed.append(key)
            }
            return (occurrence, key, replayed, !state.inFlight.isEmpty)
        }
    }

    /// The next call of an operation that records its own step in the engine — a sleep, a wait
    /// (for children, a message, an event), a child's start, a send, an event or stream write:
    /// its occurrence, key and record (``nextKey(_:kind:)``), after refusing to go on when this
    /// execution has ended. When it is not recorded, the checks a new step passes come first
    /// (no recorded sequential step skipped, not cancelled), and the checkpoint held back is
    /// written, so that the previous step is durable before this one is recorded after it. A
    /// call that `waits` may end the execution, so it may not run beside other steps.
    func beginCall(_ name: String, kind: String, waits: Bool) async throws
        -> (occurrence: Int, key: String, recorded: RecordedStep?, parallel: Bool) {
        if let interruption = self.interruption { throw interruption }
        if let suspension = self.suspension { throw suspension }
        let call = try nextKey(name, kind: kind)
        if let replayed = call.replayed {
            traceReplayed(replayed)
            return (call.occurrence, call.key, replayed, call.parallel)
        }
        if waits && call.parallel {
            throw SteadfastError(.invalidArgument, message: "\(kind) '\(call.key)' was called while other steps of the workflow run: it may end the execution, so it may not run beside steps")
        }
        try checkNoSequentialStepSkipped(calling: call.key)
        try Task.checkCancellation()
        try await writeHeldCheckpoint()
        return (call.occurrence, call.key, nil, call.parallel)
    }

    /// Records a step's checkpoint — or, with `mayHold`, when the step ran alone, holds it
    /// back: the next step's start writes it (``writeHeldCheckpoint()``), and if no step comes
    /// it travels with the workflow's outcome (``heldCheckpoint()``), saving a round trip and a
    /// transaction. Either way it is durable before the next step's body runs and before the
    /// workflow's result is visible; a crash in between runs the step again, once.
    private func record(name: String, occurrence: Int, outputJSON: String?, error: ErrorInfo?, startedAt: Date,
                        runs: Int, token: Int, on connection: Connection?, mayHold: Bool = false) async throws {
        let step = state.withLock { state -> StepRecord? in
            let step = StepRecord(
                workflowID: workflowID, attempt: attempt, name: name, occurrence: occurrence, outputJSON: outputJSON,
                error: error, startedAt: startedAt, runs: runs, parallel: state.inFlight[token] ?? false)
            guard mayHold, state.inFlight.count == 1, case .none = state.held else { return step }
            state.held = .step(step)
            return nil
        }
        if let step {
            try await engine.recordStep(step, on: connection)
        }
    }

    /// Writes the held checkpoint, if any, in the calling task — or waits for the write of it
    /// that another step about to run (a parallel one) has begun.
    func writeHeldCheckpoint() async throws {
        enum Action { case none, write(StepRecord), wait }
        let action = state.withLock { state -> Action in
            switch state.held {
            case .none: return .none
            case .step(let step):
                state.held = .writing(waiters: [])
                return .write(step)
            case .writing: return .wait
            }
        }
        switch action {
        case .none:
            return
        case .write(let step):
            let result: Result<Void, any Error>
            do {
                try await engine.recordStep(step)
                result = .success(())
            } catch {
                result = .failure(error)
            }
            let waiters = state.withLock { state -> [CheckedContinuation<Void, any Error>] in
                guard case .writing(let waiters) = state.held else { return [] }
                state.held = .none
                return waiters
            }
            for waiter in waiters { waiter.resume(with: result) }
            try result.get()
        case .wait:
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
                let written = state.withLock { state -> Bool in
                    guard case .writing(let waiters) = state.held else { return true }
                    state.held = .writing(waiters: waiters + [continuation])
                    return false
                }
                if written { continuation.resume() }
            }
        }
    }

    /// The checkpoint held back for the workflow's outcome, taken: the caller writes it with the
    /// completion (``Engine/complete(workflowID:attempt:outputJSON:finalStep:stillWanted:)``).
    /// `nil` when none is held (or the last one is being written: waited for).
    func heldCheckpoint() async throws -> StepRecord? {
        let step = state.withLock { state -> StepRecord? in
            guard case .step(let step) = state.held else { return nil }
            state.held = .none
            return step
        }
        if step == nil { try await writeHeldCheckpoint() }
        return step
    }

    /// Bookkeeping after a step ran and was recorded; a crash injected by the testing kit
    /// happens here, once the step's checkpoint is durable.
    private func afterStepRecorded(_ key: String) async throws {
        let count = state.withLock { state -> Int in
            state.executed.append(key)
            return state.executed.count
        }
        if let limit = hooks.crashAfterSteps, count >= limit {
            try await writeHeldCheckpoint()
            throw SimulatedCrash()
        }
    }

    /// Why this execution must end without an outcome, if it must (see
    /// ``ExecutionInterrupted``).
    package var interruption: ExecutionInterrupted? { state.withLock { $0.interruption } }

    /// The wait that ended this execution's attempt, if the workflow now waits.
    package var suspension: WorkflowSuspended? { state.withLock { $0.suspension } }

    /// Marks this execution as ended by `suspension` (the database has made the workflow
    /// `waiting`) and returns it, for the caller to throw.
    func suspend(_ suspension: WorkflowSuspended) -> WorkflowSuspended {
        state.withLock { $0.suspension = suspension }
        var logger = self.logger
        logger[metadataKey: "step"] = .string(suspension.step)
        logger.debug("workflow waits", metadata: ["until": "\(suspension.until.map { "\($0)" } ?? "its wait ends")"])
        return suspension
    }

    /// The steps this execution ran, and those it replayed, by key.
    package var executedSteps: [String] { state.withLock { $0.executed } }
    package var replayedSteps: [String] { state.withLock { $0.replayed } }

    /// A new step is about to run. In sequential code every recorded step before it has been
    /// replayed by now; a recorded sequential step still unreplayed means the code took
    /// another path than the record.
    func checkNoSequentialStepSkipped(calling key: String) throws(SteadfastError) {
        let skipped = state.withLock { state in
            state.recorded.values.filter { !$0.parallel && !state.consumed.contains($0.key) }
                .min { $0.seq < $1.seq }
        }
        if let skipped {
            throw SteadfastError(
                .nonDeterminism,
                message: "workflow \(workflowID) called step '\(key)' where its record has step '\(skipped.key)' (seq \(skipped.seq)): the code changed since the workflow started",
                hint: "Finish such workflows with the code they started with, or fork them to re-run with the new code.")
        }
    }

    /// Called when the workflow's code returned: every recorded step must have been replayed.
    func checkAllStepsReplayed() throws(SteadfastError) {
        let missing = state.withLock { state in
            state.recorded.values.filter { !state.consumed.contains($0.key) }.sorted { $0.seq < $1.seq }.map(\.key)
        }
        if !missing.isEmpty {
            throw SteadfastError(
                .nonDeterminism,
                message: "workflow \(workflowID) finished without calling its recorded step(s) \(missing.joined(separator: ", ")): the code changed since the workflow started",
                hint: "Finish such workflows with the code they started with, or fork them to re-run with the new code.")
        }
    }
}

/// A step that failed for good: its retries ran out, or its error was not retryable. The
/// failure is recorded, so a replay throws it again without running the step.
public struct StepFailedError: Error, Sendable, CustomStringConvertible {
    /// The step's key (`name` or `name#n`).
    public var step: String
    /// The Swift type of the original error, as `String(reflecting:)` printed it.
    public var type: String
    /// The original error, as `String(describing:)` printed it.
    public var message: String
    /// The original error, in the execution that ran the step; `nil` on replay.
    public var underlying: (any Error)?

    public var description: String { "step '\(step)' failed: \(message)" }
}

extension Logger {
    /// This logger with the step's key in its metadata (`step`) — made only when a message at
    /// `level` will be written: a step's own logs are mostly debug ones, usually off, and
    /// changing metadata costs a copy and, with some handlers (swift-log's StreamLogHandler),
    /// a rendering of all of it, on every step of every workflow.
    fileprivate func step(_ key: String, at level: Logger.Level) -> Logger? {
        guard logLevel <= level else { return nil }
        var logger = self
        logger[metadataKey: "step"] = .string(key)
        return logger
    }
}
