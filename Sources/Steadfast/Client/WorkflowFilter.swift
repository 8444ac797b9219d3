public import Foundation

/// Which workflows ``Client/list(_:limit:after:)`` returns: every field that is set must match.
///
/// ```swift
/// let failedToday = try await client.list(WorkflowFilter(status: [.failed], createdAfter: startOfDay))
/// ```
public struct WorkflowFilter: Sendable, Hashable {
    /// Only these statuses. Defaults to `nil`: any status.
    public var status: [WorkflowStatus]?
    /// Only workflows of this name. Defaults to `nil`.
    public var name: String?
    /// Only this queue. Defaults to `nil`.
    public var queue: String?
    /// Only workflows started under this application version. Defaults to `nil`.
    public var appVersion: String?
    /// Only the children of this workflow. Defaults to `nil`.
    public var parentID: String?
    /// Only the forks of this workflow. Defaults to `nil`.
    public var forkedFrom: String?
    /// Only workflows created at or after this time. Defaults to `nil`.
    public var createdAfter: Date?
    /// Only workflows created strictly before this time. Defaults to `nil`.
    public var createdBefore: Date?
    /// Only unfinished workflows that no live worker can run (none claims from their queue,
    /// runs their version, or registered their name): the view `steadfast.stranded_workflows`.
    /// Defaults to `false`.
    public var stranded: Bool

    /// Creates a filter; every argument has the default documented on its property.
    public init(status: [WorkflowStatus]? = nil, name: String? = nil, queue: String? = nil, appVersion: String? = nil,
                parentID: String? = nil, forkedFrom: String? = nil, createdAfter: Date? = nil,
                createdBefore: Date? = nil, stranded: Bool = false) {
        self.status = status
        self.name = name
        self.queue = queue
        self.appVersion = appVersion
        self.parentID = parentID
        self.forkedFrom = forkedFrom
        self.createdAfter = createdAfter
        self.createdBefore = createdBefore
        self.stranded = stranded
    }
}

/// Where a page of ``Client/list(_:limit:after:)`` ends: the next page starts after it. Take it
/// from the last row (``WorkflowSummary/cursor``), or build it from a printed `created_at` and id.
public struct WorkflowCursor: Sendable, Hashable {
    /// The last row's creation time.
    public var createdAt: Date
    /// The last row's id.
    public var id: String
    /// `created_at` exactly as the database printed it, when it came from a row.
    package var createdAtText: String?

    /// A cursor after the workflow created at `createdAt` with this `id`.
    public init(createdAt: Date, id: String) {
        self.createdAt = createdAt
        self.id = id
    }

    /// A cursor from `created_at` as the database printed it (a dashboard's page link carries
    /// it: a `Date` could lose the microseconds the order depends on).
    package init?(createdAtText: String, id: String) {
        guard let date = Date(postgresText: createdAtText) else { return nil }
        self.createdAt = date
        self.id = id
        self.createdAtText = createdAtText
    }
}

extension WorkflowSummary {
    /// The cursor that continues a listing after this row.
    public var cursor: WorkflowCursor {
        var cursor = WorkflowCursor(createdAt: createdAt, id: id)
        cursor.createdAtText = createdAtCursor
        return cursor
    }
}
