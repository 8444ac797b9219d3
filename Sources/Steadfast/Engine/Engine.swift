package import Foundation
package import Logging

/// The one place where the client library calls the engine: one `steadfast.*` SQL function
/// per operation, arguments as text parameters, rows mapped to typed records. No other folder
/// holds SQL (the migrator runs the embedded schema files). Its files mirror `sql/`: one
/// extension per SQL file (Engine+Start ↔ 30_start.sql, Engine+Claim ↔ 40_claim.sql, …), each
/// SQL function called from one place.
package struct Engine: Sendable {
    package let pool: ConnectionPool
    package let logger: Logger
    /// When set, checkpoints and completions made without a connection of their own go through
    /// it, many executions' writes to a transaction (see ``batchingCheckpoints(inFlight:)``).
    var batcher: CheckpointBatcher?
    /// In a sharded worker, the engines of every shard (``ShardPeers``); `nil` otherwise.
    var peers: ShardPeers?
    /// Where spans and metrics go (``Observability``); off unless given.
    package let telemetry: Telemetry

    package init(pool: ConnectionPool, logger: Logger, telemetry: Telemetry = .off) {
        self.pool = pool
        self.logger = logger
        self.telemetry = telemetry
    }

    /// This engine, with checkpoints and completions batched across the workflows running at
    /// once (`record_batch`): a worker's writes share commits instead of paying one each. At
    /// most `inFlight` batches are written at a time; a write arriving meanwhile waits for the
    /// next one, so a lone write goes out at once, as a single call.
    package func batchingCheckpoints(inFlight: Int = 2) -> Engine {
        var engine = self
        engine.batcher = CheckpointBatcher(engine: self, inFlight: inFlight)
        return engine
    }

    /// A transaction on a pooled connection at `isolation` (set explicitly, whatever the
    /// database's default), committed when `body` returns and rolled back when it throws: a
    /// transaction step's, or a client's (``Client/withTransaction(isolation:_:)``).
    package func withTransaction<Result>(isolation level: IsolationLevel,
                                         _ body: (Connection) async throws -> Result) async throws -> Result {
        try await pool.withTransaction { connection in
            try await connection.query("set transaction isolation level \(level.sql)")
            return try await body(connection)
        }
    }

    // MARK: Helpers

    /// Runs an idempotent write until it lands: again and again while the database cannot be
    /// reached (``SteadfastError/isDatabaseUnavailable``: server down or restarting, failover,
    /// connection broken — whether a try took effect is unknown, and the engine accepts the
    /// same write twice), with backoff from 50 ms up to 2 s. It ends when the write lands,
    /// when the engine refuses it (fenced, and any other error: thrown), when the task is
    /// cancelled (the worker shuts down: `CancellationError`), or when `stillWanted` says
    /// nobody waits for it any more. An outage is an interruption, never a failure of the
    /// workflow: a checkpoint, completion or failure is never dropped because of one.
    func retrying<T: Sendable>(_ what: String, stillWanted: () -> Bool = { true },
                               _ body: () async throws -> T) async throws -> T {
        var failures = 0
        let started = ContinuousClock.now
        while true {
            do {
                let result = try await body()
                if failures > 0 {
                    logger.info("\(what): the database is reachable again; written",
                                metadata: ["tries": "\(failures + 1)", "waited": "\(ContinuousClock.now - started)"])
                }
                return result
            } catch let error as SteadfastError where error.isTransientConflict {
                // A deadlock's victim (a cancel locking a tree met this write the other way
                // round, see sql/01_overview.sql): the write is idempotent, so sent again.
                failures += 1
                telemetry.increment(Metric.databaseErrors, [("kind", "conflict")])
                logger.info("\(what): chosen as a deadlock's victim; trying again", metadata: ["error": "\(error)"])
                try await Task.sleep(for: Self.backoff(afterFailures: 1))
            } catch let error as SteadfastError where error.isDatabaseUnavailable {
                failures += 1
                telemetry.increment(Metric.databaseErrors, [("kind", "unavailable")])
                guard stillWanted() else { throw error }
                if failures == 1 || failures % 20 == 0 {
                    logger.warning("\(what): the database cannot be reached; trying again until it can",
                                   metadata: ["error": "\(error)", "tries": "\(failures)"])
                }
                try await Task.sleep(for: Self.backoff(afterFailures: failures))
            }
        }
    }

    /// The pause after `failures` tries that could not reach the database: 50 ms doubling up
    /// to 2 s, with ±25 % jitter so that many writers do not return in step.
    static func backoff(afterFailures failures: Int) -> Duration {
        let milliseconds = min(2000.0, 50.0 * pow(2.0, Double(min(failures, 8) - 1)))
        return .milliseconds(Int64(milliseconds * Double.random(in: 0.75...1.25)))
    }

    static func status(_ text: String) throws(SteadfastError) -> WorkflowStatus {
        guard let status = WorkflowStatus(rawValue: text) else {
            throw SteadfastError(.decodingFailed, message: "unknown workflow status '\(text)'")
        }
        return status
    }

    static func textArray(_ values: [String]) -> String {
        "{" + values.map { "\"" + $0.replacingOccurrences(of: "\\", with: "\\\\")
            .replacingOccurrences(of: "\"", with: "\\\"") + "\"" }.joined(separator: ",") + "}"
    }

}
