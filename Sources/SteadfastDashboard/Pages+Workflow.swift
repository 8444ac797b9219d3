import Foundation
import Hummingbird
import Steadfast

/// A workflow's page: its facts, payloads, lineage, children, what it waits for, a timeline of
/// its steps, and the actions that apply to its status.
extension Pages {
    func workflow(_ request: Request) async throws -> String {
        guard let id = request.uri.queryParameters.get("id"), !id.isEmpty else {
            throw SteadfastError(.invalidArgument, message: "which workflow? (?id=…)")
        }
        let record = try await client.workflow(id)
        // list_steps: with each step's times and runs (get_workflow's steps carry neither).
        let steps = try await client.steps(id)
        let children = try await client.list(WorkflowFilter(parentID: id), limit: 200)
        var body = notice(request)
        body += "<h1 id=\"workflow-id\">\(HTML.escape(record.id))</h1>"
        body += facts(record)
        if !readOnly { body += actions(record, steps) }
        body += "<h2>Steps</h2>" + timeline(record, steps)
        body += "<h2>Input</h2><pre id=\"input\">\(HTML.escape(Self.pretty(record.inputJSON)))</pre>"
        if let output = record.outputJSON {
            body += "<h2>Output</h2><pre id=\"output\">\(HTML.escape(Self.pretty(output)))</pre>"
        }
        if let error = record.error {
            body += "<h2>Error</h2><pre id=\"error\">\(HTML.escape(error.type)): \(HTML.escape(error.message))</pre>"
        }
        let events = try await client.getEvents(id)
        if !events.isEmpty {
            body += "<h2>Events</h2><table id=\"events\"><thead><tr><th>Key</th><th>Value</th><th>Set by step</th><th>At (UTC)</th></tr></thead><tbody>"
                + events.map { event in
                    "<tr data-event=\"\(HTML.escape(event.key))\"><td>\(HTML.escape(event.key))</td><td><code>\(HTML.escape(String(event.valueJSON.prefix(500))))</code></td>"
                        + "<td>\(HTML.escape(event.step))</td><td>\(HTML.date(event.writtenAt))</td></tr>"
                }.joined()
                + "</tbody></table>"
        }
        body += """
            <h2>Streams</h2>
            <form class="filters" method="get" action="\(link("/stream"))"><input type="hidden" name="id" value="\(HTML.escape(record.id))">
            <label>Stream key<input name="key" id="stream-key" placeholder="progress"></label>
            <label>From offset<input name="from" value="0" size="6"></label><button id="read-stream" type="submit">Read</button></form>
            """
        if !readOnly && !record.status.isFinal {
            body += """
                <h2>Send a message</h2>
                <form class="filters" method="post" action="\(link("/workflow/send"))">\(csrfField)
                <input type="hidden" name="id" value="\(HTML.escape(record.id))">
                <label>Topic<input name="topic" id="send-topic" value="default"></label>
                <label>Message (JSON)<input name="message" id="send-message" size="40" placeholder='{"approved": true}'></label>
                <label>Idempotency key<input name="idempotency_key" placeholder="optional"></label>
                <button id="send" type="submit">Send</button></form>
                """
        }
        if !children.isEmpty {
            body += "<h2>Children</h2><table id=\"children\"><tbody>"
                + children.map { summaryRow($0.id, $0.name, $0.status, $0.queue, $0.attempt, $0.createdAt, $0.completedAt, $0.error) }.joined()
                + "</tbody></table>"
        }
        let live = record.status.isFinal ? nil
            : "/live/workflow?id=" + HTML.query(id) + "&v=" + Self.version(Self.fingerprint(record))
        return page(title: record.id, active: "workflows", body: body, live: live)
    }

