import Foundation

/// How Steadfast connects to PostgreSQL.
///
/// ```swift
/// let configuration = DatabaseConfiguration(
///     connectionString: "postgresql://app@db.internal/orders",
///     maximumConnections: 20
/// )
/// ```
public struct DatabaseConfiguration: Sendable {
    /// A libpq connection string, used as is: a URI such as
    /// `postgresql://user:secret@host:5432/db?sslmode=require` (unix sockets with
    /// `postgresql:///db?host=/var/run/postgresql`) or keyword/value pairs such as
    /// `host=localhost dbname=app`. Settings it leaves out come from the standard `PG*`
    /// environment variables and libpq's defaults.
    public var connectionString: String

    /// The most connections a pool opens at once; callers beyond that wait for a connection to
    /// be returned. A worker or client also opens a few dedicated connections of its own
    /// outside this limit (for listening and migrating). Defaults to 10.
    public var maximumConnections: Int

    /// The `application_name` connections report in `pg_stat_activity`, overriding the
    /// connection string's. Defaults to `nil`: the connection string's `application_name`,
    /// else `PGAPPNAME`, else `steadfast`.
    public var applicationName: String?

    /// How long opening a connection may take before it fails with
    /// ``SteadfastError/Code/connectionFailed``; libpq counts whole seconds, at least 2. A
    /// `connect_timeout` in the connection string takes precedence. Defaults to 10 seconds.
    public var connectTimeout: Duration

    /// How many distinct statements with parameters each connection prepares — parses and
    /// plans once, then executes by name. The engine's calls are a few dozen; statements
    /// beyond the limit run unprepared. Set it to 0 behind a connection pooler that cannot
    /// keep prepared statements, such as PgBouncer in transaction mode before version 1.21.
    /// Defaults to 100.
    public var preparedStatementLimit: Int = 100

    /// Run-time parameters set on every connection right after it opens (as `SET` would, for
    /// the session), for example `["statement_timeout": "30s"]`. A ``Worker`` adds its own
    /// defaults for those it relies on (see ``Worker/Configuration/transactionIdleTimeout``)
    /// unless they are given here. An unknown parameter or a bad value fails the connection.
    /// Defaults to none.
    public var sessionSettings: [String: String] = [:]

    /// libpq settings applied after the connection string, overriding it (for example
    /// `("dbname", "other")` to reach another database of the same server). Defaults to none.
    package var parameterOverrides: [(keyword: String, value: String)] = []

    /// Creates a configuration.
    /// - Parameters:
    ///   - connectionString: A libpq URI or keyword/value connection string.
    ///   - maximumConnections: The pool's size. Defaults to 10.
    ///   - applicationName: The `application_name` to report. Defaults to `nil` (the
    ///     connection string's, else `steadfast`).
    ///   - connectTimeout: The time allowed to connect. Defaults to 10 seconds.
    public init(
        connectionString: String,
        maximumConnections: Int = 10,
        applicationName: String? = nil,
        connectTimeout: Duration = .seconds(10)
    ) {
        precondition(maximumConnections > 0, "maximumConnections must be at least 1")
        self.connectionString = connectionString
        self.maximumConnections = maximumConnections
        self.applicationName = applicationName
        self.connectTimeout = connectTimeout
    }

    /// Refuses a connection string libpq would misread: a URI whose scheme is not
    /// `postgresql://` or `postgres://` (a typo such as `postgress://` would otherwise be read as
    /// a database name, and the error would talk about a socket), or something that looks like
    /// an address but is neither a URI nor `key=value` pairs.
    func validate() throws(SteadfastError) {
        let text = connectionString.trimmingCharacters(in: .whitespaces)
        if let range = text.range(of: "://") {
            let scheme = text[..<range.lowerBound].lowercased()
            guard scheme == "postgresql" || scheme == "postgres" else {
                throw SteadfastError(
                    .invalidArgument,
                    message: "the connection string begins with '\(text[..<range.lowerBound])://', not postgresql:// or postgres://",
                    hint: "Write it as postgresql://user:password@host:5432/database, or as key=value pairs (host=… dbname=…).")
            }
        } else if !text.contains("="), text.contains(":") || text.contains("/") {
            throw SteadfastError(
                .invalidArgument,
                message: "'\(text.prefix(100))' is neither a postgresql:// URI nor key=value pairs",
                hint: "Write it as postgresql://user:password@host:5432/database, or as key=value pairs (host=… dbname=…).")
        }
    }

    /// The libpq keyword/value pairs to connect with, in order: defaults first (the connection
    /// string overrides them), then the connection string, then explicit settings and `extra`
    /// (which override it).
    func libpqParameters(extra: [(keyword: String, value: String)] = []) -> [(keyword: String, value: String)] {
        let seconds = max(2, Int((connectTimeout.components.seconds) + (connectTimeout.components.attoseconds > 0 ? 1 : 0)))
        var parameters: [(keyword: String, value: String)] = [
            ("connect_timeout", String(seconds)),
            ("fallback_application_name", "steadfast"),
            // With expand_dbname, this first dbname may be a whole URI or conninfo string.
            ("dbname", connectionString),
            // Every string Steadfast exchanges is UTF-8, whatever the server's default.
            ("client_encoding", "UTF8"),
        ]
        if let applicationName {
            parameters.append(("application_name", applicationName))
        }
        return parameters + parameterOverrides + extra
    }
}
