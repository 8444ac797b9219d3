/// A started workflow, typed by its output.
public struct WorkflowHandle<Output: Codable & Sendable>: Sendable {
    /// The workflow's id.
    public let id: String
    /// Whether this start created the workflow (`false`: the id already existed).
    public let created: Bool
    let client: Client

    /// Waits for the workflow to finish and returns its output.
    ///
    /// Woken by the engine's `steadfast_finished` notification, with a slow poll as a safety net.
    /// - Parameter timeout: How long to wait. Defaults to `nil`: as long as it takes.
    /// - Throws: ``WorkflowFailedError`` if it failed, was cancelled or declared dead;
    ///   ``SteadfastError`` with code ``SteadfastError/Code/timeout`` when the time ran out.
    public func result(timeout: Duration? = nil) async throws -> Output {
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
