import Foundation
import Steadfast

/// What the dashboard's browser test looks at (Tests/browser/dashboard_test.py): an order of
/// three steps whose `charge` fails for a workflow whose id begins with "fail-" (so a fork of
/// it, under a new id, completes), and a slow workflow that records a step every `interval`.
struct DashOrder: Workflow {
    struct Input: Codable, Sendable { var order: String }

    func run(_ input: Input, context: WorkflowContext) async throws -> String {
        let reserved: String = try await context.step("reserve") { "reserved \(input.order)" }
        let charged: String = try await context.step("charge") {
            if context.workflowID.hasPrefix("fail-") {
                throw SteadfastError(.invalidArgument, message: "card declined for \(input.order)")
            }
            return "charged"
        }
        return try await context.step("ship") { "\(reserved), \(charged), shipped" }
    }
}

struct DashSlow: Workflow {
    struct Input: Codable, Sendable { var steps: Int; var interval: Double }

    func run(_ input: Input, context: WorkflowContext) async throws -> Int {
        for n in 1...input.steps {
            try await context.step("tick") {
                try await Task.sleep(for: .milliseconds(Int(input.interval * 1000)))
                return n
            }
        }
        return input.steps
    }
}
