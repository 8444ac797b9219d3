import Foundation
import Logging
import Testing

@testable import Steadfast

/// Every database test suite is nested in this one, so `swift test --filter Database` runs them.
enum DatabaseTests {}

/// The PostgreSQL the tests run against: `DATABASE_URL`'s server, in a database of the
/// current suite's own.
///
/// Suites run in parallel, so each gets a database of its own, created and migrated on its first
/// use (like `SteadfastTestEnvironment` does for users' tests): a suite that counts executors,
/// lists every workflow or reads `steadfast.metrics()` sees only what it did itself. The tests of
/// one suite share its database; scripts/test.sh drops them all at the end (`steadfast_suite_*`).
enum TestDatabase {
    /// `DATABASE_URL`, the server's; records a clear failure when it is not set.
    static func serverURL() throws -> String {
        try #require(
            ProcessInfo.processInfo.environment["DATABASE_URL"].flatMap { $0.isEmpty ? nil : $0 },
            "Set DATABASE_URL to a PostgreSQL for the tests: export DATABASE_URL=\"$(scripts/db.sh url)\""
        )
    }

    /// The connection string of the current suite's database (created on first use), for
    /// processes the test starts.
    static func url() async throws -> String {
        try await suiteDatabases.url(for: suiteKey())
    }

    /// A configuration for the current suite's database; `applicationName` lets a test find its
    /// own connections in `pg_stat_activity`.
    static func configuration(maximumConnections: Int = 10, applicationName: String? = nil) async throws -> DatabaseConfiguration {
        DatabaseConfiguration(
            connectionString: try await url(),
            maximumConnections: maximumConnections,
            applicationName: applicationName
        )
    }

    /// The suite the running test belongs to (its id without the test's own name); a test outside
    /// any suite is its own key.
    static func suiteKey() -> String {
        guard let test = Test.current else { return "unscoped" }
        let components = test.id.nameComponents
        let suite = components.count > 1 ? components.dropLast() : components[...]
        return ([test.id.moduleName] + suite).joined(separator: ".")
    }

    private static let suiteDatabases = SuiteDatabases()

    /// The suites' databases of this process, each created once.
    private actor SuiteDatabases {
        private var databases: [String: Task<String, any Error>] = [:]
        private let run = String(UInt32.random(in: 0...UInt32.max), radix: 36)

        func url(for key: String) async throws -> String {
            if let existing = databases[key] { return try await existing.value }
            let name = "steadfast_suite_\(run)_\(Self.stableHash(key))"
            let task = Task { try await TestDatabase.createDatabase(name) }
            databases[key] = task
            return try await task.value
        }

        /// FNV-1a: the same key names the same database within a run, whatever the process.
        private static func stableHash(_ key: String) -> String {
            var hash: UInt64 = 0xcbf2_9ce4_8422_2325
            for byte in key.utf8 { hash = (hash ^ UInt64(byte)) &* 0x100_0000_01b3 }
            return String(hash, radix: 36)
        }
    }

    /// Creates and migrates database `name` on the test server; returns its connection string.
    private static func createDatabase(_ name: String) async throws -> String {
        let server = try serverURL()
        try await Migrator.createDatabase(name, using: DatabaseConfiguration(connectionString: server, maximumConnections: 1),
                                          logger: logger)
        let url = connectionString(server, database: name)
        try await Migrator(configuration: DatabaseConfiguration(connectionString: url, maximumConnections: 1), logger: logger).migrate()
        return url
    }

    /// `url` with its database replaced by `database` (URI or key=value form).
    static func connectionString(_ url: String, database: String) -> String {
        if url.hasPrefix("postgresql://") || url.hasPrefix("postgres://"), var components = URLComponents(string: url) {
            components.path = "/" + database
            return components.string ?? url
        }
        return url + " dbname=" + database
    }

    static func connect() async throws -> Connection {
        try await Connection.connect(configuration(), logger: logger)
    }

    /// Quiet: only warnings and errors, so expected events (a discarded connection, applied
    /// migrations) do not drown the test output.
    static let logger: Logger = {
        var logger = Logger(label: "steadfast.tests")
        logger.logLevel = .warning
        return logger
    }()

    /// A name no other test (or run) uses: `prefix_` and random hex.
    static func uniqueName(_ prefix: String) -> String {
        "\(prefix)_\(UInt64.random(in: 0...UInt64.max).hexString)"
    }

    /// Terminates a backend from another connection and waits until it is gone.
    static func terminateBackend(_ pid: Int32) async throws {
        let admin = try await connect()
        let rows = try await admin.query("select pg_terminate_backend($1::int, 5000) as done", [String(pid)])
        #expect(try rows.first?.bool("done") == true)
        await admin.close()
    }

    /// Runs `body` with a configuration for a brand-new empty database on the test server,
    /// dropped afterwards.
    static func withThrowawayDatabase(_ body: (DatabaseConfiguration) async throws -> Void) async throws {
        let name = uniqueName("steadfast_throwaway")
        let admin = try await connect()
        try await admin.execute("create database \(name)")
        var configuration = try await configuration()
        configuration.parameterOverrides = [("dbname", name)]
        do {
            try await body(configuration)
        } catch {
            _ = try? await admin.execute("drop database if exists \(name) with (force)")
            await admin.close()
            throw error
        }
        try await admin.execute("drop database if exists \(name) with (force)")
        await admin.close()
    }
}

extension UInt64 {
    var hexString: String {
        String(self, radix: 16)
    }
}

extension Duration {
    var seconds: Double {
        Double(components.seconds) + Double(components.attoseconds) / 1e18
    }
}

/// Expects `body` to throw a ``SteadfastError`` and returns it.
@discardableResult
func expectSteadfastError(
    _ code: SteadfastError.Code,
    sourceLocation: SourceLocation = #_sourceLocation,
    _ body: () async throws -> Void
) async -> SteadfastError? {
    do {
        try await body()
        Issue.record("expected SteadfastError.\(code), nothing was thrown", sourceLocation: sourceLocation)
        return nil
    } catch let error as SteadfastError {
        #expect(error.code == code, "\(String(reflecting: error))", sourceLocation: sourceLocation)
        return error
    } catch {
        Issue.record("expected SteadfastError.\(code), got \(error)", sourceLocation: sourceLocation)
        return nil
    }
}

/// Polls `condition` every few milliseconds until it holds; records a failure after `timeout`.
func waitUntil(
    timeout: Duration = .seconds(5),
    sourceLocation: SourceLocation = #_sourceLocation,
    _ condition: () async throws -> Bool
) async throws {
    let deadline = ContinuousClock.now + timeout
    while try await !condition() {
        guard ContinuousClock.now < deadline else {
            Issue.record("condition still false after \(timeout)", sourceLocation: sourceLocation)
            return
        }
        try await Task.sleep(for: .milliseconds(5))
    }
}

/// Waits until `task` has ended and returns whether it did; records a failure if it has not
/// after `timeout` — a hang-stopper for an end that is certain, not a bound on how long it takes.
@discardableResult
func waitForEnd<Success: Sendable>(
    of task: Task<Success, any Error>,
    timeout: Duration = .seconds(60),
    sourceLocation: SourceLocation = #_sourceLocation
) async throws -> Bool {
    let ended = LockedValue(false)
    Task {
        _ = await task.result
        ended.withLock { $0 = true }
    }
    try await waitUntil(timeout: timeout, sourceLocation: sourceLocation) { ended.withLock { $0 } }
    return ended.withLock { $0 }
}