    /// A stream of the workflow: up to 1,000 values from an offset (`read_stream`), and whether
    /// it is closed.
    func stream(_ request: Request) async throws -> String {
        guard let id = request.uri.queryParameters.get("id"), let key = request.uri.queryParameters.get("key"),
              !id.isEmpty, !key.isEmpty else {
            throw SteadfastError(.invalidArgument, message: "which stream? (?id=…&key=…)")
        }
        let from = request.uri.queryParameters.get("from").flatMap { Int($0) } ?? 0
        let entries = try await client.engine.readStream(workflowID: id, key: key, from: max(0, from), limit: 1000)
        let rows = entries.map { entry in
            entry.closed ? "<tr class=\"closed\"><td>\(entry.offset)</td><td><em>closed</em></td></tr>"
                : "<tr data-offset=\"\(entry.offset)\"><td>\(entry.offset)</td><td><code>\(HTML.escape(String((entry.valueJSON ?? "null").prefix(2000))))</code></td></tr>"
        }
        var body = "<h1>Stream \(HTML.escape(key)) of <a href=\"\(workflowLink(id))\">\(HTML.escape(id))</a></h1>"
        body += rows.isEmpty ? "<p id=\"empty\">No value at or after offset \(from).</p>"
            : "<table id=\"stream\"><thead><tr><th>Offset</th><th>Value</th></tr></thead><tbody>\(rows.joined())</tbody></table>"
        if entries.count == 1000, let last = entries.last {
            body += "<div class=\"pager\"><a href=\"\(link("/stream?id=" + HTML.query(id) + "&key=" + HTML.query(key) + "&from=\(last.offset + 1)"))\">Later values →</a></div>"
        }
        return page(title: "Stream \(key)", active: "workflows", body: body)
    }

    /// What the live workflow page watches: status, attempt and steps.
    func workflowFingerprint(_ request: Request) async throws -> String {
        let id = request.uri.queryParameters.get("id") ?? ""
        return Self.fingerprint(try await client.workflow(id))
    }

    static func fingerprint(_ record: WorkflowRecord) -> String {
        "\(record.status.rawValue)|\(record.attempt)|\(record.steps.count)|\(record.wait?.description ?? "")"
    }

    private func facts(_ record: WorkflowRecord) -> String {
        var rows: [(String, String)] = [
            ("Name", HTML.escape(record.name)),
            ("Status", "<span id=\"status\" class=\"status status-\(record.status.rawValue)\">\(record.status.rawValue)</span>"),
            ("Queue", HTML.escape(record.queue)),
            ("App version", HTML.escape(record.appVersion ?? "any")),
            ("Attempt", "\(record.attempt) (retries \(record.retryCount), recovery attempts \(record.recoveryAttempts))"),
            ("Executor", HTML.escape(record.executorID ?? "—")),
            ("Created", HTML.date(record.createdAt)),
            ("Started", HTML.date(record.startedAt)),
            ("Completed", HTML.date(record.completedAt)),
        ]
        if let wait = record.wait, record.status == .waiting {
            rows.append(("Waiting for", "<span id=\"waiting\">\(HTML.escape(wait.description))</span>"))
        }
        if let parent = record.parentID {
            rows.append(("Parent", "<a href=\"\(workflowLink(parent))\">\(HTML.escape(parent))</a>"))
        }
        if let original = record.forkedFrom {
            rows.append(("Forked from", "<a id=\"forked-from\" href=\"\(workflowLink(original))\">\(HTML.escape(original))</a> at step \(record.forkedAtStep ?? 0)"))
        }
        return "<dl class=\"facts\">" + rows.map { "<dt>\($0.0)</dt><dd>\($0.1)</dd>" }.joined() + "</dl>"
    }

