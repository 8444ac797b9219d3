import ArgumentParser
import Foundation
import Steadfast

struct Queues: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "List, create, tune, pause, resume and delete queues.",
        discussion: """
            Settings are enforced by the database at every claim, across all workers, and take \
            effect at the next claim (no restart). A concurrency of 0 is a paused queue.
            """,
        subcommands: [List.self, Show.self, Create.self, Alter.self, Pause.self, Resume.self, Delete.self]
    )

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Every queue: its settings and what it holds now.")

        @OptionGroup var global: GlobalOptions

        func run() async throws {
            try await global.withClient { client in
                let queues = try await client.queues()
                if global.json {
                    Output.json(queues.map(\.jsonObject))
                    return
                }
                Output.table(["QUEUE", "CONCURRENCY", "PER WORKER", "PER PARTITION", "RATE LIMIT", "ENQUEUED", "DELAYED",
                              "RUNNING", "WAITING", "OLDEST"],
                             queues.map { status in
                                 let queue = status.queue
                                 return [queue.name, queue.concurrency == 0 ? "0 (paused)" : limit(queue.concurrency),
                                         limit(queue.workerConcurrency), limit(queue.partitionConcurrency), rate(queue.rateLimit),
                                         String(status.enqueued), String(status.delayed), String(status.running),
                                         String(status.waiting), status.oldestEnqueuedAge.map(age) ?? "-"]
                             })
            }
        }
    }

    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "One queue: its settings and what it holds now.")

        @OptionGroup var global: GlobalOptions
        @Argument(help: "The queue's name.")
        var name: String

        func run() async throws {
            try await global.withClient { client in
                let status = try await client.queue(name)
                if global.json {
                    Output.json(status.jsonObject)
                    return
                }
                showQueue(status.queue)
                Output.fields([
                    ("enqueued", "\(status.enqueued) (\(status.delayed) delayed)"), ("running", String(status.running)),
                    ("waiting", String(status.waiting)), ("oldest enqueued", status.oldestEnqueuedAge.map(age) ?? "-"),
                    ("created", Output.timestamp(status.createdAt)), ("updated", Output.timestamp(status.updatedAt)),
                ])
            }
        }
    }

    struct Create: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Create a queue; an existing one is left as it is (change it with `alter`).")

        @OptionGroup var global: GlobalOptions
        @Argument(help: "The queue's name (1…200 characters).")
        var name: String
        @OptionGroup var settings: QueueSettingOptions

        func run() async throws {
            let queue = settings.queue(name)
            try await global.withClient { client in
                let created = try await client.createQueue(queue)
                if global.json {
                    Output.json(["queue": name, "created": created])
                } else {
                    Output.line(created ? "created queue \(name)" : "queue \(name) exists: left as it is (use `steadfast queues alter`)")
                }
            }
        }
    }

    struct Alter: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Change some of a queue's settings; the others stay as they are.",
            discussion: "--clear removes a limit: concurrency, worker-concurrency, partition-concurrency or rate-limit (repeatable).")

        @OptionGroup var global: GlobalOptions
        @Argument(help: "The queue's name.")
        var name: String
        @OptionGroup var settings: QueueSettingOptions
        @Option(help: ArgumentHelp("Remove this limit (repeatable).", valueName: "setting"))
        var clear: [QueueSetting] = []

        func run() async throws {
            var changes = QueueChanges()
            if let value = settings.concurrency { changes.concurrency = .set(value) }
            if let value = settings.workerConcurrency { changes.workerConcurrency = .set(value) }
            if let value = settings.partitionConcurrency { changes.partitionConcurrency = .set(value) }
            if let value = settings.rateLimit { changes.rateLimit = .set(value.limit) }
            for setting in clear {
                switch setting {
                case .concurrency: changes.concurrency = .clear
                case .workerConcurrency: changes.workerConcurrency = .clear
                case .partitionConcurrency: changes.partitionConcurrency = .clear
                case .rateLimit: changes.rateLimit = .clear
                }
            }
            guard !changes.isEmpty else {
                throw ValidationError("Nothing to change: give a setting (e.g. --concurrency 5) or --clear SETTING.")
            }
            let changesToApply = changes
            try await global.withClient { client in
                let queue = try await client.alterQueue(name, changesToApply)
                if global.json {
                    Output.json(queue.jsonObject)
                } else {
                    showQueue(queue)
                }
            }
        }
    }

    struct Pause: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Pause a queue: nothing more starts (concurrency 0); running workflows finish.")

        @OptionGroup var global: GlobalOptions
        @Argument(help: "The queue's name.")
        var name: String

        func run() async throws {
            try await global.withClient { client in
                let before = try await client.queue(name).queue
                if before.concurrency == 0 {
                    if global.json { Output.json(before.jsonObject) } else { Output.line("queue \(name) is already paused") }
                    return
                }
                let queue = try await client.alterQueue(name, QueueChanges(concurrency: .set(0)))
                if global.json {
                    Output.json(queue.jsonObject)
                    return
                }
                Output.line("paused queue \(name)")
                Output.line("resume with: steadfast queues resume \(name)"
                            + (before.concurrency.map { " --concurrency \($0)" } ?? "  (it had no concurrency limit)"))
            }
        }
    }

    struct Resume: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Resume a paused queue: with --concurrency N at most N run at once, else no limit.")

        @OptionGroup var global: GlobalOptions
        @Argument(help: "The queue's name.")
        var name: String
        @Option(help: "The concurrency limit to resume with (default: none).")
        var concurrency: Int?

        func run() async throws {
            try await global.withClient { client in
                let before = try await client.queue(name).queue
                guard before.concurrency == 0 else {
                    if global.json { Output.json(before.jsonObject) } else { Output.line("queue \(name) is not paused: nothing changed") }
                    return
                }
                let queue = try await client.alterQueue(name, QueueChanges(concurrency: concurrency.map { .set($0) } ?? .clear))
                if global.json {
                    Output.json(queue.jsonObject)
                } else {
                    Output.line("resumed queue \(name)" + (queue.concurrency.map { " (concurrency \($0))" } ?? " (no concurrency limit)"))
                }
            }
        }
    }

    struct Delete: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Delete a queue no workflow belongs to (finished ones included) and no running worker claims from.")

        @OptionGroup var global: GlobalOptions
        @Argument(help: "The queue's name.")
        var name: String

        func run() async throws {
            try await global.withClient { client in
                try await client.deleteQueue(name)
                if global.json { Output.json(["queue": name, "deleted": true]) } else { Output.line("deleted queue \(name)") }
            }
        }
    }
}

