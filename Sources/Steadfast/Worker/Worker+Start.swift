import Foundation
import Logging
import Synchronization
import Tracing

extension Worker {
    /// Starts a workflow and runs it in this worker at once — in this process, without a trip
    /// through the queue — when the worker runs (``run()``), has `W` registered and has a free
    /// slot; otherwise it is enqueued, exactly as ``Client/start(_:_:options:)`` does, and
    /// whichever worker claims it runs it.
    ///
    /// Running here is a claim like any other: the workflow is started already `running` under
    /// this worker's executor (`steadfast.start_workflow_and_claim`, one call), takes one of its
    /// ``Configuration/concurrency`` slots, is fenced and recovered as usual (if this process
    /// dies, another worker resumes it after its last checkpoint), and is handed back at
    /// shutdown. In a queue with limits it runs here only as the limits allow. The handle's
    /// ``WorkflowHandle/result(timeout:)`` learns the outcome of an execution running here
    /// the moment its completion commits, without waiting for a notification.
    ///
    /// ```swift
    /// let worker = Worker(database: database)
    /// worker.register(SendWelcome())
    /// Task { try await worker.run() }
    /// let email = try await worker.start(SendWelcome.self, .init(userID: 7)).result()
    /// ```
    /// - Returns: A handle; ``WorkflowHandle/runsHere`` says whether this process runs it. It
    ///   reads through the worker's connections: once the worker has stopped, wait for a
    ///   result with a ``Client`` (``Client/handle(_:id:)``).
    /// - Throws: ``SteadfastError`` as ``Client/start(_:_:options:)``, or with code
    ///   ``SteadfastError/Code/shutdown`` when the worker is not running.
    public func start<W: Workflow>(_ workflow: W.Type, _ input: W.Input,
                                   options: StartOptions = StartOptions()) async throws -> WorkflowHandle<W.Output> {
        guard let parts = running.withLock({ $0 }), let first = parts.first else {
            throw SteadfastError(.shutdown, message: "the worker is not running: start it with run() first")
        }
        var options = options
        var (run, client) = first
        if parts.count > 1 {
            // Sharded: the workflow runs on its shard, so its id is chosen here.
            let id = options.id ?? UUID().uuidString.lowercased()
            options.id = id
            (run, client) = parts[try await first.client.engine.shardOf(id, shards: parts.count)]
        }
        let inputJSON = try JSONCoding.encode(input)
        let telemetry = client.engine.telemetry
        return try await telemetry.withStartSpan(W.name) { trace, span in
            if registry.runner(for: W.name) != nil {
                do {
                    if let started = try await run.startHere(name: W.name, id: options.id, inputJSON: inputJSON,
                                                             options: options.json.merging(trace) { given, _ in given }) {
                        span?.attributes[TraceAttribute.workflowID] = started.id
                        if started.created { telemetry.started(W.name, queue: options.queue) }
                        return WorkflowHandle(id: started.id, created: started.created, client: client, local: started.outcome)
                    }
                } catch let error as SteadfastError where error.code == .connectionLost || error.code == .shutdown
                                                            || error.code == .executorInUse {
                    // The executor's session is being restored: enqueue instead.
                    logger.debug("starting here failed; enqueuing", metadata: ["error": "\(error)"])
                }
            }
            let started = try await client.enqueue(name: W.name, inputJSON: inputJSON, options: options, trace: trace, span: span)
            return WorkflowHandle(id: started.id, created: started.created, client: client)
        }
    }
}