    private func actions(_ record: WorkflowRecord, _ steps: [WorkflowStep]) -> String {
        let id = "<input type=\"hidden\" name=\"id\" value=\"\(HTML.escape(record.id))\">"
        var forms: [String] = []
        if !record.status.isFinal {
            forms.append("<form method=\"post\" action=\"\(link("/workflow/cancel"))\">\(csrfField)\(id)<button class=\"danger\" id=\"cancel\" type=\"submit\">Cancel</button></form>")
        }
        if [.failed, .cancelled, .dead].contains(record.status) {
            forms.append("<form method=\"post\" action=\"\(link("/workflow/resume"))\">\(csrfField)\(id)<button id=\"resume\" type=\"submit\">Resume</button></form>")
        }
        let options = (1...(steps.count + 1)).map { seq -> String in
            let label = seq <= steps.count ? "\(seq) · \(steps[seq - 1].key)" : "\(seq) · after the last"
            return "<option value=\"\(seq)\">\(HTML.escape(label))</option>"
        }.joined()
        forms.append("""
            <form method="post" action="\(link("/workflow/fork"))">\(csrfField)\(id)
            <label>Fork from step <select name="from_step" id="fork-step">\(options)</select></label>
            <label>app version <input name="app_version" id="fork-version" placeholder="unchanged" size="10"></label>
            <button id="fork" type="submit">Fork</button></form>
            """)
        return "<div class=\"actions\">" + forms.joined() + "</div>"
    }

    /// A Gantt of the steps: each bar from its start to its end on one time axis (the first
    /// start to the last end); steps recorded by an earlier execution than the current one
    /// are lighter (a later execution replayed them).
    private func timeline(_ record: WorkflowRecord, _ steps: [WorkflowStep]) -> String {
        guard !steps.isEmpty else { return "<p id=\"no-steps\">No step recorded yet.</p>" }
        let starts = steps.compactMap { $0.startedAt ?? $0.completedAt }
        let ends = steps.compactMap { $0.completedAt ?? $0.startedAt }
        let origin = starts.min() ?? record.createdAt
        let span = max((ends.max() ?? origin).timeIntervalSince(origin), 0.001)
        let rows = steps.map { step -> String in
            let start = (step.startedAt ?? step.completedAt ?? origin).timeIntervalSince(origin)
            let length = ((step.completedAt ?? step.startedAt ?? origin).timeIntervalSince(step.startedAt ?? step.completedAt ?? origin))
            let left = max(0, min(100, start / span * 100))
            let width = max(0.3, min(100 - left, length / span * 100))
            var classes = ["bar"]
            if step.error != nil { classes.append("failed") }
            if step.attempt < record.attempt { classes.append("earlier") }
            let outcome = step.error.map { "failed: \($0.type)" } ?? (step.childWorkflowID != nil ? "child" : "ok")
            let runs = step.runs.map { $0 > 1 ? ", \($0) runs" : "" } ?? ""
            let child = step.childWorkflowID.map { " → <a href=\"\(workflowLink($0))\">\(HTML.escape($0))</a>" } ?? ""
            return """
                <div class="row step" data-key="\(HTML.escape(step.key))" data-attempt="\(step.attempt)"><span class="label" title="\(HTML.escape(step.key))">\(step.seq). \(HTML.escape(step.key))\(child)</span>
                <span class="track"><span class="\(classes.joined(separator: " "))" style="left: \(String(format: "%.2f", left))%; width: \(String(format: "%.2f", width))%"></span></span>
                <span class="meta">\(HTML.duration(length)) · \(outcome) · attempt \(step.attempt)\(runs)</span></div>
                """
        }
        return "<div class=\"timeline\" id=\"timeline\">\(rows.joined(separator: "\n"))</div>"
    }

    /// JSON, indented when it parses.
    static func pretty(_ json: String) -> String {
        guard let object = try? JSONSerialization.jsonObject(with: Data(json.utf8), options: [.fragmentsAllowed]),
              let data = try? JSONSerialization.data(withJSONObject: object, options: [.prettyPrinted, .sortedKeys, .fragmentsAllowed, .withoutEscapingSlashes])
        else { return json }
        return String(decoding: data, as: UTF8.self)
    }
}
