// Every Swift block of the README that is not a whole file elsewhere (examples/quickstart,
// ReadmeExample.swift, ReadmeDashboard.swift), verbatim, in the smallest context that compiles
// it: the values it uses are parameters, the services it calls are stand-ins below.
// ReadmeTests checks that each README block is here or in one of those files, so the README
// cannot show code that does not compile. The blocks start at column 0 so that they match
// the README's text exactly.
import Foundation
import Steadfast

// MARK: Stand-ins for the services the examples call

fileprivate struct Reports: Sendable {
    func build(_ region: String, for day: Date) async throws -> Int { region.count }
}
fileprivate let reports = Reports()

fileprivate struct Mail: Sendable {
    enum Kind { case welcome, nudge }
    func send(_ kind: Kind, to user: String) async throws -> Bool { true }
}
fileprivate let mail = Mail()

fileprivate struct Payments: Sendable {
    func refund(_ line: Readme.RefundLine) async throws -> Int { line.cents }
    func charge(_ order: String) async throws -> String { "ch-" + order }
}
fileprivate let payments = Payments()

fileprivate struct Inventory: Sendable {
    func reserve(_ sku: String) async throws -> String { "r-" + sku }
}
fileprivate let inventory = Inventory()

fileprivate struct Printer: Sendable {
    func label(_ order: String) async throws -> String { "label-" + order }
}
fileprivate let printer = Printer()

enum Readme {
    struct ProcessOrder: Workflow {
        struct Input: Codable, Sendable { var order: String; var amount: Int }
        func run(_ input: Input, context: WorkflowContext) async throws -> String { input.order }
    }

    struct Customer: Codable, Sendable { var id: String }
    struct Export: Workflow {
        func run(_ input: Customer, context: WorkflowContext) async throws -> Int { 1 }
    }
    struct Sync: Workflow {
        func run(_ input: Customer, context: WorkflowContext) async throws -> Int { 1 }
    }

    struct Parcel: Codable, Sendable { var weight: Int }
    struct Order: Codable, Sendable { var parcels: [Parcel] }
    struct Receipt: Codable, Sendable { var tracking: String }
    struct ShipParcel: Workflow {
        func run(_ parcel: Parcel, context: WorkflowContext) async throws -> Receipt { Receipt(tracking: "t") }
    }

    struct RefundLine: Codable, Sendable { var cents: Int }
    struct RefundRequest: Codable, Sendable { var lines: [RefundLine] }
    struct Decision: Codable, Sendable { var approved: Bool }

    // MARK: "A first workflow": run it here

    static func runHere(worker: Worker) async throws {
let handle = try await worker.start(ProcessOrder.self, .init(order: "o-2", amount: 7),
                                    options: StartOptions(id: "order-o-2"))
let result = try await handle.result()    // from the execution itself, no notification round trip
_ = result
    }

    // MARK: "A first workflow": the outbox

    static func outbox(client: Client) async throws {
let handle = try await client.withTransaction { tx in
    try await tx.query("insert into orders (id, cart) values ($1, $2::int)", ["o-3", "43"])
    return try await tx.start(ProcessOrder.self, .init(order: "o-3", amount: 43), options: StartOptions(id: "order-o-3"))
}   // a thrown error rolls back both; workers are woken at commit
_ = handle
    }

    // MARK: Queues and flow control

    static func queues(client: Client, input: Customer, customers: [Customer]) async throws {
try await client.defineQueue(Queue("emails", concurrency: 5))                        // at most 5 running, across all workers
try await client.defineQueue(Queue("payments", rateLimit: .init(starts: 100, per: .seconds(60))))
try await client.defineQueue(Queue("exports", workerConcurrency: 2, partitionConcurrency: 1))

// One export at a time per customer; customers take turns.
try await client.start(Export.self, input, options: StartOptions(queue: "exports", partitionKey: "customer-42"))
// Not twice at once: while a sync of this customer is enqueued, running or waiting, this returns it.
try await client.start(Sync.self, input, options: StartOptions(deduplicationKey: "sync-customer-42"))
// Or throw SteadfastError.duplicate instead.
try await client.start(Sync.self, input, options: StartOptions(deduplicationKey: "sync-customer-42", onDuplicate: .fail))
// Many in one call and one transaction (one NOTIFY per queue).
let handles = try await client.start(Sync.self, batch: customers.map { ($0, StartOptions(queue: "exports")) })
_ = handles
    }

    // MARK: Schedules

