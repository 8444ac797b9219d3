import Foundation
import Steadfast

/// Three steps that do nothing: what is measured is the engine's cost per step.
struct NoopWorkflow: Workflow {
    static var name: String { "bench.noop" }
    struct Input: Codable, Sendable { var n: Int }
    func run(_ input: Input, context: WorkflowContext) async throws -> Int {
        let a: Int = try await context.step("a") { input.n }
        let b: Int = try await context.step("b") { a + 1 }
        let c: Int = try await context.step("c") { b + 1 }
        return c
    }
}

/// No step at all: the cost of starting, claiming and completing a workflow.
struct EmptyWorkflow: Workflow {
    static var name: String { "bench.empty" }
    struct Input: Codable, Sendable { var n: Int }
    func run(_ input: Input, context: WorkflowContext) async throws -> Int { input.n }
}

/// One step that holds for `holdMilliseconds`: workflows "inside a step".
struct HoldWorkflow: Workflow {
    static var name: String { "bench.hold" }
    struct Input: Codable, Sendable { var n: Int }
    let holdMilliseconds: Int
    func run(_ input: Input, context: WorkflowContext) async throws -> Int {
        try await context.step("hold") { try await Task.sleep(for: .milliseconds(holdMilliseconds)) }
        return input.n
    }
}

/// A step, a durable sleep until `wakeAt` (seconds since 1970), a step: sleepers that hold no
/// worker. The second step's recorded start time tells how late the workflow woke.
struct SleepWorkflow: Workflow {
    static var name: String { "bench.sleep" }
    struct Input: Codable, Sendable { var n: Int; var wakeAt: Double }
    func run(_ input: Input, context: WorkflowContext) async throws -> Int {
        let a: Int = try await context.step("a") { input.n }
        try await context.sleep(until: Date(timeIntervalSince1970: input.wakeAt))
        return try await context.step("b") { a + 1 }
    }
}

/// A step, a durable sleep of `seconds`, a step: the 10,000 sleepers on 10 slots.
struct SleepForWorkflow: Workflow {
    static var name: String { "bench.sleep.for" }
    struct Input: Codable, Sendable { var n: Int; var seconds: Double }
    func run(_ input: Input, context: WorkflowContext) async throws -> Int {
        let a: Int = try await context.step("a") { input.n }
        try await context.sleep(for: .milliseconds(Int(input.seconds * 1000)))
        return try await context.step("b") { a + 1 }
    }
}

/// Fans out to `count` FanOutChild workflows in its own queue — one `startChildren` call, or
/// one `startChild` each — waits for all of them with one wait, and sums their outputs: the
/// issue's fan-out / fan-in.
struct FanOutWorkflow: Workflow {
    static var name: String { "bench.fanout" }
    struct Input: Codable, Sendable { var count: Int; var queue: String; var batched: Bool }
    func run(_ input: Input, context: WorkflowContext) async throws -> Int {
        let options = StartOptions(queue: input.queue)
        var children: [ChildWorkflow<FanOutChild>] = []
        if input.batched {
            children = try await context.startChildren(FanOutChild.self, (0..<input.count).map { .init(n: $0) }, options: options)
        } else {
            for n in 0..<input.count {
                children.append(try await context.startChild(FanOutChild.self, .init(n: n), options: options))
            }
        }
        return try await context.results(of: children).reduce(0) { $0 + (try $1.get()) }
    }
}

/// One step: a fan-out's child (and, started from a client, the baseline's workflow).
struct FanOutChild: Workflow {
    static var name: String { "bench.fanout.child" }
    struct Input: Codable, Sendable { var n: Int }
    func run(_ input: Input, context: WorkflowContext) async throws -> Int {
        try await context.step("a") { input.n }
    }
}

/// Answers `count` messages of topic "ask", one after another: message n is answered with the
/// event "reply-n". Between messages it waits holding no worker; each send wakes it.
struct EchoLoopWorkflow: Workflow {
    static var name: String { "bench.echo" }
    struct Input: Codable, Sendable { var count: Int }
    func run(_ input: Input, context: WorkflowContext) async throws -> Int {
        for n in 0..<input.count {
            let value = try await context.receive(Int.self, topic: "ask") ?? -1
            try await context.setEvent("reply-\(n)", value)
        }
        return input.count
    }
}

/// Writes `count` values to its stream "s", then closes it.
struct StreamWriterWorkflow: Workflow {
    static var name: String { "bench.stream" }
    struct Input: Codable, Sendable { var count: Int }
    func run(_ input: Input, context: WorkflowContext) async throws -> Int {
        for n in 0..<input.count { try await context.writeStream("s", n) }
        try await context.closeStream("s")
        return input.count
    }
}
