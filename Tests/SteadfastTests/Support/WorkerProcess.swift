import Foundation
import Testing

@testable import Steadfast

/// A `SteadfastTestWorker` process (Tests/SteadfastTestWorker): started, killed, stopped and
/// continued by the tests, its stderr kept in a file for assertions and diagnosis.
final class WorkerProcess: @unchecked Sendable {
    let process = Process()
    let logURL: URL
    let stdoutPipe = Pipe()

    /// Starts the worker with `DATABASE_URL` and the given `SF_*` settings and waits until it
    /// has registered its executor.
    init(environment: [String: String]) async throws {
        logURL = FileManager.default.temporaryDirectory.appendingPathComponent("steadfast-worker-\(UUID().uuidString).log")
        FileManager.default.createFile(atPath: logURL.path, contents: nil)
        process.executableURL = try Self.executable()
        var env = ProcessInfo.processInfo.environment
        env["DATABASE_URL"] = try await TestDatabase.url()
        env.merge(environment) { _, new in new }
        process.environment = env
        process.standardOutput = stdoutPipe
        process.standardError = try FileHandle(forWritingTo: logURL)
        try process.run()
        // "ready <executor id>" comes after the worker is built; registration follows at once.
        // Read the line on a thread of its own: a blocking read on one of the two cooperative
        // threads of a 2-core machine would starve in-process workers of the same test run.
        let line = await withCheckedContinuation { (continuation: CheckedContinuation<String, Never>) in
            let handle = stdoutPipe.fileHandleForReading
            Thread.detachNewThread {
                continuation.resume(returning: String(decoding: handle.availableData, as: UTF8.self))
            }
        }
        #expect(line.hasPrefix("ready"), "worker did not start: \(line) \(log)")
    }

    var pid: pid_t { process.processIdentifier }

    func signal(_ signal: Int32) {
        kill(pid, signal)
    }

    /// Waits for the process to exit (after SIGTERM or SIGKILL), at most `timeout`.
    func waitForExit(timeout: Duration = .seconds(30)) async -> Bool {
        let deadline = ContinuousClock.now + timeout
        while process.isRunning {
            if ContinuousClock.now > deadline { return false }
            try? await Task.sleep(for: .milliseconds(20))
        }
        return true
    }

    /// Everything the worker logged so far.
    var log: String {
        (try? String(contentsOf: logURL, encoding: .utf8)) ?? ""
    }

    deinit {
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        try? FileManager.default.removeItem(at: logURL)
    }

    /// The built `SteadfastTestWorker`, next to the test bundle.
    static func executable() throws -> URL {
        try CommandLineTool.builtProduct("SteadfastTestWorker")
    }
}
