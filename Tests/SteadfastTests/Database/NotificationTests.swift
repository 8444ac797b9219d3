import Foundation
import Testing

@testable import Steadfast

extension DatabaseTests {
    @Suite("LISTEN/NOTIFY")
    struct NotificationTests {
        /// Waits for the next notification, failing after `timeout`.
        private func next(
            _ iterator: inout AsyncStream<PostgresNotification>.Iterator,
            timeout: Duration = .seconds(5)
        ) async -> PostgresNotification? {
            let timer = Task {
                try await Task.sleep(for: timeout)
            }
            // AsyncStream's iterator is not cancellable from outside; race it against a timer
            // with a task group that returns the first result.
            let box = IteratorBox(iterator)
            let result = await withTaskGroup(of: PostgresNotification?.self) { group in
                group.addTask { await box.next() }
                group.addTask {
                    _ = try? await timer.value
                    return nil
                }
                let first = await group.next() ?? nil
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
            // Every steadfast_enqueued naming this test's queue, as it arrives (other tests' skipped).
            let announced = LockedValue<[PostgresNotification]>([])
            let collector = Task {
                for await notification in stream where notification.payload == queue {
                    announced.withLock { $0.append(notification) }
                }
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
            try await Task.sleep(for: .seconds(1))
            #expect(announced.withLock { $0.count } == 0, "a rolled-back start notifies no one")
            var rows = try await app.query(counts, [queue])
            #expect(try rows[0].int("workflows") == 0 && rows[0].int("orders") == 0,
                    "the business write and the start rolled back together")

            _ = try await app.execute("begin")
            _ = try await app.query("insert into orders values ($1)", [TestDatabase.uniqueName("outbox-committed")])
            _ = try await app.query(start, [TestDatabase.uniqueName("outbox-committed"), queue])
            try await Task.sleep(for: .milliseconds(500))
            #expect(announced.withLock { $0.count } == 0, "nothing is announced before the commit")
            _ = try await app.execute("commit")
            let deadline = ContinuousClock.now + .seconds(5)
            while announced.withLock({ $0.isEmpty }) && ContinuousClock.now < deadline {
                try await Task.sleep(for: .milliseconds(20))
            }
            let pid = await app.backendPID
            #expect(announced.withLock { $0.map(\.backendPID) } == [pid], "the commit announced the new workflow, once")
            rows = try await app.query(counts, [queue])
            #expect(try rows[0].int("workflows") == 1 && rows[0].int("orders") == 1, "both committed")
            collector.cancel()
            await app.close()
            await listener.close()
        }

        @Test("a notification from another connection is delivered promptly")
        func delivered() async throws {
            let listener = try await TestDatabase.connect()
            let channel = TestDatabase.uniqueName("sf_channel")
            var notifications = await listener.notifications().makeAsyncIterator()
            try await listener.listen(channel)

            let sender = try await TestDatabase.connect()
            let clock = ContinuousClock()
            let start = clock.now
            try await sender.query("select pg_notify($1, $2)", [channel, "hello ✓"])
            let notification = try #require(await next(&notifications))
            let elapsed = clock.now - start
            #expect(notification.channel == channel)
            #expect(notification.payload == "hello ✓")
            #expect(notification.backendPID == (await sender.backendPID))
            #expect(elapsed < .milliseconds(500), "delivered in \(elapsed)")

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

            async let busy = listener.query("select pg_sleep(0.5)")
            try await Task.sleep(for: .milliseconds(150))
            try await sender.query("select pg_notify($1, 'during')", [channel])
            _ = try await busy
            // The notification was read together with the query's result: the socket will not
            // become readable again for it, so it must already be on its way.
            let notification = await next(&notifications, timeout: .milliseconds(300))
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

            let before = await listener.threadCPUTime()
            try await Task.sleep(for: .seconds(1))
            let after = await listener.threadCPUTime()
            // The listener's thread sleeps in poll(2): a spinning loop would burn ~1 s of CPU.
            #expect(after - before < .milliseconds(20), "the idle listener's thread used \(after - before) of CPU in 1 s")

            // And it still hears notifications after the idle second.
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
            #expect(await next(&notifications) == nil)

            let doomed = try await TestDatabase.connect()
            var doomedNotifications = await doomed.notifications().makeAsyncIterator()
            try await doomed.listen("sf_doomed")
            let clock = ContinuousClock()
            let start = clock.now
            try await TestDatabase.terminateBackend(await doomed.backendPID)
            // Noticed by the idle socket watch, without any statement being run.
            #expect(await next(&doomedNotifications) == nil)
            #expect(clock.now - start < .seconds(2))
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
