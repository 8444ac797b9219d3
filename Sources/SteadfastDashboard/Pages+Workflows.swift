import Foundation
import Hummingbird
import Steadfast

/// The workflows page: filters, counts of unfinished workflows by status, a keyset-paged
/// table, bulk cancel and resume by the filter.
extension Pages {
    static let pageSize = 50

    func workflows(_ request: Request) async throws -> String {
        let query = try ListQuery(request)
        if let id = query.id {
            // An id search: that workflow, if it exists.
            let record = try? await client.workflow(id)
            let rows = record.map { [summaryRow($0.id, $0.name, $0.status, $0.queue, $0.attempt, $0.createdAt, $0.completedAt, $0.error)] } ?? []
            return page(title: "Workflows", active: query.stranded ? "stranded" : "workflows",
                        body: notice(request) + filterForm(query) + table(rows, empty: "No workflow has the id \(HTML.escape(id))."),
                        live: nil)
        }
        let filter = try query.filter
        let rows = try await client.list(filter, limit: Self.pageSize + 1, after: query.cursor)
        let shown = rows.prefix(Self.pageSize)
        var body = notice(request)
        body += "<h1>\(query.stranded ? "Stranded workflows" : "Workflows")</h1>"
        body += try await counts(query)
        body += filterForm(query)
        body += table(shown.map { summaryRow($0.id, $0.name, $0.status, $0.queue, $0.attempt, $0.createdAt, $0.completedAt, $0.error) },
                      empty: "No workflow matches.")
        if rows.count > Self.pageSize, let last = shown.last {
            let cursor = last.cursor
            let next = "/?" + [query.queryString, "before=" + HTML.query(cursor.createdAtText ?? HTML.date(cursor.createdAt)),
                               "before_id=" + HTML.query(cursor.id)].filter { !$0.isEmpty }.joined(separator: "&")
            body += "<div class=\"pager\"><a id=\"next-page\" href=\"\(link(next))\">Older →</a></div>"
        }
        if !readOnly {
            body += bulkForms(query)
        }
        let live = "/live/workflows?" + [query.queryString, "v=" + Self.version(Self.fingerprint(Array(shown)))]
            .filter { !$0.isEmpty }.joined(separator: "&")
        return page(title: "Workflows", active: query.stranded ? "stranded" : "workflows", body: body,
                    live: query.cursor == nil ? live : nil)
    }

    /// What the live list watches: the first page's ids and statuses.
    func listFingerprint(_ request: Request) async throws -> String {
        let query = try ListQuery(request)
        return Self.fingerprint(try await client.list(try query.filter, limit: Self.pageSize))
    }

    static func fingerprint(_ rows: [WorkflowSummary]) -> String {
        rows.map { "\($0.id)|\($0.status.rawValue)|\($0.attempt)" }.joined(separator: ",")
    }

    /// Unfinished workflows by status (`steadfast.metrics()`: cheap however many have finished),
    /// each a link to that filter.
    private func counts(_ query: ListQuery) async throws -> String {
        var byStatus: [String: Double] = [:]
        for sample in try await client.metrics() where sample.metric == "steadfast_workflows" {
            if let queue = query.queue, sample.queue != queue { continue }
            byStatus[sample.label ?? "", default: 0] += sample.value
        }
        let statuses = ["enqueued", "running", "waiting"]
        let links = statuses.map { status in
            var counted = query
            counted.status = WorkflowStatus(rawValue: status)
            counted.cursor = nil
            return "<a class=\"status-\(status)\" data-count=\"\(status)\" href=\"\(link("/?" + counted.queryString))\">\(status) \(Int(byStatus[status] ?? 0))</a>"
        }
        return "<div class=\"counts\" id=\"counts\">\(links.joined())</div>"
    }

    private func filterForm(_ query: ListQuery) -> String {
        let statuses = ["", "enqueued", "running", "waiting", "succeeded", "failed", "cancelled", "dead"].map { status in
            "<option value=\"\(status)\"\(query.status?.rawValue == status || (status.isEmpty && query.status == nil) ? " selected" : "")>\(status.isEmpty ? "any" : status)</option>"
        }.joined()
        func field(_ name: String, _ label: String, _ value: String?, type: String = "text") -> String {
            "<label>\(label)<input type=\"\(type)\" name=\"\(name)\" value=\"\(HTML.escape(value ?? ""))\"></label>"
        }
        return """
            <form class="filters" id="filters" method="get" action="\(link("/"))">
            <label>Status<select name="status">\(statuses)</select></label>
            \(field("name", "Name", query.name))\(field("queue", "Queue", query.queue))\(field("app_version", "App version", query.appVersion))
            \(field("created_after", "Created after (UTC)", query.createdAfter))\(field("created_before", "Created before (UTC)", query.createdBefore))
            \(field("id", "Id", query.id))
            \(query.stranded ? "<input type=\"hidden\" name=\"stranded\" value=\"1\">" : "")
            <button type="submit">Filter</button>
            </form>
            """
    }

    func summaryRow(_ id: String, _ name: String, _ status: WorkflowStatus, _ queue: String, _ attempt: Int,
                    _ created: Date, _ completed: Date?, _ error: ErrorInfo?) -> String {
        let ran = completed.map { HTML.duration($0.timeIntervalSince(created)) } ?? ""
        let failure = error.map { "\($0.type): \($0.message)" } ?? ""
        return """
            <tr data-id="\(HTML.escape(id))"><td class="id"><a href="\(workflowLink(id))">\(HTML.escape(id))</a></td>
            <td>\(HTML.escape(name))</td><td class="status status-\(status.rawValue)">\(status.rawValue)</td>
            <td>\(HTML.escape(queue))</td><td>\(attempt)</td><td>\(HTML.date(created))</td><td>\(ran)</td>
            <td>\(HTML.escape(String(failure.prefix(200))))</td></tr>
            """
    }

    private func table(_ rows: [String], empty: String) -> String {
        guard !rows.isEmpty else { return "<p id=\"empty\">\(empty)</p>" }
        return """
            <table id="workflows"><thead><tr><th>Id</th><th>Name</th><th>Status</th><th>Queue</th><th>Attempt</th>
            <th>Created (UTC)</th><th>Took</th><th>Error</th></tr></thead><tbody>
            \(rows.joined(separator: "\n"))
            </tbody></table>
            """
    }

    /// Cancel or resume every workflow the filter matches: the first POST shows how many and
    /// asks; the confirmation does it (``bulk(_:)``).
    private func bulkForms(_ query: ListQuery) -> String {
        func form(_ action: String, _ label: String) -> String {
            """
            <form method="post" action="\(link("/bulk"))">\(csrfField)\(query.hiddenFields)
            <input type="hidden" name="action" value="\(action)"><button type="submit" id="bulk-\(action)">\(label)</button></form>
            """
        }
        return "<h2>Bulk actions on this filter</h2><div class=\"actions\">\(form("cancel", "Cancel all matching…"))\(form("resume", "Resume all matching…"))</div>"
    }
}
