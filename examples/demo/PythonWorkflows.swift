// The workflows examples/python/operate.py starts by name — `steadfast-demo python-worker
// [QUEUE]` runs them. Their inputs and outputs are plain JSON, so the Python service reads
// them without knowing Swift.
import Foundation
import Steadfast

/// A greeting, with a typed result.
struct Greet: Workflow {
    static var name: String { "greet" }
    struct Input: Codable, Sendable { var name: String }
    struct Output: Codable, Sendable { var greeting: String; var letters: Int }
    func run(_ input: Input, context: WorkflowContext) async throws -> Output {
        let greeting: String = try await context.step("compose") { "Hello, \(input.name)!" }
        return Output(greeting: greeting, letters: input.name.count)
    }
}

/// A step that sleeps for `seconds` — long enough to be cancelled while it runs.
struct Nap: Workflow {
    static var name: String { "nap" }
    struct Input: Codable, Sendable { var seconds: Double }
    func run(_ input: Input, context: WorkflowContext) async throws -> String {
        try await context.step("nap") {
            try await Task.sleep(for: .seconds(input.seconds))
            return "rested"
        }
    }
}

/// Reserve, charge, ship: three steps to fork from.
struct Fulfil: Workflow {
    static var name: String { "fulfil" }
    struct Input: Codable, Sendable { var order: String }
    struct Output: Codable, Sendable { var reservation: String; var charge: String; var shipment: String }
    func run(_ input: Input, context: WorkflowContext) async throws -> Output {
        let reservation: String = try await context.step("reserve") { "r-\(input.order)" }
        let charge: String = try await context.step("charge") { "ch-\(input.order)" }
        let shipment: String = try await context.step("ship") { "s-\(input.order)" }
        return Output(reservation: reservation, charge: charge, shipment: shipment)
    }
}

/// Waits — holding no worker — for a decision message (topic "decision"), publishing its
/// status as an event and its work as a stream ("log", five entries, then closed).
struct Approve: Workflow {
    static var name: String { "approve" }
    struct Input: Codable, Sendable { var request: String }
    struct Decision: Codable, Sendable { var approved: Bool; var by: String }
    func run(_ input: Input, context: WorkflowContext) async throws -> String {
        try await context.setEvent("status", "waiting for a decision")
        guard let decision = try await context.receive(Decision.self, topic: "decision", timeout: .seconds(3600)) else {
            try await context.setEvent("status", "expired")
            return "expired"
        }
        for n in 1...5 {
            try await context.writeStream("log", "\(input.request): step \(n) of 5")
        }
        try await context.closeStream("log")
        let outcome = decision.approved ? "approved by \(decision.by)" : "rejected by \(decision.by)"
        try await context.setEvent("status", outcome)
        return outcome
    }
}
