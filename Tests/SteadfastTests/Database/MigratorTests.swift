import Foundation
import Testing

@testable import Steadfast

extension DatabaseTests {
    @Suite("Embedded schema")
    struct EmbeddedSchemaTests {
        @Test("migrations are sorted by version, versions are unique and named NNNN_name")
        func migrationsShape() {
            let versions = EmbeddedSchema.migrations.map(\.version)
            #expect(versions == versions.sorted())
            #expect(Set(versions).count == versions.count)
            #expect(EmbeddedSchema.latestVersion == (versions.last ?? 0))
            for migration in EmbeddedSchema.migrations {
                #expect(migration.version > 0)
                #expect(migration.name.hasPrefix(migration.name.prefix { $0.isNumber }))
                #expect(Int(migration.name.prefix { $0.isNumber }) == migration.version)
                #expect(!migration.name.hasSuffix(".sql"))
                #expect(!migration.sql.isEmpty)
            }
        }

        @Test("code files are sorted by name and exclude the bootstrap")
        func codeShape() {
            let files = EmbeddedSchema.code.map(\.file)
            #expect(files == files.sorted())
            #expect(!files.contains("00_migrate.sql"))
            for file in EmbeddedSchema.code {
                #expect(file.file.hasSuffix(".sql"))
            }
        }

        @Test("the embedded text is byte for byte the file in the package")
        func matchesFiles() throws {
            // #filePath is Tests/SteadfastTests/Database/…: the package is three levels up.
            let package = URL(fileURLWithPath: #filePath)
                .deletingLastPathComponent().deletingLastPathComponent()
                .deletingLastPathComponent().deletingLastPathComponent()
            let sql = package.appendingPathComponent("sql")
            let migrations = package.appendingPathComponent("migrations")
            guard FileManager.default.fileExists(atPath: sql.path) else { return }

            let bootstrap = sql.appendingPathComponent("00_migrate.sql")
            if FileManager.default.fileExists(atPath: bootstrap.path) {
                #expect(EmbeddedSchema.bootstrap == (try String(contentsOf: bootstrap, encoding: .utf8)), "00_migrate.sql changed since the build: rebuild")
            } else {
                #expect(EmbeddedSchema.bootstrap.isEmpty)
            }
            for file in EmbeddedSchema.code {
                #expect(file.sql == (try String(contentsOf: sql.appendingPathComponent(file.file), encoding: .utf8)), "\(file.file) differs from the copy embedded at build time: rebuild")
            }
            for migration in EmbeddedSchema.migrations {
                let text = try String(contentsOf: migrations.appendingPathComponent(migration.name + ".sql"), encoding: .utf8)
                #expect(migration.sql == text, "\(migration.name) differs from the copy embedded at build time: rebuild")
            }
            let onDisk = try FileManager.default.contentsOfDirectory(atPath: sql.path)
                .filter { $0.hasSuffix(".sql") && $0 != "00_migrate.sql" }
            #expect(Set(onDisk) == Set(EmbeddedSchema.code.map(\.file)), "every sql/ file is embedded")
        }
    }

    @Suite("Migrator")
    struct MigratorTests {
        @Test(
            "migrate installs the schema; a second run changes nothing; the version matches the build",
            .enabled(if: !EmbeddedSchema.bootstrap.isEmpty, "sql/00_migrate.sql is not written yet")
        )
        func migrateTwice() async throws {
            try await TestDatabase.withThrowawayDatabase { configuration in
                let migrator = Migrator(configuration: configuration, logger: TestDatabase.logger)
                let first = try await migrator.migrate()
                #expect(first.appliedMigrations == EmbeddedSchema.migrations.map(\.name))
                #expect(first.appliedCodeFiles == EmbeddedSchema.code.map(\.file))
                #expect(first.schemaVersion == EmbeddedSchema.latestVersion)

                let second = try await migrator.migrate()
                #expect(second.appliedMigrations.isEmpty)
                #expect(second.appliedCodeFiles.isEmpty)
                #expect(second.schemaVersion == EmbeddedSchema.latestVersion)

                let connection = try await Connection.connect(configuration, logger: TestDatabase.logger)
                #expect(try await Migrator.verifySchema(on: connection) == EmbeddedSchema.latestVersion)
                // The migrator's connection is closed, so its advisory lock is free again (once
                // the server has finished ending that session).
                try await waitUntil(timeout: .seconds(30)) {
                    try await connection.query("""
                        select count(*) as n from pg_locks
                        where locktype = 'advisory' and granted
                          and database = (select oid from pg_database where datname = current_database())
                        """).first?.int("n") == 0
                }
                await connection.close()
            }
        }

