import Foundation
import Testing

@testable import Steadfast

extension DatabaseTests {
    @Suite("LISTEN/NOTIFY")
    struct NotificationTests {
        /// What waiting for the next notification found.
        private enum Next: Equatable {
            case notification(PostgresNotification)
            /// The stream finished.
            case finished
            /// Nothing came within the time allowed (only stops a hung test).
            case nothing
        }

        /// Waits for the next notification; `nil` when the stream finished or nothing came within
        /// `timeout` (only a hang-stopper).
        private func next(
            _ iterator: inout AsyncStream<PostgresNotification>.Iterator,
            timeout: Duration = .seconds(30)
        ) async -> PostgresNotification? {
            if case .notification(let notification) = await outcome(&iterator, timeout: timeout) { return notification }
            return nil
        }

        /// Waits for the next notification or the end of the stream, telling them apart.
        private func outcome(
            _ iterator: inout AsyncStream<PostgresNotification>.Iterator,
            timeout: Duration = .seconds(30)
        ) async -> Next {
            let timer = Task {
                try await Task.sleep(for: timeout)
            }
            // AsyncStream's iterator is not cancellable from outside; race it against a timer
            // with a task group that returns the first result.
            let box = IteratorBox(iterator)
            let result = await withTaskGroup(of: Next.self) { group in
                group.addTask { await box.next().map(Next.notification) ?? .finished }
                group.addTask {
                    _ = try? await timer.value
                    return .nothing
                }
                let first = await group.next() ?? .nothing
                group.cancelAll()
                timer.cancel()
                return first
            }
            iterator = box.iterator
            return result
        }

        @Test("a start in the caller's transaction (the outbox): rolled back, no workflow and no notification; committed, both — the notification at commit")
        func startInCallersTransaction() async throws {
            let queue = TestDatabase.uniqueName("outbox")
            let listener = try await TestDatabase.connect()
            let stream = await listener.notifications()
            try await listener.listen("steadfast_enqueued")
            // Every steadfast_enqueued naming this test's queue, as it arrives (other tests'
            // skipped); and the test's own markers ("<queue>/barrier-n"), sent to learn that
            // everything committed before them has arrived: PostgreSQL delivers notifications in
            // commit order.
            let announced = LockedValue<[PostgresNotification]>([])
            let barriers = LockedValue<[String]>([])
            let collector = Task {
                for await notification in stream {
                    if notification.payload == queue {
                        announced.withLock { $0.append(notification) }
                    } else if notification.payload.hasPrefix(queue + "/") {
                        barriers.withLock { $0.append(notification.payload) }
                    }
                }
            }
            let marker = try await TestDatabase.connect()
            /// Commits a marker notification and waits until the listener has it.
            func barrier(_ n: Int) async throws {
                _ = try await marker.query("select pg_notify('steadfast_enqueued', $1)", ["\(queue)/barrier-\(n)"])
                try await waitUntil(timeout: .seconds(30)) { barriers.withLock { $0.contains("\(queue)/barrier-\(n)") } }
            }
            let app = try await TestDatabase.connect()
            _ = try await app.query("select steadfast.create_queue($1)", [queue])
            _ = try await app.execute("create temp table orders (id text primary key)")
            let start = "select workflow_id from steadfast.start_workflow($1, 'outbox', '{}'::jsonb, jsonb_build_object('queue', $2::text))"
            let counts = "select (select count(*) from steadfast.workflows where queue = $1) as workflows, (select count(*) from orders) as orders"

            let rolledBack = TestDatabase.uniqueName("outbox-rolled-back")
            _ = try await app.execute("begin")
            _ = try await app.query("insert into orders values ($1)", [rolledBack])
            _ = try await app.query(start, [rolledBack, queue])
            _ = try await app.execute("rollback")
            try await barrier(1)
            #expect(announced.withLock { $0.count } == 0, "a rolled-back start notifies no one")
            var rows = try await app.query(counts, [queue])
            #expect(try rows[0].int("workflows") == 0 && rows[0].int("orders") == 0,
                    "the business write and the start rolled back together")

            _ = try await app.execute("begin")
            _ = try await app.query("insert into orders values ($1)", [TestDatabase.uniqueName("outbox-committed")])
            _ = try await app.query(start, [TestDatabase.uniqueName("outbox-committed"), queue])
            // Committed after the start ran: had the start announced itself outside its
            // transaction, that would have arrived before this marker.
            try await barrier(2)
            #expect(announced.withLock { $0.count } == 0, "nothing is announced before the commit")
            _ = try await app.execute("commit")
            try await waitUntil(timeout: .seconds(30)) { !announced.withLock { $0.isEmpty } }
            try await barrier(3)
            let pid = await app.backendPID
            #expect(announced.withLock { $0.map(\.backendPID) } == [pid], "the commit announced the new workflow, once")
            rows = try await app.query(counts, [queue])
            #expect(try rows[0].int("workflows") == 1 && rows[0].int("orders") == 1, "both committed")
            collector.cancel()
            await marker.close()
            await app.close()
            await listener.close()
        }

