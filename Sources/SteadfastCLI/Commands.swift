import ArgumentParser
import Foundation
import Steadfast

struct Migrate: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Install or upgrade the engine (schema steadfast) in the database.",
        discussion: "Safe to run again and from several processes at once: nothing is applied twice.")

    @OptionGroup var global: GlobalOptions

    @Option(name: .customLong("accept-changed"), help: ArgumentHelp(
        "An applied migration whose file was deliberately edited: record its new checksum instead of refusing (repeatable).",
        valueName: "migration"))
    var acceptChanged: [String] = []

    func run() async throws {
        let database = try global.database()
        try await global.reportingErrors {
            let report = try await Migrator(configuration: database, logger: quietLogger).migrate(acceptingChanged: acceptChanged)
            if global.json {
                Output.json(["schema_version": report.schemaVersion, "applied_migrations": report.appliedMigrations,
                             "applied_code_files": report.appliedCodeFiles])
                return
            }
            report.appliedMigrations.forEach { Output.line("applied migration \($0)") }
            if !report.appliedCodeFiles.isEmpty {
                Output.line("applied \(report.appliedCodeFiles.count) SQL file(s): \(report.appliedCodeFiles.joined(separator: ", "))")
            }
            Output.line("migrated: schema version \(report.schemaVersion)")
        }
    }
}

struct PrintSQL: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sql",
        abstract: "Print the install/upgrade SQL bundle (what `make sql` writes).",
        discussion: "Apply it with psql alone: steadfast sql > steadfast.sql && psql \"$DATABASE_URL\" -f steadfast.sql")

    func run() async throws {
        do {
            FileHandle.standardOutput.write(Data(try Steadfast.sqlBundle().utf8))
        } catch {
            Output.error(error, json: false)
            throw ExitCode.failure
        }
    }
}

struct Executors: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "List executors (worker processes): alive or dead, version, queues, running workflows.")

    @OptionGroup var global: GlobalOptions

    @Flag(name: .customLong("all"), help: "Include executors that stopped.")
    var includeStopped = false

    func run() async throws {
        try await global.withClient { client in
            let executors = try await client.executors(includeStopped: includeStopped)
            if global.json {
                let encoder = JSONEncoder()
                encoder.keyEncodingStrategy = .convertToSnakeCase
                encoder.dateEncodingStrategy = .custom { date, encoder in
                    var container = encoder.singleValueContainer()
                    try container.encode(Output.timestamp(date))
                }
                encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
                Output.line(String(decoding: try encoder.encode(executors), as: UTF8.self))
                return
            }
            // A stopped executor's state says why it stopped (deregistered, session lost: its
            // process died, lease expired: it hung), as executor_overview records it.
            Output.table(["EXECUTOR", "STATE", "VERSION", "QUEUES", "RUNNING", "HOST", "PID", "HEARTBEAT"],
                         executors.map {
                             [$0.id, $0.stopReason.map { "stopped: \($0)" } ?? $0.state.rawValue, $0.appVersion ?? "any",
                              $0.queues.joined(separator: ","),
                              String($0.running), Output.orDash($0.host), $0.pid.map(String.init) ?? "-",
                              Output.shortTime($0.heartbeatAt)]
                         })
        }
    }
}

struct Prune: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Delete finished workflows (and their steps) that completed more than --older-than ago.",
        discussion: """
            Only finished workflows (succeeded, failed, cancelled, dead) are ever deleted. \
            --dry-run counts what would go and deletes nothing. Deleting more than \
            --confirm-above workflows asks first (on a terminal), or needs --yes. Deletes in \
            batches, one transaction each, until none is left. Ages: 90s, 15m, 12h, 30d, 2w.
            """)

    @OptionGroup var global: GlobalOptions

    @Option(help: ArgumentHelp("How long ago they must have finished (e.g. 30d).", valueName: "age"))
    var olderThan: Age

    @Option(help: "Workflows per transaction.")
    var batchSize = 1000

    @Option(name: .customLong("status"), help: "Only this finished status (repeatable). Default: all four.")
    var statuses: [FinishedStatusArgument] = []

    @Option(help: "Only this queue's workflows.")
    var queue: String?

    @Flag(help: "Count what would be deleted; delete nothing.")
    var dryRun = false

    @Flag(name: .shortAndLong, help: "Delete without asking, however many.")
    var yes = false

    @Option(help: "Ask (or require --yes) before deleting more than this many workflows.")
    var confirmAbove = 1000

    func run() async throws {
        let statuses = statuses.isEmpty ? nil : statuses.map(\.status)
        try await global.withClient { client in
            // The count (one dry-run call) is needed to report a dry run and to ask; --yes skips it.
            if dryRun || !yes {
                let counted = try await client.prune(olderThan: olderThan.duration, statuses: statuses, queue: queue, dryRun: true)
                if dryRun {
                    if global.json {
                        Output.json(["would_delete_workflows": counted.workflows, "would_delete_steps": counted.steps, "dry_run": true])
                    } else {
                        Output.line("would prune \(counted.workflows) workflow(s) and \(counted.steps) step(s); nothing deleted (--dry-run)")
                    }
                    return
                }
                if counted.workflows > confirmAbove && !confirmed(counted) {
                    Output.errorLine("steadfast: not pruning \(counted.workflows) workflow(s) (more than --confirm-above \(confirmAbove)) "
                                     + "without confirmation: pass --yes, or --dry-run to see the count")
                    throw ExitCode.failure
                }
            }
            let result = try await client.prune(olderThan: olderThan.duration, batchSize: batchSize, statuses: statuses, queue: queue)
            if global.json {
                Output.json(["deleted_workflows": result.workflows, "deleted_steps": result.steps, "batches": result.batches])
            } else {
                Output.line("pruned \(result.workflows) workflow(s) and \(result.steps) step(s) in \(result.batches) batch(es)")
            }
        }
    }

    /// Asks on the terminal whether to delete `counted`; `false` when standard input is not a
    /// terminal (a script must say --yes).
    private func confirmed(_ counted: PruneResult) -> Bool {
        guard isatty(STDIN_FILENO) == 1 else { return false }
        FileHandle.standardError.write(Data("Delete \(counted.workflows) finished workflow(s) and \(counted.steps) step(s)? [y/N] ".utf8))
        guard let answer = readLine()?.trimmingCharacters(in: .whitespaces).lowercased() else { return false }
        return answer == "y" || answer == "yes"
    }
}
