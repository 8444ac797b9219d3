import ArgumentParser
import Foundation
import Steadfast

extension Workflows {
    struct Start: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Start a workflow by name with a JSON input; --wait waits for its result.",
            discussion: """
                A worker that registered the name runs it (see `steadfast executors`). Starting \
                again with the same --id returns the existing workflow. With --wait the command \
                exits 1 when the workflow fails or is cancelled, and prints its error.
                """)

        @OptionGroup var global: GlobalOptions
        @Argument(help: "The workflow's name, as its worker registered it (e.g. ProcessOrder).")
        var name: String
        @Option(help: ArgumentHelp("The input, as JSON (default: {}).", valueName: "json"))
        var input = "{}"
        @Option(help: "The workflow's id (default: a new UUID); starting an existing id returns it.")
        var id: String?
        @Option(help: "The queue.")
        var queue = "default"
        @Option(help: "Lower runs first (default 0).")
        var priority = 0
        @Option(help: ArgumentHelp("Claimable only after this long (e.g. 30s, 2h).", valueName: "age"))
        var delay: Age?
        @Option(help: "Only workers of this application version (or of none) may run it.")
        var appVersion: String?
        @Option(help: "At most one unfinished workflow holds this key; a second start returns it.")
        var deduplicationKey: String?
        @Option(help: "Its partition in the queue (see --partition-concurrency of `steadfast queues`).")
        var partitionKey: String?
        @Flag(help: "Wait until it finishes and show it.")
        var wait = false
        @Option(help: ArgumentHelp("With --wait: give up after this long (e.g. 60s).", valueName: "age"))
        var timeout: Age?

        func run() async throws {
            guard let value = try? JSONDecoder().decode(AnyJSON.self, from: Data(input.utf8)) else {
                throw ValidationError("--input must be JSON, for example '{\"order\": \"o-1\", \"amount\": 42}'")
            }
            let options = StartOptions(id: id, queue: queue, priority: priority, delay: delay?.duration, appVersion: appVersion,
                                       deduplicationKey: deduplicationKey, partitionKey: partitionKey)
            try await global.withClient { client in
                let handle = try await client.start(workflowNamed: name, value, returning: AnyJSON.self, options: options)
                if wait {
                    try await awaitAndShow(handle.id, client: client, timeout: timeout, json: global.json)
                    return
                }
                if global.json {
                    Output.json(["workflow_id": handle.id, "created": handle.created, "name": name, "queue": queue])
                } else {
                    Output.line(handle.created ? "started \(name) \(handle.id) in \(queue)"
                                               : "\(handle.id) already exists: nothing started")
                }
            }
        }
    }

    struct Wait: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Wait until a workflow finishes and show it; exits 1 if it failed or was cancelled.",
            discussion: "Woken by the database's notification when it finishes (no polling loop in between).")

        @OptionGroup var global: GlobalOptions
        @Argument(help: "The workflow's id.")
        var id: String
        @Option(help: ArgumentHelp("Give up after this long (e.g. 60s); exit 1.", valueName: "age"))
        var timeout: Age?

        func run() async throws {
            try await global.withClient { client in
                _ = try await client.workflow(id)  // an unknown id is an error at once, not a wait
                try await awaitAndShow(id, client: client, timeout: timeout, json: global.json)
            }
        }
    }
}

/// Waits for workflow `id` to finish, then shows it (its record, as JSON with `json`); a failed
/// or cancelled workflow is shown too, then its failure is thrown (the command exits 1).
func awaitAndShow(_ id: String, client: Client, timeout: Age?, json: Bool) async throws {
    do {
        _ = try await client.handle(AnyWorkflow.self, id: id).result(timeout: timeout?.duration)
    } catch let failure as WorkflowFailedError {
        if json { Output.json(try await client.workflow(id).jsonObject) }
        throw failure
    }
    let record = try await client.workflow(id)
    if json {
        Output.json(record.jsonObject)
    } else {
        showRecord(record)
    }
}
