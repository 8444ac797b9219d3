/// Queues: define them in code, inspect them, and start many workflows at once.
extension Client {
    /// Creates the queue, or gives an existing one exactly these settings (an upsert): the
    /// definition in code wins over changes made in the database meanwhile. Workers pick the
    /// settings up at their next claim, without restarting. One call, `steadfast.define_queue`:
    /// safe when several processes define the same queue at once.
    ///
    /// Use ``createQueue(_:)`` instead when operators tune queues in the database
    /// (`steadfast.alter_queue`) and a deploy must not undo that.
    /// - Returns: Whether the queue was created.
    /// - Throws: ``SteadfastError`` — ``SteadfastError/Code/invalidArgument`` for a bad name or
    ///   setting (negative limit, zero period); nothing is changed then.
    @discardableResult
    public func defineQueue(_ queue: Queue) async throws -> Bool {
        try await engine.defineQueue(name: queue.name, settings: queue.settingsJSON)
    }

    /// Creates the queue with these settings when it does not exist; an existing queue is left
    /// as it is.
    /// - Returns: Whether the queue was created.
    /// - Throws: ``SteadfastError`` with code ``SteadfastError/Code/invalidArgument``.
    @discardableResult
    public func createQueue(_ queue: Queue) async throws -> Bool {
        try await engine.createQueue(name: queue.name, settings: queue.settingsJSON)
    }

    /// Changes some of a queue's settings in the database, leaving the others as they are
    /// (`steadfast.alter_queue`). Workers apply it at their next claim. A concurrency of 0
    /// pauses the queue: nothing starts until it is raised or cleared.
    /// - Returns: The queue's settings after the change.
    /// - Throws: ``SteadfastError`` — ``SteadfastError/Code/notFound`` for an unknown queue,
    ///   ``SteadfastError/Code/invalidArgument`` for a bad setting; nothing is changed then.
    @discardableResult
    public func alterQueue(_ name: String, _ changes: QueueChanges) async throws -> Queue {
        try await engine.alterQueue(name: name, options: changes.optionsJSON)
    }

    /// Deletes a queue that no workflow (finished ones included) belongs to and no running
    /// worker claims from.
    /// - Throws: ``SteadfastError`` — ``SteadfastError/Code/notFound`` for an unknown queue,
    ///   ``SteadfastError/Code/wrongState`` while workflows or workers use it,
    ///   ``SteadfastError/Code/invalidArgument`` for the queue `"default"`.
    public func deleteQueue(_ name: String) async throws {
        try await engine.deleteQueue(name: name)
    }

    /// Every queue, by name, with its settings and what it holds now.
    public func queues() async throws -> [QueueStatus] {
        try await engine.queues()
    }

    /// One queue's settings and what it holds now.
    /// - Throws: ``SteadfastError`` with code ``SteadfastError/Code/notFound``.
    public func queue(_ name: String) async throws -> QueueStatus {
        guard let status = try await engine.queues().first(where: { $0.queue.name == name }) else {
            throw SteadfastError(.notFound, message: "queue \(name) not found")
        }
        return status
    }

    /// Starts many workflows of one type in one call and one transaction: either all are
    /// started (or found, by id or deduplication key) or, on an error, none.
    ///
    /// Each element is started as ``start(_:_:options:)`` would start it; workers are notified
    /// once per queue.
    /// - Returns: One handle per element, in order; `created` is `false` for an element whose
    ///   id existed or whose deduplication key was held (the handle is then the existing
    ///   workflow's).
    /// - Throws: ``SteadfastError`` as ``start(_:_:options:)``; the message names the element.
    public func start<W: Workflow>(_ workflow: W.Type, batch: [(input: W.Input, options: StartOptions)])
        async throws -> [WorkflowHandle<W.Output>] {
        let inputs = try JSONCoding.encodeEach(batch.map(\.input))
        let started = try await engine.telemetry.withStartSpan(W.name) { trace, _ in
            let elements = zip(batch, inputs).map { element, inputJSON in
                Engine.BatchStart(id: element.options.id, name: W.name, inputJSON: inputJSON,
                                  options: element.options.json.merging(trace) { given, _ in given })
            }
            return try await engine.startBatch(elements)
        }
        for (element, result) in zip(batch, started) where result.created {
            engine.telemetry.started(W.name, queue: element.options.queue)
        }
        return started.map { WorkflowHandle(id: $0.id, created: $0.created, client: self) }
    }
}
