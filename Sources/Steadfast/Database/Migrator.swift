package import Logging

/// Installs or upgrades the engine's schema from the SQL embedded in the library, and checks
/// that a database's schema matches this build.
///
/// `migrate()` does what `psql -f` of the SQL bundle does, from the very same files
/// (`migrations/` and `sql/`, embedded at build time by the EmbedSchema plugin):
///
/// 1. runs `sql/00_migrate.sql`, the bootstrap: it creates the `steadfast` schema and its
///    migration bookkeeping if needed and takes a session-level advisory lock, so concurrent
///    migrations (several workers starting at once) run one after the other;
/// 2. applies each migration not yet recorded, in version order, with
///    `steadfast._apply_migration(version, name, sql)` — each in its own transaction;
/// 3. re-applies each `sql/` file whose checksum changed with `steadfast._apply_code(file, sql)`.
///
/// It uses a connection of its own, closed at the end, which releases the advisory lock.
/// Running it again is harmless: nothing is applied twice.
package struct Migrator: Sendable {
    /// What a migration did.
    package struct Report: Sendable, Equatable {
        /// The migrations applied by this run (`NNNN_name`), in order; empty when the schema
        /// was already up to date.
        package var appliedMigrations: [String]
        /// The `sql/` files (re-)applied by this run because they were new or changed.
        package var appliedCodeFiles: [String]
        /// `steadfast.schema_version()` after the run.
        package var schemaVersion: Int
    }

    /// Where to connect.
    package var configuration: DatabaseConfiguration
    /// Where to log progress (and the server's notices).
    package var logger: Logger

    /// - Parameters:
    ///   - configuration: Where to connect (the pool size is not used).
    ///   - logger: Where to log. Defaults to a logger labelled `steadfast.migrate`.
    package init(configuration: DatabaseConfiguration, logger: Logger = Logger(label: "steadfast.migrate")) {
        self.configuration = configuration
        self.logger = logger
    }

    /// The schema version this build of the library was compiled with (the highest migration).
    package static var latestVersion: Int {
        EmbeddedSchema.latestVersion
    }

    /// Installs or upgrades the schema. Safe to run concurrently and repeatedly.
    /// - Throws: ``SteadfastError``: ``SteadfastError/Code/connectionFailed``, a failing
    ///   migration's error (that migration is rolled back; earlier ones stay applied), or
    ///   ``SteadfastError/Code/schemaTooNew`` if the database is ahead of this build.
    @discardableResult
    package func migrate() async throws(SteadfastError) -> Report {
        try await migrate(acceptingChanged: [])
    }

    /// Installs or upgrades the schema, accepting that the named applied migrations were edited
    /// since (their new checksums are recorded): the escape hatch for a deliberate, harmless
    /// edit. Without it an edited migration is refused (SQLSTATE 55000, naming it).
    @discardableResult
    package func migrate(acceptingChanged accepted: [String]) async throws(SteadfastError) -> Report {
        guard !EmbeddedSchema.bootstrap.isEmpty else {
            throw SteadfastError(
                .migrationRequired,
                message: "this build of Steadfast embeds no schema: sql/00_migrate.sql was missing when it was built"
            )
        }
        let connection = try await Connection.connect(configuration, logger: logger)
        do {
            if !accepted.isEmpty {
                try await connection.query("select pg_catalog.set_config('steadfast.accept_changed_migrations', $1, false)",
                                           [accepted.joined(separator: ",")])
            }
            let report = try await migrate(on: connection)
            await connection.close()
            return report
        } catch {
            await connection.close()
            throw error
        }
    }

    private func migrate(on connection: Connection) async throws(SteadfastError) -> Report {
        logger.debug("running the migration bootstrap")
        try await connection.execute(EmbeddedSchema.bootstrap)

        var report = Report(appliedMigrations: [], appliedCodeFiles: [], schemaVersion: 0)
        for migration in EmbeddedSchema.migrations {
            let rows = try await connection.query(
                "select steadfast._apply_migration($1::int, $2, $3) as applied",
                [String(migration.version), migration.name, migration.sql]
            )
            if try rows.first?.bool("applied") == true {
                logger.info("applied migration", metadata: ["migration": "\(migration.name)"])
                report.appliedMigrations.append(migration.name)
            }
        }
        for file in EmbeddedSchema.code {
            let rows = try await connection.query(
                "select steadfast._apply_code($1, $2) as applied",
                [file.file, file.sql]
            )
            if try rows.first?.bool("applied") == true {
                logger.info("applied SQL", metadata: ["file": "\(file.file)"])
                report.appliedCodeFiles.append(file.file)
            }
        }
        report.schemaVersion = try await Self.verifySchema(on: connection)
        return report
    }

    /// Checks that the database's schema is the one this build expects: call it once when a
    /// client or worker connects.
    /// - Returns: The schema version.
    /// - Throws: ``SteadfastError/Code/migrationRequired`` if the schema is missing or older
    ///   than this build; ``SteadfastError/Code/schemaTooNew`` if a newer Steadfast migrated it.
    @discardableResult
    package static func verifySchema(on connection: Connection) async throws(SteadfastError) -> Int {
        let version: Int
        do {
            version = try await connection.query("select steadfast.schema_version() as version").first?.int("version") ?? 0
        } catch let error where error.sqlState == "3F000" || error.sqlState == "42883" || error.sqlState == "42P01" {
            // invalid_schema_name, undefined_function, undefined_table: never migrated.
            throw SteadfastError(
                .migrationRequired,
                message: "the database has no Steadfast schema (expected version \(latestVersion))",
                sqlState: error.sqlState,
                hint: "Run `steadfast migrate` (or `try await Steadfast.migrate(database)` in Swift) against this database first."
            )
        }
        if version > latestVersion {
            // The compatibility window: newer migrations that are all additive leave this
            // build's functions and columns as they were.
            var breaking: [(version: Int, name: String)] = []
            do {
                let rows = try await connection.query(
                    "select version, name from steadfast.breaking_migrations_after($1::int)", [String(latestVersion)])
                for row in rows { breaking.append((try row.int("version"), try row.string("name"))) }
            } catch let error where error.sqlState == "42883" {
                breaking = [(version, "(unknown: the database cannot say which of its migrations are breaking)")]
            }
            if let first = breaking.first {
                throw SteadfastError(
                    .schemaTooNew,
                    message: "the database schema is at version \(version), newer than this build of Steadfast knows (\(latestVersion)), and migration \(first.name) (version \(first.version)) breaks code built for version \(latestVersion)",
                    hint: "Deploy a build of this application with a Steadfast that knows schema version \(version)."
                )
            }
        }
        if version < latestVersion {
            throw SteadfastError(
                .migrationRequired,
                message: "the database schema is at version \(version), older than this build of Steadfast expects (\(latestVersion))",
                hint: "Run `steadfast migrate` (or `try await Steadfast.migrate(database)` in Swift) against this database."
            )
        }
        return version
    }

    /// Creates an empty database `name` on the server `admin` connects to (for test kits and
    /// tools that give each run a database of its own). `name` must be a plain identifier.
    package static func createDatabase(_ name: String, using admin: DatabaseConfiguration, logger: Logger) async throws {
        let connection = try await Connection.connect(admin, logger: logger)
        defer { Task { await connection.close() } }
        _ = try await connection.execute("create database \(Connection.quoteIdentifier(name))")
    }

    /// Drops database `name`, disconnecting its sessions.
    package static func dropDatabase(_ name: String, using admin: DatabaseConfiguration, logger: Logger) async throws {
        let connection = try await Connection.connect(admin, logger: logger)
        defer { Task { await connection.close() } }
        _ = try await connection.execute("drop database if exists \(Connection.quoteIdentifier(name)) with (force)")
    }
}
