import ArgumentParser
import Foundation
import Steadfast

extension Workflows {
    struct Send: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Send a JSON message to a workflow (it receives it with context.receive).",
            discussion: "A workflow waiting for the topic is woken at once. A finished workflow receives nothing (error, nothing stored).")

        @OptionGroup var global: GlobalOptions
        @Argument(help: "The receiving workflow's id.")
        var id: String
        @Option(help: "The topic.")
        var topic = "default"
        @Option(help: "The message, as JSON.")
        var message: String
        @Option(help: "A key that makes a repeated send store nothing.")
        var idempotencyKey: String?

        func run() async throws {
            guard let data = message.data(using: .utf8), let value = try? JSONDecoder().decode(AnyJSON.self, from: data) else {
                throw ValidationError("--message must be JSON, for example '{\"approved\": true}' or '\"yes\"'")
            }
            try await global.withClient { client in
                let created = try await client.send(to: id, value, topic: topic, idempotencyKey: idempotencyKey)
                if global.json {
                    Output.json(["workflow_id": id, "topic": topic, "created": created])
                } else {
                    Output.line(created ? "sent to \(id) (topic \(topic))" : "already sent with that idempotency key: nothing stored")
                }
            }
        }
    }

    struct Events: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List a workflow's events with their latest values.")

        @OptionGroup var global: GlobalOptions
        @Argument(help: "The workflow's id.")
        var id: String

        func run() async throws {
            try await global.withClient { client in
                let events = try await client.getEvents(id)
                if global.json {
                    Output.json(events.map { ["key": $0.key, "value": Output.jsonValue($0.valueJSON), "step": $0.step,
                                              "written_at": $0.writtenAt.formatted(.iso8601)] as [String: Any] })
                } else {
                    Output.table(["KEY", "VALUE", "STEP", "WRITTEN"],
                                 events.map { [$0.key, $0.valueJSON, $0.step, $0.writtenAt.formatted(.iso8601)] })
                }
            }
        }
    }

    struct Stream: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Print a workflow's stream, one JSON value per line (with --json: {\"offset\", \"value\"}).",
            discussion: "Without --follow, prints what is there and stops. With --follow, waits for new values until the workflow closes the stream or finishes. Resume with --from <the next offset>.")

        @OptionGroup var global: GlobalOptions
        @Argument(help: "The workflow's id.")
        var id: String
        @Argument(help: "The stream's key.")
        var key: String
        @Option(name: .customLong("from"), help: "The first offset to print.")
        var from = 0
        @Flag(help: "Wait for new values until the stream is closed or the workflow finishes.")
        var follow = false

        func run() async throws {
            try await global.withClient { client in
                let entries = client.readStream(AnyJSON.self, workflowID: id, key: key, from: from, follow: follow)
                for try await entry in entries {
                    let value = String(decoding: try JSONEncoder().encode(entry.value), as: UTF8.self)
                    Output.line(global.json ? "{\"offset\": \(entry.offset), \"value\": \(value)}" : "\(entry.offset)\t\(value)")
                }
            }
        }
    }
}
