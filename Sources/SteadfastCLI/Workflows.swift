import ArgumentParser
import Foundation
import Steadfast

struct Workflows: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "List, inspect, start, await, cancel, resume and fork workflows.",
        subcommands: [List.self, Show.self, Steps.self, Start.self, Wait.self, Cancel.self, Resume.self, Fork.self, Send.self,
                      Events.self, Stream.self]
    )

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "List workflows, newest first.",
            discussion: """
                Filters combine. Times are ISO 8601 or an age (2h, 7d). A full page ends with the \
                options that fetch the next one.
                """)

        @OptionGroup var global: GlobalOptions

        @Option(name: .customLong("status"), help: "Only this status (repeatable).")
        var statuses: [StatusArgument] = []
        @Option(help: "Only workflows of this name.")
        var name: String?
        @Option(help: "Only this queue.")
        var queue: String?
        @Option(help: "Only this application version.")
        var appVersion: String?
        @Option(name: .customLong("parent"), help: "Only the children of this workflow.")
        var parentID: String?
        @Option(help: "Only the forks of this workflow.")
        var forkedFrom: String?
        @Option(help: ArgumentHelp("Created at or after this time.", valueName: "time"))
        var since: PointInTime?
        @Option(help: ArgumentHelp("Created before this time.", valueName: "time"))
        var until: PointInTime?
        @Flag(help: "Only unfinished workflows no live worker can run.")
        var stranded = false
        @Option(help: "At most this many (1…1000).")
        var limit = 50
        @Option(help: ArgumentHelp("Next page: the created_at of the last row shown.", valueName: "time"))
        var beforeCreatedAt: String?
        @Option(help: ArgumentHelp("Next page: the id of the last row shown.", valueName: "id"))
        var beforeID: String?

        func validate() throws {
            if (beforeCreatedAt == nil) != (beforeID == nil) {
                throw ValidationError("Give --before-created-at and --before-id together (the last row of the previous page).")
            }
        }

        func run() async throws {
            try await global.withClient { client in
                let filter = WorkflowFilter(status: statuses.isEmpty ? nil : statuses.map(\.status), name: name, queue: queue,
                                            appVersion: appVersion, parentID: parentID, forkedFrom: forkedFrom,
                                            createdAfter: since?.date, createdBefore: until?.date, stranded: stranded)
                var after: WorkflowCursor?
                if let beforeCreatedAt, let beforeID {
                    guard let time = PointInTime(argument: beforeCreatedAt) else {
                        throw ValidationError("--before-created-at: not a time: \(beforeCreatedAt)")
                    }
                    after = WorkflowCursor(createdAt: time.date, id: beforeID)
                }
                let rows = try await client.list(filter, limit: limit, after: after)
                // --stranded: why no live worker can run each (list_stranded).
                var reasons: [String: String] = [:]
                if stranded {
                    for workflow in try await client.stranded(queue: queue, limit: 1000) { reasons[workflow.id] = workflow.reason }
                }
                if global.json {
                    Output.json(rows.map { row in
                        var object = row.jsonObject
                        if let reason = reasons[row.id] { object["reason"] = reason }
                        return object
                    })
                    return
                }
                Output.table(["WORKFLOW", "NAME", "STATUS", "QUEUE", "VERSION", "ATTEMPT", "CREATED", "FINISHED",
                              stranded ? "WHY STRANDED" : "ERROR"],
                             rows.map {
                                 [$0.id, $0.name, $0.wait.map { "waiting: \($0)" } ?? $0.status.rawValue, $0.queue,
                                  $0.appVersion ?? "any", String($0.attempt),
                                  Output.shortTime($0.createdAt), Output.shortTime($0.completedAt),
                                  stranded ? reasons[$0.id] ?? "" : Output.errorCell($0.error)]
                             })
                if rows.count == limit, let last = rows.last {
                    Output.line("next page: --before-created-at \(Output.timestamp(last.createdAt) ?? "") --before-id \(last.id)")
                }
            }
        }
    }

    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Show one workflow: status, input, output, error, lineage, steps.")

        @OptionGroup var global: GlobalOptions
        @Argument(help: "The workflow's id.")
        var id: String

        func run() async throws {
            try await global.withClient { client in
                let record = try await client.workflow(id)
                let steps = try await client.steps(id)
                if global.json {
                    var object = record.jsonObject
                    object["steps"] = steps.map(\.jsonObject)
                    Output.json(object)
                    return
                }
                showRecord(record)
                Output.line()
                if steps.isEmpty {
                    Output.line("no steps recorded")
                } else {
                    Output.table(WorkflowStep.tableHeader, steps.map(\.tableRow))
                }
            }
        }
    }

    struct Steps: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "List a workflow's recorded steps; SEQ is what `fork --from-step` takes.")

        @OptionGroup var global: GlobalOptions
        @Argument(help: "The workflow's id.")
        var id: String

        func run() async throws {
            try await global.withClient { client in
                let steps = try await client.steps(id)
                if global.json {
                    Output.json(steps.map(\.jsonObject))
                } else {
                    Output.table(WorkflowStep.tableHeader, steps.map(\.tableRow))
                }
            }
        }
    }

    struct Cancel: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Cancel a workflow and its unfinished descendants.",
            discussion: "A running workflow's worker stops it at once. Cancelling a cancelled workflow changes nothing.")

        @OptionGroup var global: GlobalOptions
        @Argument(help: "The workflow's id.")
        var id: String
        @Option(help: "Recorded as the workflow's error message.")
        var reason: String?

        func run() async throws {
            try await global.withClient { client in
                let cancelled = try await client.cancel(id, reason: reason)
                if global.json {
                    Output.json(cancelled.map { ["workflow_id": $0.id, "previous_status": $0.previousStatus.rawValue] })
                    return
                }
                for workflow in cancelled {
                    Output.line(workflow.previousStatus == .cancelled
                                ? "\(workflow.id) was already cancelled"
                                : "cancelled \(workflow.id) (was \(workflow.previousStatus.rawValue))")
                }
            }
        }
    }

    struct Resume: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Put a cancelled, failed or dead workflow back in its queue (same id, checkpoints kept).",
            discussion: "--queue and --app-version/--any-version also move a workflow waiting in its queue.")

        @OptionGroup var global: GlobalOptions
        @Argument(help: "The workflow's id.")
        var id: String
        @Option(help: "Move it to this queue.")
        var queue: String?
        @OptionGroup var version: VersionOptions

        func run() async throws {
            try await global.withClient { client in
                let resumed = try await client.resume(id, queue: queue, appVersion: version.change)
                if global.json {
                    Output.json(["workflow_id": resumed.id, "previous_status": resumed.previousStatus.rawValue,
                                 "status": resumed.status.rawValue, "queue": resumed.queue,
                                 "app_version": orNull(resumed.appVersion),
                                 "available_at": orNull(Output.timestamp(resumed.availableAt))])
                    return
                }
                Output.line(resumed.previousStatus == .enqueued
                            ? "\(resumed.id) is enqueued in \(resumed.queue)"
                            : "resumed \(resumed.id) (was \(resumed.previousStatus.rawValue)): enqueued in \(resumed.queue)")
            }
        }
    }

    struct Fork: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Start a new workflow that reuses a workflow's steps before --from-step and runs the rest again.",
            discussion: """
                The steps with SEQ below --from-step (see `steadfast workflows steps`) are copied: \
                the new workflow replays their recorded outputs without running them, then runs \
                the rest with the code of the worker that claims it. The original is not changed.
                """)

        @OptionGroup var global: GlobalOptions
        @Argument(help: "The original workflow's id.")
        var id: String
        @Option(help: ArgumentHelp("The first step to run again (its SEQ, from 1).", valueName: "seq"))
        var fromStep: Int
        @Option(name: .customLong("id"), help: "The new workflow's id (default: a new UUID).")
        var newID: String?
        @Option(help: "The queue to run from (default: the original's).")
        var queue: String?
        @OptionGroup var version: VersionOptions
        @Flag(help: "Wait until the new workflow finishes and show it.")
        var wait = false
        @Option(help: ArgumentHelp("With --wait: give up after this long (e.g. 60s).", valueName: "age"))
        var timeout: Age?

        func run() async throws {
            try await global.withClient { client in
                let forked = try await client.fork(id, fromStep: fromStep,
                                                   options: ForkOptions(id: newID, queue: queue, appVersion: version.change))
                if wait {
                    try await awaitAndShow(forked.id, client: client, timeout: timeout, json: global.json)
                    return
                }
                if global.json {
                    Output.json(["workflow_id": forked.id, "created": forked.created, "forked_from": forked.forkedFrom,
                                 "forked_at_step": forked.forkedAtStep, "copied_steps": forked.copiedSteps,
                                 "status": forked.status.rawValue, "queue": forked.queue,
                                 "app_version": orNull(forked.appVersion)])
                    return
                }
                Output.line("\(forked.created ? "forked" : "already forked") \(forked.forkedFrom) at step \(forked.forkedAtStep) "
                            + "into \(forked.id) (\(forked.copiedSteps) step(s) copied; \(forked.status.rawValue) in \(forked.queue))")
            }
        }
    }
}

