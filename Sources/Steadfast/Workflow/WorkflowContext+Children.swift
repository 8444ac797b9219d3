import Foundation
import Synchronization
import Tracing

extension WorkflowContext {
    /// Starts a child workflow, as a step named `name`: the start is recorded, so a replay —
    /// after a crash, on any worker — returns the same child and never starts a second.
    ///
    /// The child's id is `<this workflow's id>/<step key>` (for example `order-7/Charge#2`)
    /// unless `options.id` gives one. It runs from its own queue (`options.queue`) on any
    /// worker that registers it. Await it with ``ChildWorkflow/result(name:)``, or several with
    /// ``results(of:name:)`` and ``firstResult(of:name:)``: the parent then waits holding no
    /// worker. Cancelling this workflow cancels its unfinished children, and a child started
    /// while this workflow is being cancelled is cancelled with it.
    ///
    /// Start children one after another, or give children started concurrently names of their
    /// own: a replay matches each start to its record by name and occurrence.
    /// - Parameters:
    ///   - workflow: The child's type.
    ///   - input: The child's input.
    ///   - options: The child's start options (queue, priority, retry, timeout, deadline…).
    ///   - inheritDeadline: Whether the child gets this workflow's deadline when `options` gives
    ///     it neither a timeout nor a deadline. Defaults to `true`.
    ///   - name: The step's name. Defaults to the child's workflow name.
    /// - Throws: ``SteadfastError`` — ``SteadfastError/Code/workflowConflict`` when `options.id`
    ///   belongs to a workflow that is not this one's child; the codes of
    ///   ``Client/start(_:_:options:)`` otherwise.
    public func startChild<W: Workflow>(_ workflow: W.Type, _ input: W.Input, options: StartOptions = StartOptions(),
                                        inheritDeadline: Bool = true, name: String? = nil) async throws -> ChildWorkflow<W> {
        let (occurrence, key, recorded, _) = try await beginCall(name ?? W.name, kind: "child start", waits: false)
        if let recorded {
            guard recorded.error == nil, let output = recorded.output,
                  let start = try? JSONCoding.decode(RecordedStart.self, from: output) else {
                throw SteadfastError(.nonDeterminism, message: "step '\(key)' is recorded, but not as a child's start: the workflow started a child where it ran a step before")
            }
            return ChildWorkflow(id: start.workflow_id, context: self)
        }
        var json = options.json
        if let id = options.id { json["workflow_id"] = .string(id) }
        if !inheritDeadline { json["inherit_deadline"] = .bool(false) }
        // The child's executions join the trace under this step's span.
        let id = try await withStepSpan(key, name: name ?? W.name) { span in
            json.merge(engine.telemetry.traceOptions()) { given, _ in given }
            let id = try await engine.startChild(workflowID: workflowID, attempt: attempt, name: name ?? W.name,
                                                 occurrence: occurrence, childName: W.name,
                                                 inputJSON: try JSONCoding.encode(input), options: json)
            span?.attributes[TraceAttribute.childWorkflowID] = id
            return id
        }
        engine.telemetry.started(W.name, queue: options.queue)
        state.withLock { $0.executed.append(key) }
        return ChildWorkflow(id: id, context: self)
    }

    /// Starts one child workflow per input, in one transaction — fan-out without a round trip
    /// per child. The same as calling ``startChild(_:_:options:inheritDeadline:name:)`` once per
    /// input with the same arguments (the same steps, `name`, `name#2`, …, the same ids), so a
    /// replay returns the same children.
    /// - Parameters:
    ///   - workflow: The children's type.
    ///   - inputs: One input per child (at most 10,000).
    ///   - options: The children's start options; `options.id` must be `nil` (each child's id
    ///     is derived from its step).
    ///   - inheritDeadline: As for ``startChild(_:_:options:inheritDeadline:name:)``.
    ///   - name: The steps' name. Defaults to the children's workflow name.
    public func startChildren<W: Workflow>(_ workflow: W.Type, _ inputs: [W.Input], options: StartOptions = StartOptions(),
                                           inheritDeadline: Bool = true, name: String? = nil) async throws -> [ChildWorkflow<W>] {
        guard options.id == nil else {
            throw SteadfastError(.invalidArgument, message: "startChildren: options.id must be nil (each child's id is derived from its step)")
        }
        guard !inputs.isEmpty else { return [] }
        let first = try await beginCall(name ?? W.name, kind: "child start", waits: false)
        let rest = try (1..<inputs.count).map { _ in try nextKey(name ?? W.name, kind: "child start") }
        let keys = [first.key] + rest.map(\.key)
        let recorded = ([first.recorded] + rest.map(\.replayed)).compactMap { $0 }
        if !recorded.isEmpty {
            let ids = recorded.compactMap { step -> String? in
                guard step.error == nil, let output = step.output else { return nil }
                return (try? JSONCoding.decode(RecordedStart.self, from: output))?.workflow_id
            }
            guard ids.count == keys.count else {
                throw SteadfastError(.nonDeterminism, message: "steps '\(keys[0])'… are recorded, but not as the starts of these \(keys.count) children: the workflow started children where it ran other steps before")
            }
            for step in rest.compactMap(\.replayed) { traceReplayed(step) }  // the first: beginCall
            return ids.map { ChildWorkflow(id: $0, context: self) }
        }
        var json = options.json
        if !inheritDeadline { json["inherit_deadline"] = .bool(false) }
        // One span for the starts (steps `name` … `name#n`): the children's executions join
        // the trace under it.
        let ids = try await withStepSpan(keys[0], name: name ?? W.name) { _ in
            json.merge(engine.telemetry.traceOptions()) { given, _ in given }
            return try await engine.startChildren(workflowID: workflowID, attempt: attempt, name: name ?? W.name,
                                                  occurrence: first.occurrence, childName: W.name,
                                                  inputsJSON: try JSONCoding.encodeEach(inputs), options: json)
        }
        engine.telemetry.started(W.name, queue: options.queue, count: ids.count)
        state.withLock { $0.executed.append(contentsOf: keys) }
        return ids.map { ChildWorkflow(id: $0, context: self) }
    }

