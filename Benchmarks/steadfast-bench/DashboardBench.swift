import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import Steadfast
import SteadfastDashboard
import Synchronization

/// `make bench`, phase `dashboard`: the dashboard on 1,000,000 workflows (a database of its
/// own, dropped afterwards). Pages are fetched over loopback HTTP from the dashboard served in
/// this process; the database's own time for each page's reads is EXPLAIN ANALYZE of the same
/// calls, and the indexes they used are read from pg_stat_user_indexes.
extension Bench {
    func dashboardAtScale() async throws {
        let name = "steadfast_bench_dashboard"
        var admin = database
        admin.parameterOverrides = [("dbname", "postgres")]
        admin.maximumConnections = 1
        let adminPool = ConnectionPool(configuration: admin, logger: logger)
        _ = try await adminPool.query("drop database if exists \(name) with (force)")
        try await Migrator.createDatabase(name, using: admin, logger: logger)
        var scaled = database
        scaled.parameterOverrides = [("dbname", name)]
        scaled.maximumConnections = 10
        try await Steadfast.migrate(scaled)
        let pool = ConnectionPool(configuration: scaled, logger: logger)

        let total = 1_000_000
        let started = ContinuousClock.now
        _ = try await pool.query("""
            insert into steadfast.workflows (id, name, status, queue, input, output, error, attempt, created_at, updated_at,
                                             started_at, completed_at, available_at)
            select 'wf-' || lpad(g::text, 7, '0'), (array['checkout', 'refund', 'report', 'email'])[1 + g % 4],
                   case when g % 50 = 0 then 'failed' else 'succeeded' end, 'default',
                   jsonb_build_object('order', g), case when g % 50 = 0 then null else '"ok"'::jsonb end,
                   case when g % 50 = 0 then '{"type": "Declined", "message": "card declined"}'::jsonb end, 1,
                   now() - interval '30 days' + g * interval '2 seconds', now(), now() - interval '30 days' + g * interval '2 seconds',
                   now() - interval '30 days' + g * interval '2 seconds' + interval '1 second', now() - interval '30 days'
            from generate_series(1, \(total)) g
            """)
        _ = try await pool.query("""
            insert into steadfast.steps (workflow_id, step_key, seq, name, output, attempt, started_at, completed_at)
            select 'wf-0500000', 'step' || s, s, 'step' || s, to_jsonb(s), 1,
                   now() - interval '1 hour' + s * interval '1 second', now() - interval '1 hour' + s * interval '1 second' + interval '500 ms'
            from generate_series(1, 30) s
            """)
        _ = try await pool.query("vacuum analyze steadfast.workflows")
        _ = try await pool.query("analyze steadfast.steps")
        record("dashboard.setup.seconds", (ContinuousClock.now - started).inSeconds, "s", "1,000,000 workflows inserted and analyzed")

        let client = try await Client.connect(scaled, logger: logger)
        let port = Mutex<Int?>(nil)
        let serverLogger = logger
        let server = Task {
            try await Dashboard.serve(client: client, port: 0, logger: serverLogger) { bound in port.withLock { $0 = bound } }
        }
        try await waitUntil(timeout: 20) { port.withLock { $0 } != nil }
        let base = "http://127.0.0.1:\(port.withLock { $0 }!)"
        let pages: [(String, String, String)] = [
            ("list", "/", "the first page, newest first"),
            ("list.failed", "/?status=failed", "failed ones"),
            ("list.page2", "", "the next page (keyset)"),
            ("workflow", "/workflow?id=wf-0500000", "a workflow with 30 steps"),
        ]
        let first = try await Self.fetch(base + "/")
        try await expect(first.contains("wf-1000000"), "the newest workflow is on the first page")
        let next = try #/id="next-page" href="([^"]+)"/#.firstMatch(in: first).map { String($0.1).replacingOccurrences(of: "&amp;", with: "&") }
        try await expect(next != nil, "the first page links to the next")
        for (label, path, note) in pages {
            let url = base + (path.isEmpty ? next! : path)
            var samples: [Double] = []
            for _ in 0..<30 {
                let t0 = ContinuousClock.now
                _ = try await Self.fetch(url)
                samples.append((ContinuousClock.now - t0).inSeconds * 1000)
            }
            record("dashboard.\(label).p50", Measure.percentile(samples, 50), "ms", "\(note): request → page, over loopback HTTP (target < 100 ms)")
            record("dashboard.\(label).p95", Measure.percentile(samples, 95), "ms", "")
        }

        // The database's share, and the indexes it used.
        for (label, call) in [("list", "select * from steadfast.list_workflows('{\"limit\": 51}')"),
                              ("list.failed", "select * from steadfast.list_workflows('{\"limit\": 51, \"status\": [\"failed\"]}')"),
                              ("workflow", "select * from steadfast.get_workflow('wf-0500000')"),
                              ("steps", "select * from steadfast.list_steps('wf-0500000')"),
                              ("metrics", "select * from steadfast.metrics()")] {
            let plan = try await pool.query("explain (analyze, format json) \(call)")
            let json = try plan[0].string("QUERY PLAN")
            let ms = (try? #/"Execution Time": ([0-9.]+)/#.firstMatch(in: json)).flatMap { $0.map { Double($0.1) } } ?? .nan
            record("dashboard.sql.\(label)", ms ?? .nan, "ms", "database time of \(call.prefix(70))")
        }
        _ = try await pool.query("select pg_stat_force_next_flush()")
        let before = try await indexScans(pool)
        _ = try await pool.query("select * from steadfast.list_workflows('{\"limit\": 51}')")
        _ = try await pool.query("select pg_stat_force_next_flush()")
        try await Task.sleep(for: .milliseconds(200))
        let after = try await indexScans(pool)
        let used = after.filter { before[$0.key] != $0.value }.keys.sorted()
        print("  dashboard: the first page read index(es) \(used.joined(separator: ", "))")
        try await expect(used == ["workflows_created"], "the first page walks workflows_created, got \(used)")

        server.cancel()
        _ = try? await server.value
        await client.close()
        await pool.close()
        _ = try await adminPool.query("drop database if exists \(name) with (force)")
        await adminPool.close()
    }

    private func indexScans(_ pool: ConnectionPool) async throws -> [String: Int] {
        var scans: [String: Int] = [:]
        for row in try await pool.query("select indexrelname::text as name, idx_scan from pg_stat_user_indexes where relname = 'workflows'") {
            scans[try row.string("name")] = try row.int("idx_scan")
        }
        return scans
    }

    static func fetch(_ url: String) async throws -> String {
        let (data, response) = try await URLSession.shared.data(from: URL(string: url)!)
        guard (response as? HTTPURLResponse)?.statusCode == 200 else { throw BenchError("\(url): \(response)") }
        return String(decoding: data, as: UTF8.self)
    }
}
