import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import SteadfastDashboard
import Synchronization
import Testing

@testable import Steadfast

/// Writes three values to its stream "progress" and closes it.
struct Streamer: Workflow {
    func run(_ input: Int, context: WorkflowContext) async throws -> Int {
        for n in 1...3 { try await context.writeStream("progress", ["done": "\(n)", "html": "<b>\(n)</b>"]) }
        try await context.closeStream("progress")
        return 3
    }
}

/// The dashboard over HTTP, served in this process: a viewer role's read-only dashboard,
/// CSRF, the token, the loopback rule, escaping.
@Suite("Dashboard over HTTP", .serialized)
struct DashboardHTTPTests {
    /// An HTTP client that does not follow redirects (the tests look at them).
    final class NoRedirects: NSObject, URLSessionTaskDelegate, Sendable {
        func urlSession(_ session: URLSession, task: URLSessionTask, willPerformHTTPRedirection response: HTTPURLResponse,
                        newRequest request: URLRequest, completionHandler: @escaping @Sendable (URLRequest?) -> Void) {
            completionHandler(nil)
        }
    }
    let session = URLSession(configuration: .ephemeral, delegate: NoRedirects(), delegateQueue: nil)

    struct Reply {
        var status: Int
        var body: String
        var headers: [String: String]
    }

    func request(_ url: String, method: String = "GET", form: [String: String]? = nil,
                 headers: [String: String] = [:]) async throws -> Reply {
        var request = URLRequest(url: URL(string: url)!)
        request.httpMethod = method
        for (name, value) in headers { request.setValue(value, forHTTPHeaderField: name) }
        if let form {
            request.setValue("application/x-www-form-urlencoded", forHTTPHeaderField: "Content-Type")
            request.httpBody = Data(form.map { "\($0)=\($1.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? "")" }
                .joined(separator: "&").utf8)
        }
        let (data, response) = try await session.data(for: request)
        let http = response as! HTTPURLResponse
        var fields: [String: String] = [:]
        for (name, value) in http.allHeaderFields { fields["\(name)".lowercased()] = "\(value)" }
        return Reply(status: http.statusCode, body: String(decoding: data, as: UTF8.self), headers: fields)
    }

    /// Serves a dashboard on a free port for `body`, then stops it.
    func serving(_ client: Client, options: Dashboard.Options = .init(), host: String = "127.0.0.1",
                 _ body: (String) async throws -> Void) async throws {
        let port = Mutex<Int?>(nil)
        let server = Task {
            try await Dashboard.serve(client: client, host: host, port: 0, options: options, logger: TestDatabase.logger) { bound in
                port.withLock { $0 = bound }
            }
        }
        try await waitUntil(timeout: .seconds(30)) { port.withLock { $0 } != nil }
        do {
            try await body("http://127.0.0.1:\(port.withLock { $0 }!)")
        } catch {
            server.cancel()
            throw error
        }
        server.cancel()
        _ = try? await server.value
    }

