import Steadfast

/// Charge, ship, email. Each step's result is checkpointed: after a crash the workflow resumes
/// on any worker after its last completed step.
public struct ProcessOrder: Workflow {
    public struct Input: Codable, Sendable {
        public var order: String
        public var amount: Int
        public init(order: String, amount: Int) { self.order = order; self.amount = amount }
    }

    let payments = Payments()
    let warehouse = Warehouse()
    let mailer = Mailer()
    public init() {}

    public func run(_ input: Input, context: WorkflowContext) async throws -> String {
        let charge: String = try await context.step("charge", retry: .exponential(maxAttempts: 5)) {
            try await payments.charge(input.amount)          // runs once, even if the worker dies later
        }
        let tracking: String = try await context.step("ship") {
            try await warehouse.ship(input.order)
        }
        try await context.step("email") { try await mailer.confirm(input.order, tracking) }
        return "\(charge) \(tracking)"
    }
}