        @Test("a notification from another connection is delivered, with its channel, payload and sender")
        func delivered() async throws {
            let listener = try await TestDatabase.connect()
            let channel = TestDatabase.uniqueName("sf_channel")
            var notifications = await listener.notifications().makeAsyncIterator()
            try await listener.listen(channel)

            let sender = try await TestDatabase.connect()
            try await sender.query("select pg_notify($1, $2)", [channel, "hello ✓"])
            let notification = try #require(await next(&notifications))
            #expect(notification.channel == channel)
            #expect(notification.payload == "hello ✓")
            #expect(notification.backendPID == (await sender.backendPID))

            // Several in a row, in order.
            for index in 1...5 {
                try await sender.query("select pg_notify($1, $2)", [channel, "n\(index)"])
            }
            for index in 1...5 {
                #expect(await next(&notifications)?.payload == "n\(index)")
            }
            await sender.close()
            await listener.close()
        }

        @Test("a notification that arrives while the listener runs a query is delivered after it")
        func duringQuery() async throws {
            let listener = try await TestDatabase.connect()
            let channel = TestDatabase.uniqueName("sf_channel")
            var notifications = await listener.notifications().makeAsyncIterator()
            try await listener.listen(channel)
            let sender = try await TestDatabase.connect()
            let pid = await listener.backendPID

            // The listener's statement waits for a lock the sender holds; the sender notifies
            // while it waits, then lets it go.
            let key = String(Int64.random(in: 1...Int64.max))
            _ = try await sender.query("select pg_advisory_lock($1::bigint)", [key])
            async let busy = listener.query("select pg_advisory_xact_lock($1::bigint)", [key])
            try await waitUntil(timeout: .seconds(30)) {
                try await sender.query(
                    "select count(*) as n from pg_stat_activity where pid = $1::int and state = 'active' and wait_event_type = 'Lock'",
                    [String(pid)])[0].int("n") == 1
            }
            try await sender.query("select pg_notify($1, 'during')", [channel])
            _ = try await sender.query("select pg_advisory_unlock($1::bigint)", [key])
            _ = try await busy
            // The notification was read together with the query's result: the socket will not
            // become readable again for it (nothing else is sent), so it must already be on its
            // way — else it never comes.
            let notification = await next(&notifications)
            #expect(notification?.payload == "during")
            await sender.close()
            await listener.close()
        }

        @Test("the listening connection still runs statements and holds session state")
        func listenAndWork() async throws {
            let listener = try await TestDatabase.connect()
            let channel = TestDatabase.uniqueName("sf_channel")
            var notifications = await listener.notifications().makeAsyncIterator()
            try await listener.listen(channel)
            let key = String(Int64.random(in: 1...Int64.max))
            #expect(try await listener.query("select pg_try_advisory_lock($1::bigint) as locked", [key]).first?.bool("locked") == true)

            let other = try await TestDatabase.connect()
            for round in 1...3 {
                #expect(try await listener.query("select $1::int * 2 as x", [String(round)]).first?.int("x") == round * 2)
                try await other.query("select pg_notify($1, $2)", [channel, "r\(round)"])
                #expect(await next(&notifications)?.payload == "r\(round)")
            }
            // The session lock is still held by the listener's session.
            #expect(try await other.query("select pg_try_advisory_lock($1::bigint) as locked", [key]).first?.bool("locked") == false)
            await other.close()
            await listener.close()
        }

        @Test("an idle listener does not spin")
        func idleDoesNotSpin() async throws {
            let listener = try await TestDatabase.connect()
            let channel = TestDatabase.uniqueName("sf_channel")
            var notifications = await listener.notifications().makeAsyncIterator()
            try await listener.listen(channel)

            let thread = await listener.kernelThreadID()

            // Idle, the listener's thread sleeps in poll(2): asleep every time it is looked at,
            // across the observer's 20 round trips to the server. A thread that spun would be
            // running or runnable. (The first look only lets the thread, just woken to answer
            // kernelThreadID, get back into its wait.)
            let observer = try await TestDatabase.connect()
            let states = try await ThreadState.sample(thread, count: 21) {
                _ = try await observer.query("select 1")
            }.dropFirst()
            #expect(states.allSatisfy { $0 == "S" }, "the idle listener's thread states: \(Array(states))")
            #if os(Linux)
            #expect(states.count == 20)
            #endif
            await observer.close()

            // And it still hears notifications after being idle.
            let sender = try await TestDatabase.connect()
            try await sender.query("select pg_notify($1, 'after idle')", [channel])
            #expect(await next(&notifications)?.payload == "after idle")
            await sender.close()
            await listener.close()
        }

        @Test("the stream finishes when the connection is closed, or when its backend dies")
        func streamFinishes() async throws {
            let listener = try await TestDatabase.connect()
            var notifications = await listener.notifications().makeAsyncIterator()
            try await listener.listen("sf_closing")
            await listener.close()
            #expect(await outcome(&notifications) == .finished)

            let doomed = try await TestDatabase.connect()
            var doomedNotifications = await doomed.notifications().makeAsyncIterator()
            try await doomed.listen("sf_doomed")
            try await TestDatabase.terminateBackend(await doomed.backendPID)
            // Noticed by the idle socket watch, without any statement being run: the stream
            // finishes (no statement is ever run again here to notice it otherwise).
            #expect(await outcome(&doomedNotifications) == .finished)
            #expect(await doomed.isUsable == false)
        }
    }
}

/// Lets a task group iterate an `AsyncStream` iterator owned by a test.
private final class IteratorBox: @unchecked Sendable {
    var iterator: AsyncStream<PostgresNotification>.Iterator

    init(_ iterator: AsyncStream<PostgresNotification>.Iterator) {
        self.iterator = iterator
    }

    func next() async -> PostgresNotification? {
        await iterator.next()
    }
}
