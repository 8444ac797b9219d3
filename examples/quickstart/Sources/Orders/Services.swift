import Foundation

// Stand-ins for your own services (a payment provider, a warehouse, a mailer): each prints what
// it does, so you can watch which steps run — and which are replayed after a crash.

struct Payments: Sendable {
    func charge(_ amount: Int) async throws -> String {
        try await Task.sleep(for: .milliseconds(300))
        print("charged \(amount)")
        return "ch-\(Int.random(in: 1000...9999))"
    }
}

struct Warehouse: Sendable {
    func ship(_ order: String) async throws -> String {
        try await Task.sleep(for: .milliseconds(300))
        print("shipped \(order)")
        return "track-\(Int.random(in: 1000...9999))"
    }
}

struct Mailer: Sendable {
    func confirm(_ order: String, _ tracking: String) async throws {
        print("emailed the confirmation of \(order) (\(tracking))")
    }
}