    @Test("a dashboard on a viewer role (grant_viewer), read-only: every page renders; no action is offered or accepted")
    func viewerReadOnly() async throws {
        let fixture = try await EngineFixture()
        let owner = try await fixture.client()
        let id = try await owner.start(Traced.self, 1, options: StartOptions(queue: fixture.queue)).id
        let role = TestDatabase.uniqueName("sf_viewer")
        _ = try await fixture.pool.query("create role \(role) login")
        _ = try await fixture.pool.query("select steadfast.grant_viewer($1)", [role])
        var database = fixture.configuration
        database.parameterOverrides.append(("user", role))
        let viewer = try await Client.connect(database, logger: TestDatabase.logger)
        try await serving(viewer, options: .init(readOnly: true)) { base in
            for path in ["/", "/?queue=\(fixture.queue)&status=enqueued", "/?stranded=1", "/stranded", "/workflow?id=\(id)", "/queues",
                         "/executors", "/schedules", "/metrics"] {
                let reply = try await request(base + path)
                #expect(reply.status == 200, "\(path): \(reply.status) \(reply.body.prefix(300))")
                #expect(!reply.body.contains("class=\"error\""), "\(path) rendered an error: \(reply.body.prefix(300))")
            }
            let page = try await request(base + "/workflow?id=\(id)")
            #expect(page.body.contains("read-only"))
            #expect(!page.body.contains("id=\"cancel\"") && !page.body.contains("/workflow/fork"), "no action is offered")
            let list = try await request(base + "/?queue=\(fixture.queue)")
            #expect(list.body.contains(id) && !list.body.contains("bulk-cancel"))
            // No worker runs Traced here: it is stranded, and the page says why.
            let stranded = try await request(base + "/stranded")
            #expect(stranded.body.contains("data-id=\"\(id)\"") && stranded.body.contains("class=\"reason\">no live executor"),
                    "\(stranded.body.suffix(800))")
            let refused = try await request(base + "/workflow/cancel", method: "POST", form: ["id": id])
            #expect(refused.status == 403)
        }
        #expect(try await owner.workflow(id).status == .enqueued, "nothing was cancelled")
        await viewer.close()
        _ = try await fixture.pool.query("select pg_terminate_backend(pid, 5000) from pg_stat_activity where usename = $1", [role])
        _ = try await fixture.pool.query("drop owned by \(role)")
        _ = try await fixture.pool.query("drop role \(role)")
        await owner.close()
        await fixture.close()
    }

    @Test("an action needs the page's CSRF secret and the same origin; with both it acts")
    func csrf() async throws {
        let fixture = try await EngineFixture()
        let client = try await fixture.client()
        let id = try await client.start(Traced.self, 1, options: StartOptions(queue: fixture.queue)).id
        try await serving(client) { base in
            let without = try await request(base + "/workflow/cancel", method: "POST", form: ["id": id])
            #expect(without.status == 403)
            let wrong = try await request(base + "/workflow/cancel", method: "POST", form: ["id": id, "csrf": "guess"])
            #expect(wrong.status == 403)
            #expect(try await client.workflow(id).status == .enqueued)

            let page = try await request(base + "/workflow?id=\(id)")
            let secret = try #require(page.body.firstMatch(of: /name="csrf" value="([0-9a-f]+)"/)?.1)
            let crossOrigin = try await request(base + "/workflow/cancel", method: "POST", form: ["id": id, "csrf": String(secret)],
                                                headers: ["Origin": "http://evil.example"])
            #expect(crossOrigin.status == 403)
            #expect(try await client.workflow(id).status == .enqueued)

            let done = try await request(base + "/workflow/cancel", method: "POST", form: ["id": id, "csrf": String(secret)])
            #expect(done.status == 303, "\(done.status) \(done.body.prefix(200))")
            #expect(try await client.workflow(id).status == .cancelled)
        }
        await client.close()
        await fixture.close()
    }

    @Test("with a token: refused without it, a cookie after ?token=, a bearer header accepted; off loopback without a token it refuses to start")
    func token() async throws {
        let fixture = try await EngineFixture()
        let client = try await fixture.client()
        try await serving(client, options: .init(token: "s3cret")) { base in
            #expect(try await request(base + "/").status == 401)
            #expect(try await request(base + "/?token=wrong").status == 401)
            let entry = try await request(base + "/?token=s3cret")
            #expect(entry.status == 302)
            let cookie = try #require(entry.headers["set-cookie"])
            #expect(cookie.contains("steadfast_token=s3cret") && cookie.contains("HttpOnly"))
            #expect(try await request(base + "/", headers: ["Cookie": "steadfast_token=s3cret"]).status == 200)
            #expect(try await request(base + "/metrics", headers: ["Authorization": "Bearer s3cret"]).status == 200)
        }
        await #expect(throws: DashboardError.self) {
            try await Dashboard.serve(client: client, host: "0.0.0.0", port: 0)
        }
        let cli = try await CommandLineTool(executable: try CommandLineTool.builtProduct("steadfast"))
            .run(["dashboard", "--host", "0.0.0.0", "--port", "0"])
        #expect(cli.status == 1)
        #expect(cli.stderr.contains("without a token"))
        await client.close()
        await fixture.close()
    }

    @Test("a workflow's events are shown; a message is sent from its page (JSON checked, idempotency key honoured)")
    func eventsAndMessages() async throws {
        let fixture = try await EngineFixture()
        let client = try await fixture.client()
        let (_, task) = fixture.startWorker { $0.register(TracedWaits()) }
        let done = try await client.start(TracedWaits.self, 4, options: StartOptions(queue: fixture.queue))
        #expect(try await done.result(timeout: .seconds(60)) == 6)
        task.cancel()
        _ = try? await task.value
        let waiting = try await client.start(Traced.self, 1, options: StartOptions(queue: fixture.queue)).id
        try await serving(client) { base in
            let page = try await request(base + "/workflow?id=\(done.id)")
            #expect(page.body.contains("data-event=\"done\"") && page.body.contains("<code>5</code>"), "the event and its value")
            let form = try await request(base + "/workflow?id=\(waiting)")
            let secret = String(try #require(form.body.firstMatch(of: /name="csrf" value="([0-9a-f]+)"/)?.1))
            let bad = try await request(base + "/workflow/send", method: "POST",
                                        form: ["id": waiting, "csrf": secret, "message": "{not json", "topic": "t"])
            #expect(bad.status == 400, "bad input: \(bad.status)")
            for _ in 0..<2 {
                let sent = try await request(base + "/workflow/send", method: "POST",
                                             form: ["id": waiting, "csrf": secret, "message": #"{"approved": true}"#,
                                                    "topic": "approvals", "idempotency_key": "k-1"])
                #expect(sent.status == 303)
            }
        }
        let stored = try await fixture.pool.query(
            "select topic, message::text as message from steadfast.messages where workflow_id = $1", [waiting])
        #expect(stored.count == 1, "one message, though sent twice with the same key")
        #expect(try stored.first?.string("topic") == "approvals")
        await client.close()
        await fixture.close()
    }

    @Test("a workflow's stream is read from its page; /metrics serves the engine's gauges and the app's own")
    func streamsAndMetrics() async throws {
        let fixture = try await EngineFixture()
        let client = try await fixture.client()
        let (_, task) = fixture.startWorker { $0.register(Streamer()) }
        let handle = try await client.start(Streamer.self, 0, options: StartOptions(queue: fixture.queue))
        #expect(try await handle.result(timeout: .seconds(60)) == 3)
        task.cancel()
        _ = try? await task.value
        try await serving(client, options: .init(moreMetrics: { "# TYPE app_checkouts counter\napp_checkouts 7\n" })) { base in
            let stream = try await request(base + "/stream?id=\(handle.id)&key=progress&from=1")
            #expect(stream.status == 200)
            #expect(!stream.body.contains("data-offset=\"0\"") && stream.body.contains("data-offset=\"1\"")
                    && stream.body.contains("data-offset=\"2\"") && stream.body.contains("<em>closed</em>"))
            #expect(stream.body.contains("&lt;b&gt;2&lt;/b&gt;"), "values are escaped")
            let metrics = try await request(base + "/metrics")
            #expect(metrics.headers["content-type"]?.hasPrefix("text/plain; version=0.0.4") == true)
            #expect(metrics.body.contains(" gauge\nsteadfast_"), "the engine's gauges come first")
            #expect(metrics.body.hasSuffix("app_checkouts 7\n"))
        }
        await client.close()
        await fixture.close()
    }

    @Test("hostile ids, names, inputs and errors are escaped in every page that shows them")
    func escaping() async throws {
        let fixture = try await EngineFixture()
        let client = try await fixture.client()
        let id = "esc-<i>\"'&-\(fixture.queue)"
        _ = try await fixture.pool.query("select steadfast.start_workflow($1, $2, $3::jsonb, $4::jsonb)",
                                         [id, "<script>x()</script>", #"{"html": "</pre><script>y()</script>"}"#,
                                          #"{"queue": "\#(fixture.queue)"}"#])
        try await serving(client) { base in
            let list = try await request(base + "/?queue=\(fixture.queue)")
            #expect(!list.body.contains("<script>x()") && list.body.contains("&lt;script&gt;x()&lt;/script&gt;"))
            #expect(!list.body.contains("<i>\"") && list.body.contains("esc-&lt;i&gt;&quot;&#39;&amp;-"))
            let page = try await request(base + "/workflow?id=" + id.addingPercentEncoding(withAllowedCharacters: .alphanumerics)!)
            #expect(page.status == 200)
            #expect(!page.body.contains("<script>y()") && page.body.contains("&lt;/pre&gt;&lt;script&gt;y()"))
            let missing = try await request(base + "/workflow?id=%3Cscript%3E")
            #expect(missing.status == 404 && !missing.body.contains("<script>"))
        }
        await client.close()
        await fixture.close()
    }
}
