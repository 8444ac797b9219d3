import Foundation
import Orders
import Steadfast

guard let url = ProcessInfo.processInfo.environment["DATABASE_URL"] else {
    print("Set DATABASE_URL, for example postgresql://localhost/app")
    exit(1)
}
let order = CommandLine.arguments.dropFirst().first ?? "o-1"
let client = try await Client.connect(DatabaseConfiguration(connectionString: url))
let handle = try await client.start(ProcessOrder.self, .init(order: order, amount: 42),
                                    options: StartOptions(id: "order-\(order)"))   // the id makes it idempotent
let result = try await handle.result()                      // woken by NOTIFY when it finishes
print("order \(order): \(result)")
await client.close()