        @Test(
            "concurrent migrations serialize and apply everything once",
            .enabled(if: !EmbeddedSchema.bootstrap.isEmpty, "sql/00_migrate.sql is not written yet")
        )
        func concurrentMigrations() async throws {
            try await TestDatabase.withThrowawayDatabase { configuration in
                let reports = try await withThrowingTaskGroup(of: Migrator.Report.self) { group in
                    for _ in 0..<3 {
                        group.addTask { try await Migrator(configuration: configuration, logger: TestDatabase.logger).migrate() }
                    }
                    return try await group.reduce(into: []) { $0.append($1) }
                }
                #expect(reports.flatMap(\.appliedMigrations).sorted() == EmbeddedSchema.migrations.map(\.name).sorted())
                #expect(reports.allSatisfy { $0.schemaVersion == EmbeddedSchema.latestVersion })
            }
        }

        @Test("a database without the schema needs a migration")
        func missingSchema() async throws {
            try await TestDatabase.withThrowawayDatabase { configuration in
                let connection = try await Connection.connect(configuration, logger: TestDatabase.logger)
                let error = await expectSteadfastError(.migrationRequired) {
                    try await Migrator.verifySchema(on: connection)
                }
                #expect(error?.hint?.contains("migrate") == true)
                await connection.close()
            }
        }

        @Test(
            "the compatibility window: a database one additive migration ahead runs this build's worker; a breaking one is refused naming both versions; an older one needs a migration",
            .enabled(if: !EmbeddedSchema.bootstrap.isEmpty, "sql/00_migrate.sql is not written yet")
        )
        func versionMismatch() async throws {
            try await TestDatabase.withThrowawayDatabase { configuration in
                try await Migrator(configuration: configuration, logger: TestDatabase.logger).migrate()
                let connection = try await Connection.connect(configuration, logger: TestDatabase.logger)
                let future = EmbeddedSchema.latestVersion + 1
                // A newer build applied an additive migration (a new table, say).
                try await connection.query("create table steadfast.future_feature (id int)")
                try await connection.query(
                    "insert into steadfast.schema_migrations (version, name, checksum, breaking) values ($1::int, '9999_future_feature', 'x', false)",
                    [String(future)])
                #expect(try await Migrator.verifySchema(on: connection) == future, "accepted: nothing in between breaks this build")
                var settings = Worker.Configuration(queues: ["default"], pollInterval: .milliseconds(50))
                settings.scheduleTicking = nil
                let worker = Worker(database: configuration, configuration: settings, logger: TestDatabase.logger)
                worker.register(CompatibleWorkflow())
                let running = Task { try await worker.run() }
                let client = try await Client.connect(configuration, logger: TestDatabase.logger)
                #expect(try await client.start(CompatibleWorkflow.self, 20).result(timeout: .seconds(60)) == 21,
                        "a worker built for the older schema runs workflows")
                running.cancel()
                _ = try? await running.value
                await client.close()

                // A breaking one in between: refused, naming both versions and the migration.
                try await connection.query("update steadfast.schema_migrations set breaking = true where version = $1::int", [String(future)])
                let tooNew = await expectSteadfastError(.schemaTooNew) {
                    try await Migrator.verifySchema(on: connection)
                }
                #expect(tooNew?.message.contains("version \(future)") == true && tooNew?.message.contains("(\(EmbeddedSchema.latestVersion))") == true)
                #expect(tooNew?.message.contains("9999_future_feature") == true)
                await #expect(throws: SteadfastError.self) { try await Client.connect(configuration, logger: TestDatabase.logger) }

                try await connection.query("delete from steadfast.schema_migrations where version >= $1::int", [String(EmbeddedSchema.latestVersion)])
                await expectSteadfastError(.migrationRequired) {
                    try await Migrator.verifySchema(on: connection)
                }
                await connection.close()
            }
        }
    }
}

/// One step: what the compatibility test's worker runs.
struct CompatibleWorkflow: Workflow {
    func run(_ input: Int, context: WorkflowContext) async throws -> Int {
        try await context.step("add") { input + 1 }
    }
}
