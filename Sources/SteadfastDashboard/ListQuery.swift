import Foundation
import Hummingbird
import Steadfast

/// The workflows page's filter, from its address (or a bulk action's form, which repeats it):
/// `status`, `name`, `queue`, `app_version`, `id`, `created_after`, `created_before` (ISO 8601
/// or the browser's `datetime-local`, read as UTC), `stranded`, and the page's cursor
/// (`before`, `before_id`).
struct ListQuery: Sendable {
    var status: WorkflowStatus?
    var name: String?
    var queue: String?
    var appVersion: String?
    var id: String?
    var createdAfter: String?
    var createdBefore: String?
    var stranded = false
    var cursor: WorkflowCursor?

    static let fields = ["status", "name", "queue", "app_version", "id", "created_after", "created_before", "stranded"]

    init(_ value: (String) -> String?) throws {
        func text(_ name: String) -> String? { value(name).flatMap { $0.isEmpty ? nil : $0 } }
        if let status = text("status") {
            guard let parsed = WorkflowStatus(rawValue: status) else {
                throw SteadfastError(.invalidArgument, message: "unknown status \(status)")
            }
            self.status = parsed
        }
        name = text("name")
        queue = text("queue")
        appVersion = text("app_version")
        id = text("id")
        createdAfter = text("created_after")
        createdBefore = text("created_before")
        stranded = text("stranded") != nil
        if let before = text("before"), let beforeID = text("before_id") {
            cursor = WorkflowCursor(createdAtText: before, id: beforeID)
        }
    }

    init(_ request: Request) throws {
        try self.init { request.uri.queryParameters.get($0) }
    }

    init(_ form: Form) throws {
        try self.init { form[$0] }
    }

    var filter: WorkflowFilter {
        get throws {
            WorkflowFilter(status: status.map { [$0] }, name: name, queue: queue, appVersion: appVersion,
                           createdAfter: try createdAfter.map { try Self.date($0, "created_after") },
                           createdBefore: try createdBefore.map { try Self.date($0, "created_before") },
                           stranded: stranded)
        }
    }

    /// The filter as hidden form fields (a bulk action repeats it).
    var hiddenFields: String {
        pairs.map { "<input type=\"hidden\" name=\"\(HTML.escape($0))\" value=\"\(HTML.escape($1))\">" }.joined()
    }

    /// The filter as a query string (without the cursor).
    var queryString: String {
        pairs.map { HTML.query($0) + "=" + HTML.query($1) }.joined(separator: "&")
    }

    /// What the filter says, in words.
    var summary: String {
        let parts = pairs.map { "\($0) = \($1)" }
        return parts.isEmpty ? "all workflows" : parts.joined(separator: ", ")
    }

    private var pairs: [(String, String)] {
        var pairs: [(String, String)] = []
        if let status { pairs.append(("status", status.rawValue)) }
        if let name { pairs.append(("name", name)) }
        if let queue { pairs.append(("queue", queue)) }
        if let appVersion { pairs.append(("app_version", appVersion)) }
        if let id { pairs.append(("id", id)) }
        if let createdAfter { pairs.append(("created_after", createdAfter)) }
        if let createdBefore { pairs.append(("created_before", createdBefore)) }
        if stranded { pairs.append(("stranded", "1")) }
        return pairs
    }

    /// ISO 8601 with or without seconds and zone (a `datetime-local` value is read as UTC).
    static func date(_ text: String, _ field: String) throws -> Date {
        for candidate in [text, text + ":00Z", text + "Z"] {
            if let date = try? Date(candidate, strategy: .iso8601) { return date }
        }
        throw SteadfastError(.invalidArgument, message: "\(field): expected a date and time (ISO 8601), got \(text)")
    }
}