/// The settings `create` and `alter` take.
struct QueueSettingOptions: ParsableArguments {
    @Option(help: "At most this many of its workflows run at once, across all workers (0: paused).")
    var concurrency: Int?
    @Option(help: "At most this many run at once on one worker.")
    var workerConcurrency: Int?
    @Option(help: "At most this many of one partition key run at once.")
    var partitionConcurrency: Int?
    @Option(help: ArgumentHelp("At most N starts per period, as N/AGE (e.g. 100/60s).", valueName: "n/age"))
    var rateLimit: RateLimitArgument?

    /// A queue named `name` with these settings (unset: no limit).
    func queue(_ name: String) -> Queue {
        Queue(name, concurrency: concurrency, workerConcurrency: workerConcurrency, rateLimit: rateLimit?.limit,
              partitionConcurrency: partitionConcurrency)
    }
}

/// A setting `alter --clear` removes.
enum QueueSetting: String, ExpressibleByArgument, CaseIterable {
    case concurrency
    case workerConcurrency = "worker-concurrency"
    case partitionConcurrency = "partition-concurrency"
    case rateLimit = "rate-limit"
}

/// `100/60s`: 100 starts in any 60 seconds.
struct RateLimitArgument: ExpressibleByArgument {
    var limit: Queue.RateLimit

    init?(argument: String) {
        let parts = argument.split(separator: "/", maxSplits: 1).map(String.init)
        guard parts.count == 2, let starts = Int(parts[0]), let period = Age(argument: parts[1]) else { return nil }
        limit = Queue.RateLimit(starts: starts, per: period.duration)
    }
}

/// A queue's settings, one per line.
private func showQueue(_ queue: Queue) {
    Output.fields([
        ("queue", queue.name), ("concurrency", queue.concurrency == 0 ? "0 (paused)" : limit(queue.concurrency)),
        ("per worker", limit(queue.workerConcurrency)), ("per partition", limit(queue.partitionConcurrency)),
        ("rate limit", rate(queue.rateLimit)),
    ])
}

private func limit(_ value: Int?) -> String {
    value.map(String.init) ?? "-"
}

private func rate(_ limit: Queue.RateLimit?) -> String {
    limit.map { "\($0.starts)/\(age($0.period))" } ?? "-"
}

/// `90s`, `1.5s`, `15m`: a duration as the CLI's ages read.
private func age(_ duration: Duration) -> String {
    let seconds = duration.inSeconds
    if seconds >= 3600, seconds.truncatingRemainder(dividingBy: 3600) == 0 { return "\(Int(seconds / 3600))h" }
    if seconds >= 60, seconds.truncatingRemainder(dividingBy: 60) == 0 { return "\(Int(seconds / 60))m" }
    if seconds == seconds.rounded() { return "\(Int(seconds))s" }
    return String(format: "%.1fs", seconds)
}

extension Queue {
    var jsonObject: [String: Any] {
        [
            "queue": name, "concurrency": orNull(concurrency), "worker_concurrency": orNull(workerConcurrency),
            "partition_concurrency": orNull(partitionConcurrency), "rate_limit": orNull(rateLimit?.starts),
            "rate_period": orNull(rateLimit?.period.inSeconds),
        ]
    }
}

extension QueueStatus {
    var jsonObject: [String: Any] {
        var object = queue.jsonObject
        object["enqueued"] = enqueued
        object["delayed"] = delayed
        object["running"] = running
        object["waiting"] = waiting
        object["oldest_enqueued_age"] = orNull(oldestEnqueuedAge?.inSeconds)
        object["created_at"] = orNull(Output.timestamp(createdAt))
        object["updated_at"] = orNull(Output.timestamp(updatedAt))
        return object
    }
}
