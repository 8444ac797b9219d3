import Foundation
import Steadfast

/// The queues, executors and schedules pages.
extension Pages {
    func queues() async throws -> String {
        let rows = try await client.queues().map { status -> String in
            let queue = status.queue
            let rate = queue.rateLimit.map { "\($0.starts) per \(HTML.duration($0.period.inSeconds))" } ?? "—"
            return """
                <tr data-queue="\(HTML.escape(queue.name))"><td><a href="\(link("/?queue=" + HTML.query(queue.name)))">\(HTML.escape(queue.name))</a></td>
                <td>\(queue.concurrency.map(String.init) ?? "—")</td><td>\(queue.workerConcurrency.map(String.init) ?? "—")</td>
                <td>\(rate)</td><td>\(queue.partitionConcurrency.map(String.init) ?? "—")</td>
                <td>\(status.enqueued)</td><td>\(status.delayed)</td><td>\(status.running)</td><td>\(status.waiting)</td>
                <td>\(status.oldestEnqueuedAge.map { HTML.duration($0.inSeconds) } ?? "—")</td></tr>
                """
        }
        let body = """
            <h1>Queues</h1><table id="queues"><thead><tr><th>Queue</th><th>Concurrency</th><th>Per worker</th><th>Rate limit</th>
            <th>Per partition</th><th>Enqueued</th><th>Delayed</th><th>Running</th><th>Waiting</th><th>Oldest enqueued</th></tr></thead>
            <tbody>\(rows.joined())</tbody></table>
            """
        return page(title: "Queues", active: "queues", body: body)
    }

    func stranded() async throws -> String {
        let rows = try await client.stranded(limit: 1000).map { workflow -> String in
            """
            <tr data-id="\(HTML.escape(workflow.id))"><td class="id"><a href="\(workflowLink(workflow.id))">\(HTML.escape(workflow.id))</a></td>
            <td>\(HTML.escape(workflow.name))</td><td class="status status-\(workflow.status.rawValue)">\(workflow.status.rawValue)</td>
            <td>\(HTML.escape(workflow.queue))</td><td>\(HTML.escape(workflow.appVersion ?? "any"))</td>
            <td>\(HTML.date(workflow.createdAt))</td><td class="reason">\(HTML.escape(workflow.reason))</td></tr>
            """
        }
        let body = rows.isEmpty ? "<h1>Stranded workflows</h1><p id=\"empty\">None: a live executor can run every unfinished workflow.</p>" : """
            <h1>Stranded workflows</h1><p>Unfinished workflows no live executor can run, oldest first (at most 1,000).</p>
            <table id="stranded"><thead><tr><th>Id</th><th>Name</th><th>Status</th><th>Queue</th><th>Version</th>
            <th>Created (UTC)</th><th>Why</th></tr></thead><tbody>\(rows.joined())</tbody></table>
            """
        return page(title: "Stranded", active: "stranded", body: body)
    }

    func executors() async throws -> String {
        let rows = try await client.executors().map { executor -> String in
            """
            <tr data-executor="\(HTML.escape(executor.id))"><td class="id">\(HTML.escape(executor.id))</td>
            <td class="state-\(executor.state.rawValue.replacingOccurrences(of: " ", with: "-"))">\(executor.state.rawValue)</td>
            <td>\(HTML.escape(executor.host ?? ""))\(executor.pid.map { " (pid \($0))" } ?? "")</td>
            <td>\(HTML.escape(executor.appVersion ?? "any"))</td><td>\(HTML.escape(executor.queues.joined(separator: ", ")))</td>
            <td>\(executor.running)</td><td>\(HTML.date(executor.heartbeatAt))</td><td>\(HTML.date(executor.leaseExpiresAt))</td></tr>
            """
        }
        let body = """
            <h1>Executors</h1><table id="executors"><thead><tr><th>Executor</th><th>State</th><th>Host</th><th>Version</th>
            <th>Queues</th><th>Running</th><th>Heartbeat (UTC)</th><th>Lease expires</th></tr></thead>
            <tbody>\(rows.joined())</tbody></table>
            """
        return page(title: "Executors", active: "executors", body: body)
    }

    func schedules() async throws -> String {
        let rows = try await client.schedules().map { status -> String in
            let schedule = status.schedule
            let last = status.lastWorkflowID.map { "<a href=\"\(workflowLink($0))\">\(HTML.escape($0))</a>" } ?? "—"
            return """
                <tr data-schedule="\(HTML.escape(schedule.name))"><td>\(HTML.escape(schedule.name))</td><td><code>\(HTML.escape(schedule.cron))</code> \(HTML.escape(schedule.timeZone))</td>
                <td>\(HTML.escape(schedule.workflowName))</td><td>\(HTML.escape(schedule.queue))</td><td>\(status.enabled ? "yes" : "paused")</td>
                <td>\(HTML.date(status.nextFireAt))</td><td>\(HTML.date(status.lastFiredAt))</td><td>\(last)</td>
                <td>\(status.lastStatus?.rawValue ?? "")</td><td>\(HTML.escape(status.lastError ?? ""))</td></tr>
                """
        }
        let body = """
            <h1>Schedules</h1><table id="schedules"><thead><tr><th>Schedule</th><th>Cron</th><th>Workflow</th><th>Queue</th>
            <th>Enabled</th><th>Next (UTC)</th><th>Last fired</th><th>Last workflow</th><th>Its status</th><th>Last error</th></tr></thead>
            <tbody>\(rows.joined())</tbody></table>
            """
        return page(title: "Schedules", active: "schedules", body: body)
    }
}