/// A workflow's fields, one per line.
func showRecord(_ record: WorkflowRecord) {
    Output.fields([
        ("workflow", record.id), ("name", record.name),
        ("status", record.wait.map { "waiting: \($0)" } ?? record.status.rawValue), ("queue", record.queue),
        ("priority", record.priority == 0 ? nil : String(record.priority)), ("app version", record.appVersion ?? "any"),
        ("attempt", "\(record.attempt) (recovery attempts \(record.recoveryAttempts), retries \(record.retryCount))"),
        ("executor", record.executorID), ("parent", record.parentID),
        ("forked from", record.forkedFrom.map { "\($0) at step \(record.forkedAtStep.map(String.init) ?? "?")" }),
        ("created", Output.timestamp(record.createdAt)), ("started", Output.timestamp(record.startedAt)),
        ("finished", Output.timestamp(record.completedAt)),
        ("input", record.inputJSON), ("output", record.outputJSON),
        ("error", record.error.map { "\($0.type): \($0.message)" }),
    ])
}

/// Any workflow, for awaiting a result whose type this tool does not know.
struct AnyWorkflow: Workflow {
    static var name: String { "*" }
    func run(_ input: AnyJSON, context: WorkflowContext) async throws -> AnyJSON { input }
}

/// Any JSON value.
enum AnyJSON: Codable, Sendable {
    case null, bool(Bool), number(Double), string(String), array([AnyJSON]), object([String: AnyJSON])

    init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if container.decodeNil() { self = .null }
        else if let value = try? container.decode(Bool.self) { self = .bool(value) }
        else if let value = try? container.decode(Double.self) { self = .number(value) }
        else if let value = try? container.decode(String.self) { self = .string(value) }
        else if let value = try? container.decode([AnyJSON].self) { self = .array(value) }
        else { self = .object(try container.decode([String: AnyJSON].self)) }
    }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        switch self {
        case .null: try container.encodeNil()
        case .bool(let value): try container.encode(value)
        case .number(let value): try container.encode(value)
        case .string(let value): try container.encode(value)
        case .array(let value): try container.encode(value)
        case .object(let value): try container.encode(value)
        }
    }
}
