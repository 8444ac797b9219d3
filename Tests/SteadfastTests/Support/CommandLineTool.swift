import Foundation
import Synchronization
import Testing

@testable import Steadfast

/// A program run to completion by a test — the built `steadfast` CLI, `python3` — with its
/// exit status and everything it printed.
struct CommandLineTool: Sendable {
    struct Result: Sendable {
        var status: Int32
        var stdout: String
        var stderr: String

        /// stdout parsed as JSON.
        func json() throws -> Any {
            try JSONSerialization.jsonObject(with: Data(stdout.utf8), options: [.fragmentsAllowed])
        }
    }

    let executable: URL

    /// The `steadfast` CLI built next to the test bundle (`swift build --build-tests` builds it).
    static func steadfast() throws -> CommandLineTool {
        CommandLineTool(executable: try builtProduct("steadfast"))
    }

    /// `python3` from PATH (or `$PYTHON`).
    static func python() throws -> CommandLineTool {
        if let python = ProcessInfo.processInfo.environment["PYTHON"], !python.isEmpty {
            return CommandLineTool(executable: URL(fileURLWithPath: python))
        }
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
        for directory in path.split(separator: ":") {
            let candidate = URL(fileURLWithPath: String(directory)).appendingPathComponent("python3")
            if FileManager.default.isExecutableFile(atPath: candidate.path) { return CommandLineTool(executable: candidate) }
        }
        throw SteadfastError(.notFound, message: "python3 is not on PATH")
    }

    /// Runs with `arguments`, `DATABASE_URL` set to the test database, plus `environment`;
    /// returns when the program exits (at most `timeout`).
    func run(_ arguments: [String], environment: [String: String] = [:],
             timeout: Duration = .seconds(120)) async throws -> Result {
        let process = Process()
        process.executableURL = executable
        process.arguments = arguments
        var env = ProcessInfo.processInfo.environment
        env["DATABASE_URL"] = try await TestDatabase.url()
        env.merge(environment) { _, new in new }
        process.environment = env
        let out = Pipe()
        let err = Pipe()
        process.standardOutput = out
        process.standardError = err
        process.standardInput = FileHandle.nullDevice
        try process.run()
        // Read while it runs (a full pipe would block it), each on a thread of its own: a blocking
        // read must not hold one of the few threads of Swift's cooperative pool, or the workers
        // this process runs for the program would stall until it exits.
        let stdout = Self.readToEnd(out.fileHandleForReading)
        let stderr = Self.readToEnd(err.fileHandleForReading)
        let deadline = ContinuousClock.now + timeout
        while process.isRunning {
            if ContinuousClock.now > deadline {
                process.terminate()
                Issue.record("\(executable.lastPathComponent) \(arguments) still running after \(timeout)")
                break
            }
            try await Task.sleep(for: .milliseconds(10))
        }
        process.waitUntilExit()
        return Result(status: process.terminationStatus,
                      stdout: String(decoding: await stdout.value, as: UTF8.self),
                      stderr: String(decoding: await stderr.value, as: UTF8.self))
    }

    /// Everything `handle` delivers until end of file, read on a dedicated thread.
    private static func readToEnd(_ handle: FileHandle) -> Task<Data, Never> {
        Task {
            await withCheckedContinuation { continuation in
                Thread { continuation.resume(returning: handle.readDataToEndOfFile()) }.start()
            }
        }
    }

    /// An executable product built next to the test bundle.
    /// A program started in the background by ``start(_:environment:readyLine:timeout:)``.
    final class Background: @unchecked Sendable {  // Process is used here from one task at a time
        let process: Process
        init(process: Process) { self.process = process }
        /// SIGTERM, then waits (polling, off no thread) for the exit.
        func terminate() async {
            if process.isRunning { process.terminate() }
            while process.isRunning { try? await Task.sleep(for: .milliseconds(10)) }
        }
    }

    /// Starts the program with `arguments` (`DATABASE_URL` set to the test database, plus
    /// `environment`) and returns once it printed a line containing `readyLine` on stdout (at
    /// most `timeout`); its output after that is discarded. Its stdout is read on a thread of
    /// its own; this task only polls, so no thread of Swift's cooperative pool blocks.
    func start(_ arguments: [String], environment: [String: String] = [:], readyLine: String,
               timeout: Duration = .seconds(60)) async throws -> Background {
        let process = Process()
        process.executableURL = executable
        process.arguments = arguments
        var env = ProcessInfo.processInfo.environment
        env["DATABASE_URL"] = try await TestDatabase.url()
        env.merge(environment) { _, new in new }
        process.environment = env
        let out = Pipe()
        process.standardOutput = out
        process.standardError = FileHandle.nullDevice
        process.standardInput = FileHandle.nullDevice
        try process.run()
        let ready = Mutex(false)
        let handle = out.fileHandleForReading
        Thread.detachNewThread {
            var seen = ""
            while true {
                let data = handle.availableData
                if data.isEmpty { break }
                if !ready.withLock({ $0 }) {
                    seen += String(decoding: data, as: UTF8.self)
                    if seen.contains(readyLine) { ready.withLock { $0 = true } }
                }
            }
        }
        let deadline = ContinuousClock.now + timeout
        while !ready.withLock({ $0 }) {
            guard process.isRunning, ContinuousClock.now < deadline else {
                if process.isRunning { process.terminate() }
                throw SteadfastError(.timeout, message: "\(executable.lastPathComponent) \(arguments) did not print '\(readyLine)'")
            }
            try await Task.sleep(for: .milliseconds(20))
        }
        return Background(process: process)
    }

    static func builtProduct(_ name: String) throws -> URL {
        var candidates: [URL] = []
        let arg0 = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath()
        candidates.append(arg0.deletingLastPathComponent().appendingPathComponent(name))
        candidates.append(arg0.deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent(name))
        for bundle in Bundle.allBundles {
            candidates.append(bundle.bundleURL.deletingLastPathComponent().appendingPathComponent(name))
        }
        if let found = candidates.first(where: { FileManager.default.isExecutableFile(atPath: $0.path) }) {
            return found
        }
        throw SteadfastError(.notFound, message: "\(name) not built; looked in \(candidates.map(\.path)). Run swift build --build-tests.")
    }

    /// The package's root folder (where examples/ and scripts/ are), from this file's path.
    static var packageRoot: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().deletingLastPathComponent()
    }
}
