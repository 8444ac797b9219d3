import Foundation
import Steadfast

/// The workflow of `make chaos` (scripts/chaos.sh): five steps, each leaving evidence in the
/// chaos schema that the checks read back from the database, and a durable sleep.
///
/// - `s1`, `s2` are plain steps whose side effect is in the database: each run inserts one row
///   into `chaos.effects` (workflow id, step, the attempt running it, the worker's pid), then
///   sleeps a random 0…SF_CHAOS_STEP_MS ms.
/// - `s4`, `s5` are plain steps whose side effect is outside the database, like an HTTP call:
///   each run sleeps a random 0…SF_CHAOS_STEP_MS ms, then appends the same evidence as a line
///   to `SF_CHAOS_DIR/effects-<pid>.tsv`, which the driver loads into `chaos.effects` after
///   the run. Such a body finishes whether or not the database is up, so its checkpoint is
///   often the first write to meet an outage.
///
///   A plain step run whose checkpoint never landed may run again; a step whose checkpoint
///   landed (recorded by attempt A) must never have a row of an attempt after A.
/// - `kids`, `kids#2` start two children (`ChaosChild`, one plain step `c1` like `s1`) in one
///   `startChildren` call, and `children` waits for both — one durable wait, woken by the
///   second child's completion, whichever worker runs it — through the same faults.
/// - `receive` waits for one message on topic "go" (the driver sends it, with an idempotency
///   key, once the workflow waits): received exactly once, through the same faults.
/// - `sleep` is a durable sleep of a random 0…SF_CHAOS_STEP_MS ms between `s2` and `s3`: the
///   workflow holds no worker while it sleeps, and is woken by whichever worker claims next —
///   through the same outages and kills. Its wake time is recorded once; replays keep it.
/// - `s3` is a transaction step: it inserts one row into `chaos.tx_effects` in the step's own
///   transaction, so exactly one row per workflow must exist at the end. With
///   `freeze: true` in the input, the step writes its pid to `SF_CHAOS_DIR/freeze-<id>`
///   inside the transaction, then sleeps 3 s, so that the driver can SIGSTOP the worker
///   there (frozen between its write and its commit).
///
/// The step bodies' own inserts retry while the database is unreachable (their `retry:`
/// policy): that is the application's choice for its own writes. The checkpoints need no
/// such policy — the engine's writes wait out an outage by themselves.
struct ChaosWorkflow: Workflow {
    struct Input: Codable, Sendable {
        var n: Int
        var freeze: Bool?
    }

    let effects: Effects
    let stepMilliseconds: Int
    let freezeDirectory: String?
    /// The file descriptor of `SF_CHAOS_DIR/effects-<pid>.tsv`, opened for appending; one
    /// `write(2)` per line, so the lines of concurrent steps never interleave.
    let effectsFile: Int32?

    static let bodyRetry = RetryPolicy.exponential(
        maxAttempts: 60, initialDelay: .milliseconds(100), maxDelay: .seconds(1),
        retryIf: { ($0 as? SteadfastError)?.isDatabaseUnavailable ?? false })

    func run(_ input: Input, context: WorkflowContext) async throws -> Int {
        for step in ["s1", "s2"] {
            try await plain(step, context)
        }
        let kids = try await context.startChildren(ChaosChild.self, [input.n, input.n + 1], name: "kids")
        for outcome in try await context.results(of: kids, name: "children") { _ = try outcome.get() }
        // The driver sends each workflow its own n on topic "go" once it waits for it.
        guard try await context.receive(Int.self, topic: "go") == input.n else {
            throw SteadfastError(.invalidArgument, message: "received another workflow's message")
        }
        try await context.sleep(for: .milliseconds(Int.random(in: 0...max(0, stepMilliseconds))))
        let count: Int = try await context.transaction("s3", retry: Self.bodyRetry) { tx in
            let rows = try await tx.query(
                "insert into chaos.tx_effects (workflow_id, attempt, pid) values ($1, $2, pg_backend_pid()) returning 1 as n",
                [context.workflowID, String(context.attempt)])
            if input.freeze == true, let freezeDirectory {
                let path = "\(freezeDirectory)/freeze-\(context.workflowID)"
                try Data("\(getpid())\n".utf8).write(to: URL(fileURLWithPath: path))
                try await Task.sleep(for: .seconds(3))
            }
            return try rows[0].int("n")
        }
        for step in ["s4", "s5"] {
            try await outside(step, context)
        }
        return input.n + count - 1
    }

    private func plain(_ step: String, _ context: WorkflowContext) async throws {
        try await Self.plain(step, context, effects: effects, stepMilliseconds: stepMilliseconds)
    }

    /// A plain step whose run inserts its evidence into `chaos.effects`.
    static func plain(_ step: String, _ context: WorkflowContext, effects: Effects, stepMilliseconds: Int) async throws {
        try await context.step(step, retry: Self.bodyRetry) {
            try await effects.pool.query(
                "insert into chaos.effects (workflow_id, step, attempt, pid) values ($1, $2, $3, pg_backend_pid())",
                [context.workflowID, step, String(context.attempt)])
            try await Task.sleep(for: .milliseconds(Int.random(in: 0...max(0, stepMilliseconds))))
        }
    }

    private func outside(_ step: String, _ context: WorkflowContext) async throws {
        try await context.step(step) {
            try await Task.sleep(for: .milliseconds(Int.random(in: 0...max(0, stepMilliseconds))))
            guard let effectsFile else { return }
            let at = Date().timeIntervalSince1970
            let line = "\(context.workflowID)\t\(step)\t\(context.attempt)\t\(getpid())\t\(at)\n"
            let written = line.utf8CString.withUnsafeBufferPointer { write(effectsFile, $0.baseAddress, $0.count - 1) }
            guard written == line.utf8.count else { throw POSIXError(.EIO) }
        }
    }
}

/// A chaos workflow's child: one plain step `c1`, its evidence in `chaos.effects`.
struct ChaosChild: Workflow {
    let effects: Effects
    let stepMilliseconds: Int

    func run(_ input: Int, context: WorkflowContext) async throws -> Int {
        try await ChaosWorkflow.plain("c1", context, effects: effects, stepMilliseconds: stepMilliseconds)
        return input
    }
}
