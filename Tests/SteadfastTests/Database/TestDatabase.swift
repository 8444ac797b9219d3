import Foundation
import Logging
import Testing

@testable import Steadfast

/// Every database test suite is nested in this one, so `swift test --filter Database` runs them.
enum DatabaseTests {}

/// The PostgreSQL the tests run against: `DATABASE_URL`, as `scripts/db.sh url` prints it.
enum TestDatabase {
    /// `DATABASE_URL`; records a clear failure when it is not set.
    static func url() throws -> String {
        try #require(
            ProcessInfo.processInfo.environment["DATABASE_URL"].flatMap { $0.isEmpty ? nil : $0 },
            "Set DATABASE_URL to a PostgreSQL for the tests: export DATABASE_URL=\"$(scripts/db.sh url)\""
        )
    }

    /// A configuration for the test database; `applicationName` lets a test find its own
    /// connections in `pg_stat_activity`.
    static func configuration(maximumConnections: Int = 10, applicationName: String? = nil) throws -> DatabaseConfiguration {
        DatabaseConfiguration(
            connectionString: try url(),
            maximumConnections: maximumConnections,
            applicationName: applicationName
        )
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
        var configuration = try configuration()
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