    /// Starts a child workflow and waits for its output: ``startChild(_:_:options:inheritDeadline:name:)``
    /// then ``ChildWorkflow/result(name:)``.
    /// - Throws: ``WorkflowFailedError`` when the child failed, was cancelled or declared dead.
    public func run<W: Workflow>(_ workflow: W.Type, _ input: W.Input, options: StartOptions = StartOptions(),
                                 inheritDeadline: Bool = true, name: String? = nil) async throws -> W.Output {
        try await startChild(workflow, input, options: options, inheritDeadline: inheritDeadline, name: name).result()
    }

    /// Waits for all of `children` to finish and returns their outcomes, in order — fan-in.
    ///
    /// One durable wait, whatever the number of children: unless they have all finished
    /// already, this workflow becomes `waiting` and its execution ends at once (its worker
    /// slot is free; nothing stays in memory). The last child's final transition enqueues it
    /// again, in that child's own transaction — nothing polls — and the next execution replays
    /// up to here and continues. The outcomes are recorded as a step named `name`, so every
    /// later replay returns the same ones. Their JSON together must fit the engine's
    /// `max_payload_bytes`: await very many large outputs in groups.
    ///
    /// The error that ends the execution (``WorkflowSuspended``) must not be caught by the
    /// workflow's code. Do not wait while other steps of the workflow run at the same time.
    /// - Parameters:
    ///   - children: Children this workflow started (1 to 10,000, no repeats).
    ///   - name: The waiting step's name. Defaults to `"await"`.
    /// - Returns: Each child's output, or ``WorkflowFailedError`` when it failed, was cancelled
    ///   or declared dead.
    public func results<W: Workflow>(of children: [ChildWorkflow<W>], name: String = "await") async throws
        -> [Result<W.Output, WorkflowFailedError>] {
        try await awaitChildren(children.map(\.id), first: false, name: name, as: W.Output.self).map(\.result)
    }

    /// Waits for the first of `children` to finish and returns its position in `children` and
    /// its outcome, as one durable wait like ``results(of:name:)``.
    /// - Parameters:
    ///   - children: Children this workflow started (1 to 10,000, no repeats).
    ///   - name: The waiting step's name. Defaults to `"await"`.
    public func firstResult<W: Workflow>(of children: [ChildWorkflow<W>], name: String = "await") async throws
        -> (index: Int, result: Result<W.Output, WorkflowFailedError>) {
        let ids = children.map(\.id)
        let outcome = try await awaitChildren(ids, first: true, name: name, as: W.Output.self)
        guard let (id, result) = outcome.first, let index = ids.firstIndex(of: id) else {
            throw SteadfastError(.decodingFailed, message: "await_children returned no child among those awaited")
        }
        return (index, result)
    }

    /// The wait: replayed from its record, or sent to `await_children`. Each outcome with its
    /// child's id.
    private func awaitChildren<Output: Codable & Sendable>(_ ids: [String], first: Bool, name: String,
                                                           as type: Output.Type) async throws
        -> [(id: String, result: Result<Output, WorkflowFailedError>)] {
        let (occurrence, key, recorded, _) = try await beginCall(name, kind: "await", waits: true)
        if let recorded {
            guard recorded.error == nil, let output = recorded.output,
                  let outcomes = try? JSONCoding.decode(RecordedWait<Output>.self, from: output) else {
                throw SteadfastError(.nonDeterminism, message: "step '\(key)' is recorded, but not as a wait for children: the workflow waited where it ran a step before")
            }
            return try outcomes.children.map { ($0.workflow_id, try $0.result()) }
        }
        let results = try await withStepSpan(key, name: name) { _ in
            try await engine.awaitChildren(workflowID: workflowID, attempt: attempt, name: name,
                                           occurrence: occurrence, children: ids, first: first)
        }
        state.withLock { $0.executed.append(key) }
        guard let results else { throw suspend(WorkflowSuspended(step: key, until: nil)) }
        return try JSONCoding.decode([ChildOutcome<Output>].self, from: results).map { ($0.workflow_id, try $0.result()) }
    }
}

/// A child's start as recorded: `{"workflow_id"}`.
private struct RecordedStart: Decodable {
    var workflow_id: String
}

/// A wait for children as recorded: `{"children": [outcome, …]}`.
private struct RecordedWait<Output: Codable & Sendable>: Decodable {
    var children: [ChildOutcome<Output>]
}

/// One child's outcome as `await_children` returns and records it.
private struct ChildOutcome<Output: Codable & Sendable>: Decodable {
    struct Failure: Decodable { var type: String?; var message: String? }
    var workflow_id: String
    var status: String
    var output: Output?
    var error: Failure?

    func result() throws -> Result<Output, WorkflowFailedError> {
        let status = try Engine.status(self.status)
        guard status == .succeeded else {
            let info = error.map { ErrorInfo(type: $0.type ?? "unknown", message: $0.message ?? "") }
            return .failure(WorkflowFailedError(workflowID: workflow_id, status: status, error: info))
        }
        if let output { return .success(output) }
        // An output of JSON null, for an optional Output.
        return .success(try JSONCoding.decode(Output.self, from: "null"))
    }
}