    static func schedules(database: DatabaseConfiguration) throws {
struct NightlyReport: Workflow {
    struct Input: Codable, Sendable { var region: String }
    func run(_ input: Input, context: WorkflowContext) async throws -> Int {
        let day = context.scheduledTime!        // the occurrence this run is for, the same on every replay
        return try await context.step("report") { try await reports.build(input.region, for: day) }
    }
}

let worker = Worker(database: database)
worker.register(NightlyReport())
// Written to the database when the worker starts: created, or updated to these settings.
try worker.schedule(NightlyReport.self, name: "nightly-report", cron: "30 2 * * *",
                    timeZone: "Europe/Berlin", input: .init(region: "eu"))
try worker.schedule(NightlyReport.self, name: "report-us", cron: "0 0 9 * * mon-fri",   // 6 fields: seconds first
                    timeZone: "America/New_York", input: .init(region: "us"), missedRuns: .all)
    }

    // MARK: Waiting

struct Reminder: Workflow {
    func run(_ userID: String, context: WorkflowContext) async throws -> Bool {
        try await context.step("welcome") { try await mail.send(.welcome, to: userID) }
        try await context.sleep(for: .seconds(3 * 24 * 3600))   // three days; no worker held
        return try await context.step("nudge") { try await mail.send(.nudge, to: userID) }
    }
}

struct ShipOrder: Workflow {
    func run(_ order: Order, context: WorkflowContext) async throws -> [Receipt] {
        // One child per parcel, started in one transaction; any worker of "shipping" runs them.
        let parcels = try await context.startChildren(ShipParcel.self, order.parcels, options: StartOptions(queue: "shipping"))
        let receipts = try await context.results(of: parcels)   // one wait for all of them
        return try receipts.map { try $0.get() }            // a failed child: WorkflowFailedError
    }
}

    // MARK: Messages, events and streams

    static func messages(client: Client, refundID: String, lastSeen: Int) async throws {
struct Refund: Workflow {
    func run(_ request: RefundRequest, context: WorkflowContext) async throws -> String {
        try await context.setEvent("status", "awaiting approval")
        // Waits durably (no worker held) until a message on "approval" arrives, at most 2 days.
        guard let decision = try await context.receive(Decision.self, topic: "approval", timeout: .seconds(2 * 86400)) else {
            return "expired"                                  // the timeout is recorded: replays agree
        }
        for (n, line) in request.lines.enumerated() {
            try await context.step("refund-\(n)") { try await payments.refund(line) }
            try await context.writeStream("progress", n + 1)  // each write a step: never twice
        }
        try await context.setEvent("status", decision.approved ? "refunded" : "rejected")
        return "done"
    }
}

// Elsewhere — a web handler, another service:
try await client.send(to: refundID, Decision(approved: true), topic: "approval", idempotencyKey: "ticket-881")
let status = try await client.getEvent(String.self, workflowID: refundID, key: "status", timeout: .seconds(5))
for try await entry in client.readStream(Int.self, workflowID: refundID, key: "progress", from: lastSeen + 1) { print(entry) }
_ = status
    }

    // MARK: Transaction steps

    static func transactionStep(context: WorkflowContext, amount: Int, accountID: String) async throws {
let balance: Int = try await context.transaction("debit", isolation: .serializable) { tx in
    let rows = try await tx.query("update accounts set balance = balance - $1::int where id = $2 returning balance",
                                  [String(amount), accountID])
    return try rows[0].int("balance")
}
_ = balance
    }

    // MARK: Scaling out: shards

    static func shards(router: DatabaseConfiguration, shards: [DatabaseConfiguration]) async throws {
for (k, shard) in shards.enumerated() {
    try await Sharding.configureShard(shard, shard: k, of: shards.count)   // migrate + "you are k of N"
}
var partitions: [String] = []
for shard in shards { partitions.append(try await Sharding.partition(of: shard)) }
try await Sharding.installRouter(router, partitions: partitions, engine: shards[0])

let client = try await Client.connect(router: router, shards: shards)  // every call through the router
let worker = Worker(shards: shards)                                     // claims on every shard directly
_ = try await client.start(ProcessOrder.self, .init(order: "A-1", amount: 42), options: StartOptions(id: "tenant-7/A-1"))
_ = worker
    }

    // MARK: Changing workflow code

    struct PatchedOrder: Workflow {
        struct Input: Codable, Sendable { var sku: String }
        func run(_ input: Input, context: WorkflowContext) async throws -> Int {
let order = try await context.step("reserve") { try await inventory.reserve(input.sku) }
if try await context.patched("print-label") {          // true: no step recorded past here yet
    try await context.step("print-label") { try await printer.label(order) }   // (a new workflow,
}                                                       //  or one at this point); false: the old
try await context.step("charge") { try await payments.charge(order) }          // code went on
return 0
        }
    }
}
