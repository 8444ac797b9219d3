import Foundation
import Testing

@testable import Steadfast

/// The test worker's dashboard workflows (Tests/SteadfastTestWorker/DashboardWorkflows.swift),
/// seen from a client.
enum DashOrder: Workflow {
    struct Input: Codable, Sendable { var order: String }
    func run(_ input: Input, context: WorkflowContext) async throws -> String { fatalError("runs in the worker process") }
}

enum DashSlow: Workflow {
    struct Input: Codable, Sendable { var steps: Int; var interval: Double }
    func run(_ input: Input, context: WorkflowContext) async throws -> Int { fatalError("runs in the worker process") }
}

/// The dashboard in a real browser: `steadfast dashboard` and a worker in processes of their
/// own, Tests/browser/dashboard_test.py driving Debian's headless Chromium with selenium.
@Suite("Dashboard in a browser", .serialized)
struct DashboardBrowserTests {
    @Test("lists, filters, forks a failed workflow and sees it complete, cancels, watches steps appear live, bulk-resumes, escapes hostile input; screenshots in dist/dashboard")
    func browser() async throws {
        let fixture = try await EngineFixture()
        let table = try await fixture.makeEffectsTable()
        let client = try await fixture.client()
        let queue = fixture.queue
        // Ids are global: the test's own, under names only this test uses.
        _ = try await fixture.pool.query(
            "delete from steadfast.workflows where id in ('ok-1', 'fail-1', 'fail-2', 'fail-3', 'slow-cancel', 'slow-live') or id like 'hostile-%'")
        let worker = try await WorkerProcess(environment: ["SF_EFFECTS_TABLE": table, "SF_QUEUE": queue, "SF_POLL_MS": "100"])
        for id in ["ok-1", "fail-1", "fail-2", "fail-3"] {
            _ = try await client.start(DashOrder.self, .init(order: id), options: StartOptions(id: id, queue: queue))
        }
        for id in ["fail-1", "fail-2", "fail-3"] {
            _ = try? await client.handle(DashOrder.self, id: id).result(timeout: .seconds(30))
        }
        #expect(try await client.handle(DashOrder.self, id: "ok-1").result(timeout: .seconds(30)) == "reserved ok-1, charged, shipped")
        _ = try await client.start(DashSlow.self, .init(steps: 100, interval: 1), options: StartOptions(id: "slow-cancel", queue: queue))
        _ = try await client.start(DashSlow.self, .init(steps: 400, interval: 0.5), options: StartOptions(id: "slow-live", queue: queue))
        // Hostile text in an id, a name and an input: no worker runs this name; it stays enqueued.
        _ = try await fixture.pool.query(
            "select steadfast.start_workflow($1, $2, $3::jsonb, $4::jsonb)",
            ["hostile-\"'<b>", "<script>alert('name')</script>", #"{"note": "<img src=x onerror=alert('input')>"}"#,
             #"{"queue": "\#(queue)"}"#])

        let port = try Self.freePort()
        let dashboard = try await CommandLineTool(executable: try CommandLineTool.builtProduct("steadfast"))
            .start(["dashboard", "--port", String(port)], readyLine: "dashboard:")
        let python = try CommandLineTool.python()
        let script = CommandLineTool.packageRoot.appendingPathComponent("Tests/browser/dashboard_test.py").path
        let shots = CommandLineTool.packageRoot.appendingPathComponent("dist/dashboard").path
        let result: CommandLineTool.Result
        do {
            result = try await python.run([script], environment: [
                "DASHBOARD_URL": "http://127.0.0.1:\(port)", "QUEUE": queue, "SCREENSHOTS": shots,
            ])
        } catch {
            await dashboard.terminate()
            worker.signal(SIGTERM)
            throw error
        }
        await dashboard.terminate()
        worker.signal(SIGTERM)
        _ = await worker.waitForExit()
        #expect(result.status == 0, "\(result.stdout)\n\(result.stderr)")
        let checks = result.stdout.split(separator: "\n").compactMap {
            try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any]
        }
        #expect(checks.filter { $0["check"] != nil }.count >= 20, "every check ran: \(result.stdout)")
        for check in checks where check["ok"] as? Bool == false {
            Issue.record("failed in the browser: \(check)")
        }
        #expect(FileManager.default.fileExists(atPath: shots + "/dashboard.png"))
        await client.close()
        await fixture.close()
    }

    /// A TCP port nothing listens on now.
    static func freePort() throws -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) == 0 && getsockname(fd, $0, &length) == 0 }
        }
        guard bound else { throw SteadfastError(.connectionFailed, message: "no free port") }
        return Int(UInt16(bigEndian: address.sin_port))
    }
}
