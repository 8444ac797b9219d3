import Foundation
import Hummingbird
import Steadfast

/// The actions: cancel, resume, fork one workflow; cancel or resume every workflow a filter
/// matches, after a preview of how many.
extension Pages {
    /// The most workflows one bulk action takes (a larger set: narrow the filter, or act again).
    static let bulkLimit = 10_000

    func cancel(_ form: Form) async throws -> Response {
        let id = try required(form, "id")
        let cancelled = try await client.cancel(id, reason: "cancelled from the dashboard")
        return redirect("/workflow?id=" + HTML.query(id), notice: "Cancelled \(cancelled.count) workflow(s).")
    }

    func resume(_ form: Form) async throws -> Response {
        let id = try required(form, "id")
        let resumed = try await client.resume(id)
        return redirect("/workflow?id=" + HTML.query(id), notice: "Resumed: \(resumed.status.rawValue) on \(resumed.queue).")
    }

    func fork(_ form: Form) async throws -> Response {
        let id = try required(form, "id")
        guard let step = form["from_step"].flatMap(Int.init) else {
            throw SteadfastError(.invalidArgument, message: "from_step must be a step number")
        }
        let version: AppVersionChange = form["app_version"].map { .version($0) } ?? .unchanged
        let forked = try await client.fork(id, fromStep: step, options: ForkOptions(appVersion: version))
        return redirect("/workflow?id=" + HTML.query(forked.id),
                        notice: "Forked from \(id) at step \(step): \(forked.copiedSteps) step(s) reused.")
    }

    /// `send_message`: the form's JSON to the workflow's topic (a receive in it gets it).
    func send(_ form: Form) async throws -> Response {
        let id = try required(form, "id")
        let message = try required(form, "message")
        guard (try? JSONSerialization.jsonObject(with: Data(message.utf8), options: [.fragmentsAllowed])) != nil else {
            throw SteadfastError(.invalidArgument, message: "the message must be JSON, got \(message.prefix(100))")
        }
        let stored = try await client.engine.sendMessage(to: id, messageJSON: message, topic: form["topic"] ?? "default",
                                                         idempotencyKey: form["idempotency_key"])
        return redirect("/workflow?id=" + HTML.query(id), notice: stored ? "Message sent." : "Already sent with that idempotency key.")
    }

    /// Without `confirm`: a page saying how many workflows the filter matches and asking.
    /// With it: each is cancelled or resumed (one `steadfast.*` call each); those that changed
    /// state meanwhile are counted apart.
    func bulk(_ form: Form) async throws -> Response {
        let query = try ListQuery(form)
        guard let action = form["action"], action == "cancel" || action == "resume" else {
            throw SteadfastError(.invalidArgument, message: "action must be cancel or resume")
        }
        var filter = try query.filter
        if filter.status == nil {
            filter.status = action == "cancel" ? [.enqueued, .running, .waiting] : [.failed, .cancelled, .dead]
        }
        let ids = try await matching(filter)
        guard form["confirm"] != nil else {
            let verb = action == "cancel" ? "Cancel" : "Resume"
            let body = """
                <h1>\(verb) \(ids.count) workflow(s)?</h1>
                <p id="preview" data-count="\(ids.count)">\(ids.count) workflow(s) match \(HTML.escape(query.summary))\(ids.count >= Self.bulkLimit ? " (at most \(Self.bulkLimit) at a time)" : "").</p>
                <div class="actions"><form method="post" action="\(link("/bulk"))">\(csrfField)\(query.hiddenFields)
                <input type="hidden" name="action" value="\(action)"><input type="hidden" name="confirm" value="1">
                <button class="danger" id="confirm" type="submit">\(verb) \(ids.count)</button></form>
                <a href="\(link("/?" + query.queryString))">Back</a></div>
                """
            return Self.html(page(title: "\(verb) workflows", active: "workflows", body: body))
        }
        var done = 0
        var skipped = 0
        for id in ids {
            do {
                if action == "cancel" { _ = try await client.cancel(id, reason: "cancelled from the dashboard (bulk)") }
                else { _ = try await client.resume(id) }
                done += 1
            } catch let error as SteadfastError where error.code == .wrongState || error.code == .notFound {
                skipped += 1
            }
        }
        let verb = action == "cancel" ? "Cancelled" : "Resumed"
        return redirect("/?" + query.queryString, notice: "\(verb) \(done) workflow(s)\(skipped > 0 ? "; \(skipped) had changed state" : "").")
    }

    /// The ids of the workflows `filter` matches, newest first, at most ``bulkLimit``.
    private func matching(_ filter: WorkflowFilter) async throws -> [String] {
        var ids: [String] = []
        var cursor: WorkflowCursor?
        while ids.count < Self.bulkLimit {
            let wanted = min(1000, Self.bulkLimit - ids.count)
            let page = try await client.list(filter, limit: wanted, after: cursor)
            ids += page.map(\.id)
            guard page.count == wanted, let last = page.last else { break }
            cursor = last.cursor
        }
        return ids
    }

    private func required(_ form: Form, _ name: String) throws -> String {
        guard let value = form[name] else { throw SteadfastError(.invalidArgument, message: "\(name) is required") }
        return value
    }
}
