// `steadfast`: operate Steadfast from a shell — migrate, print the SQL bundle, start, await, list, inspect,
// cancel, resume and fork workflows, list executors, prune, manage cron schedules. Each
// command is one call of a `steadfast.*` SQL function through the Swift `Client`, so
// everything here can also be done from psql (docs/sql-api.md).
import ArgumentParser
import Foundation
import Logging
import Steadfast

@main
struct SteadfastCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "steadfast",
        abstract: "Operate Steadfast durable workflows in PostgreSQL.",
        discussion: """
            Every command but `sql` connects to --database-url (or DATABASE_URL). Output is a \
            table for people; --json prints JSON for scripts. On an error the command prints it \
            (with its SQLSTATE) to standard error and exits with status 1.
            """,
        subcommands: [Migrate.self, PrintSQL.self, Workflows.self, Queues.self, Executors.self, Prune.self, Schedules.self,
                      Shards.self, DashboardCommand.self]
    )
}

/// The options every database command takes.
struct GlobalOptions: ParsableArguments {
    @Option(name: .customLong("database-url"), help: ArgumentHelp(
        "The PostgreSQL connection string (URL or key=value).", valueName: "url"))
    var databaseURL: String?

    @Flag(help: "Print JSON instead of tables.")
    var json = false

    /// The configuration to connect with: --database-url, else DATABASE_URL.
    func database() throws -> DatabaseConfiguration {
        let url = databaseURL ?? ProcessInfo.processInfo.environment["DATABASE_URL"].flatMap { $0.isEmpty ? nil : $0 }
        guard let url else {
            throw ValidationError("No database: pass --database-url or set DATABASE_URL.")
        }
        return DatabaseConfiguration(connectionString: url, maximumConnections: 2, applicationName: "steadfast-cli")
    }

    /// Runs `body` with a connected client; engine and connection errors become a message on
    /// standard error and exit status 1.
    func withClient(_ body: (Client) async throws -> Void) async throws {
        let database = try database()
        try await reportingErrors {
            let client = try await Client.connect(database, logger: quietLogger)
            do {
                try await body(client)
            } catch {
                await client.close()
                throw error
            }
            await client.close()
        }
    }

    /// Prints a Steadfast error (or a workflow failure) the way --json asks, and exits 1.
    func reportingErrors(_ body: () async throws -> Void) async throws {
        do {
            try await body()
        } catch let error as SteadfastError {
            Output.error(error, json: json)
            throw ExitCode.failure
        } catch let error as WorkflowFailedError {
            Output.failure(error, json: json)
            throw ExitCode.failure
        }
    }
}

/// Only errors: a command's output is its result, not the library's log.
let quietLogger: Logger = {
    var logger = Logger(label: "steadfast.cli")
    logger.logLevel = .error
    return logger
}()
