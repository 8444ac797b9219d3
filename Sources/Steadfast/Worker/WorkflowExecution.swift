import CoreMetrics
package import Foundation
package import Logging
import Tracing

/// One execution of a claimed workflow: run its code with a context that replays its recorded
/// steps, then complete or fail it — the same path for a ``Worker`` and for the testing kit.
package struct WorkflowExecution: Sendable {
    /// How an execution ended.
    package enum Outcome: Sendable, Equatable {
        /// Completed with this output JSON.
        case succeeded(String)
        /// Failed; the workflow is now `failed`, or `enqueued` for a retry.
        case failed(WorkflowStatus, ErrorInfo)
        /// Another execution owns the workflow now (fenced): nothing more was written.
        case abandoned
        /// Stopped by task cancellation (shutdown) or a simulated crash: the workflow is still
        /// held and will be handed back or recovered.
        case interrupted
        /// The workflow waits: it is `waiting`, held by no one. A sleep gives the time at
        /// which the claims of its queue wake it; a wait for children (`nil`) ends when they
        /// finish.
        case suspended(Date?)
    }

    package let claimed: ClaimedWorkflow
    package let runner: WorkflowRegistry.Runner
    package let engine: Engine
    /// The executor running it, whose session hands the workflow back when its outcome cannot
    /// be recorded.
    package let executor: ExecutorSession
    package let logger: Logger
    /// Test hooks: stubbed step results and crash injection (see ``WorkflowContext``).
    package var hooks = WorkflowContext.Hooks()
    /// Whether the task running it was cancelled because the workflow was cancelled (rather
    /// than for a shutdown): how an interrupted execution is logged.
    package var cancelledByRequest: @Sendable () -> Bool = { false }

    package init(claimed: ClaimedWorkflow, runner: @escaping WorkflowRegistry.Runner, engine: Engine,
                 executor: ExecutorSession, logger: Logger, hooks: WorkflowContext.Hooks = WorkflowContext.Hooks()) {
        self.claimed = claimed
        self.runner = runner
        self.engine = engine
        self.executor = executor
        self.logger = logger
        self.hooks = hooks
    }

    /// The context the workflow's code runs with; kept for the testing kit's assertions.
    package func makeContext() -> WorkflowContext {
        WorkflowContext(workflowID: claimed.id, workflowName: claimed.name, attempt: claimed.attempt,
                        recorded: claimed.steps, engine: engine, logger: logger, hooks: hooks,
                        scheduledTime: Schedule.scheduledTime(workflowID: claimed.id, inputJSON: claimed.inputJSON),
                        metrics: engine.telemetry.workflowMetrics(claimed.name, queue: claimed.queue))
    }

    package func run() async -> Outcome {
        await run(in: makeContext())
    }

    /// Runs the workflow in `context`: its execution's span (`RunWorkflow <name>`, a child of
    /// the context its starter stored, so that every execution joins the starter's trace) and
    /// its metrics around ``execute(in:)``.
    package func run(in context: WorkflowContext) async -> Outcome {
        let telemetry = engine.telemetry
        let metrics = context.metrics
        let recovery = claimed.recoveryAttempts > 1
        metrics?.executionsStarted.increment()
        if recovery {
            metrics?.recoveries.increment()
        } else {
            metrics?.scheduleToStart.recordSeconds(claimed.queuedSeconds)
        }
        let outcome = await telemetry.withSpan(
            "RunWorkflow \(claimed.name)",
            context: telemetry.starterContext(traceparent: claimed.traceparent, tracestate: claimed.tracestate),
            ofKind: .consumer
        ) { span in
            span?.updateAttributes { attributes in
                attributes[TraceAttribute.workflowID] = claimed.id
                attributes[TraceAttribute.workflowName] = claimed.name
                attributes[TraceAttribute.queue] = claimed.queue
                attributes[TraceAttribute.attempt] = claimed.attempt
                attributes[TraceAttribute.recovery] = recovery
            }
            let outcome = await execute(in: context)
            span?.attributes[TraceAttribute.outcome] = describe(outcome)
            if case .failed(_, let error) = outcome {
                span?.setStatus(SpanStatus(code: .error, message: "\(error.type): \(error.message)"))
            }
            return outcome
        }
        switch outcome {
        case .succeeded: metrics?.succeeded.increment()
        case .failed(.enqueued, _): metrics?.retries.increment()
        case .failed(.cancelled, _): metrics?.cancelled.increment()
        case .failed: metrics?.failed.increment()
        case .interrupted where cancelledByRequest(): metrics?.cancelled.increment()
        case .abandoned: metrics?.fenced.increment()
        case .interrupted, .suspended: break
        }
        return outcome
    }

    /// How an execution ended, as its span's `steadfast.outcome` says it.
    private func describe(_ outcome: Outcome) -> String {
        switch outcome {
        case .succeeded: "succeeded"
        case .failed(.enqueued, _): "retrying"
        case .failed(let status, _): status.rawValue
        case .abandoned: "abandoned"
        case .interrupted: cancelledByRequest() ? "cancelled" : "interrupted"
        case .suspended: "waiting"
        }
    }

    /// Runs the workflow's code, replaying its recorded steps, and records its outcome.
    private func execute(in context: WorkflowContext) async -> Outcome {
        var logger = self.logger
        // One assignment, not one per key: a handler may render its metadata on every change
        // (swift-log's StreamLogHandler does), and this runs for every execution.
        logger.handler.metadata.merge(["workflow_id": .string(claimed.id), "workflow": .string(claimed.name),
                                       "attempt": .stringConvertible(claimed.attempt)]) { $1 }
        logger.debug("workflow claimed", metadata: ["recorded_steps": "\(claimed.steps.count)"])
        do {
            let output: String
            do {
                output = try await runner(claimed.inputJSON, context)
                if let interruption = context.interruption { throw interruption }
                if let suspension = context.suspension { throw suspension }
                try context.checkAllStepsReplayed()
            } catch let error as SteadfastError where error.code == .fenced {
                throw error
            } catch _ where context.suspension != nil {
                // Waiting, whatever the code made of the error that ended it: nothing to write.
                let until = context.suspension?.until
                logger.debug("workflow waits; its worker slot is free",
                             metadata: ["until": "\(until.map { "\($0)" } ?? "its wait ends")"])
                return .suspended(until)
            } catch _ where context.interruption != nil {
                // A transaction step could not tell whether it committed (whatever the code
                // made of the error it threw): another execution must replay the workflow.
                logger.info("execution interrupted by the database; handing the workflow back")
                return await handBack(logger)
            } catch is SimulatedCrash {
                logger.info("simulated crash")
                return .interrupted
            } catch let error as SteadfastError where error.code == .nonDeterminism {
                logger.error("workflow diverged from its record", metadata: ["error": "\(error)"])
                try await context.writeHeldCheckpoint()
                let info = ErrorInfo(type: "NonDeterminism", message: error.message)
                let status = try await engine.fail(workflowID: claimed.id, attempt: claimed.attempt, error: info, retryable: false)
                return .failed(status, info)
            } catch {
                if Task.isCancelled {
                    logInterruption(logger)
                    return .interrupted
                }
                // The steps that succeeded are kept for a retry: their checkpoints first.
                try await context.writeHeldCheckpoint()
                let info = ErrorInfo(type: String(reflecting: type(of: error)), message: String(describing: error))
                let status = try await engine.fail(workflowID: claimed.id, attempt: claimed.attempt, error: info, retryable: true)
                if status == .enqueued {
                    logger.warning("workflow failed; retry scheduled", metadata: ["error": "\(error)"])
                } else {
                    logger.error("workflow failed", metadata: ["error": "\(error)"])
                }
                return .failed(status, info)
            }
            // The last step's checkpoint, held back, commits with the completion.
            try await engine.complete(workflowID: claimed.id, attempt: claimed.attempt, outputJSON: output,
                                      finalStep: try await context.heldCheckpoint())
            logger.debug("workflow succeeded")
            return .succeeded(output)
        } catch let error as SteadfastError where error.code == .fenced {
            logger.warning("workflow taken over by another execution; abandoning it", metadata: ["error": "\(error)"])
            return .abandoned
        } catch is CancellationError {
            // Shut down while an outcome waited for the database: deregistering (or, without a
            // session, recovery) hands the workflow back.
            logInterruption(logger)
            return .interrupted
        } catch {
            // Could not record the outcome: hand the workflow back rather than hold it forever.
            logger.error("recording the workflow's outcome failed; handing it back", metadata: ["error": "\(error)"])
            return await handBack(logger)
        }
    }

    /// Logs why a cancelled task ended: the workflow was cancelled (its outcome is the
    /// cancel's), or the worker is shutting down (the workflow will be handed back).
    private func logInterruption(_ logger: Logger) {
        if cancelledByRequest() {
            logger.notice("workflow cancelled: its code was stopped")
        } else {
            logger.info("workflow interrupted by shutdown; it will be handed back")
        }
    }

    /// Hands the workflow back so that another execution re-runs it (`release_workflows`, on
    /// the executor's session — the only one the engine takes a release from), sending the
    /// release again while the database cannot be reached. It ends when the release lands,
    /// when the executor registers again on a new session (which handed back everything the
    /// old one held), or at shutdown (deregistering hands back the rest; without a session,
    /// recovery does).
    private func handBack(_ logger: Logger) async -> Outcome {
        let generation = executor.generation
        var failures = 0
        while true {
            do {
                _ = try await Engine.release(on: executor.connection(), executorID: executor.id, workflowIDs: [claimed.id])
                return .interrupted
            } catch let error as SteadfastError
                where (error.isDatabaseUnavailable || error.code == .shutdown) && !Task.isCancelled {
                if executor.generation != generation { return .interrupted }
                failures += 1
                if failures == 1 {
                    logger.info("handing the workflow back waits for the executor's session", metadata: ["error": "\(error)"])
                }
                try? await Task.sleep(for: Engine.backoff(afterFailures: failures))
            } catch {
                logger.warning("handing the workflow back failed", metadata: ["error": "\(error)"])
                return .interrupted
            }
        }
    }
}

/// Ends an execution without an outcome: the database became unreachable while a transaction
/// step ran, so whether its transaction committed is unknown. The workflow is handed back; its
/// next execution replays the step if it committed, or runs it if it did not — exactly once
/// either way.
package struct ExecutionInterrupted: Error, CustomStringConvertible {
    /// The transaction step's key.
    package var step: String
    /// What the database said.
    package var underlying: SteadfastError

    package var description: String {
        "the database became unreachable in transaction step '\(step)': \(underlying)"
    }
}

/// Thrown by a context told to crash after a step (``WorkflowContext/Hooks/crashAfterSteps``):
/// the execution stops as if its process had died, leaving the workflow held.
struct SimulatedCrash: Error {}
