public import Foundation

/// A workflow no live executor can run (`steadfast.list_stranded`), and why.
public struct StrandedWorkflow: Sendable, Hashable, Codable {
    public var id: String
    public var name: String
    public var status: WorkflowStatus
    public var queue: String
    public var appVersion: String?
    public var createdAt: Date
    /// No live executor; none claiming from its queue; none of its app version; none with its
    /// workflow registered.
    public var reason: String
}

extension Client {
    /// The workflows no live executor can run, oldest first, each with the reason.
    /// - Parameters:
    ///   - queue: Only this queue. Defaults to `nil`: all.
    ///   - limit: At most this many (1…1000). Defaults to 100.
    public func stranded(queue: String? = nil, limit: Int = 100) async throws -> [StrandedWorkflow] {
        try await engine.stranded(queue: queue, limit: limit)
    }
}
