/// A started workflow, typed by its output.
public struct WorkflowHandle<Output: Codable & Sendable>: Sendable {
    /// The workflow's id.
    public let id: String
    /// Whether this start created the workflow (`false`: the id already existed).
    public let created: Bool
    /// Whether this process runs the workflow's current execution (``Worker/start(_:_:options:)``
    /// claimed it), so that ``result(timeout:)`` learns its outcome here.
    public var runsHere: Bool { local != nil }
    let client: Client
    /// The execution this process runs, when it does.
    let local: LocalOutcome?

    init(id: String, created: Bool, client: Client, local: LocalOutcome? = nil) {
        self.id = id
        self.created = created
        self.client = client
        self.local = local
    }

    /// Waits for the workflow to finish and returns its output.
    ///
    /// Woken by the engine's `steadfast_finished` notification, with a slow poll as a safety net.
    /// A workflow this process runs (``runsHere``) is answered by its execution as soon as its
    /// completion commits, without that round trip; if that execution does not finish it (a
    /// retry was scheduled, another worker took over, the worker stopped), the notification
    /// does.
    /// - Parameter timeout: How long to wait. Defaults to `nil`: as long as it takes.
    /// - Throws: ``WorkflowFailedError`` if it failed, was cancelled or declared dead;
    ///   ``SteadfastError`` with code ``SteadfastError/Code/timeout`` when the time ran out.
    public func result(timeout: Duration? = nil) async throws -> Output {
        if let local, timeout == nil {
            switch await local.value {
            case .succeeded(let outputJSON):
                return try JSONCoding.decode(Output.self, from: outputJSON)
            case .failed(let status, let error) where status == .failed:
                throw WorkflowFailedError(workflowID: id, status: status, error: error)
            default:
                break  // not finished by this execution: wait for whoever finishes it
            }
        }
        let record = try await client.waitUntilFinished(id, timeout: timeout)
        guard record.status == .succeeded else {
            throw WorkflowFailedError(workflowID: id, status: record.status, error: record.error)
        }
        return try JSONCoding.decode(Output.self, from: record.outputJSON ?? "null")
    }

    /// The workflow's current status.
    public func status() async throws -> WorkflowStatus {
        try await client.workflow(id).status
    }
}
