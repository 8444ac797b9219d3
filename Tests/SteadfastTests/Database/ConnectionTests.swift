import Foundation
import Testing

@testable import Steadfast

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

extension DatabaseTests {
    @Suite("Connection")
    struct ConnectionTests {
        @Test("parameters and values round-trip: NULLs, unicode, jsonb text, large values")
        func roundTrip() async throws {
            let connection = try await TestDatabase.connect()

            let unicode = "héllo — 世界 🚀 \"quoted\" 'single' \\ backslash $1"
            let json = #"{"a": [1, 2.5, null, "x"], "b": {"ü": true}}"#
            let large = String(repeating: "0123456789abcdef", count: 128 * 1024) // 2 MiB
            let rows = try await connection.query(
                "select $1::text as a, $2::text as b, $3::jsonb as c, $4::text as d, length($4) as n, $5::int + 1 as e",
                [nil, unicode, json, large, "41"]
            )
            let row = try #require(rows.first)
            #expect(rows.count == 1)
            #expect(row.columns == ["a", "b", "c", "d", "n", "e"])
            #expect(row["a"] == nil)
            #expect(try row.value("a") == nil)
            #expect(row["b"] == unicode)
            #expect(row[1] == unicode)
            // jsonb comes back normalized, as PostgreSQL prints it.
            #expect(row["c"] == #"{"a": [1, 2.5, null, "x"], "b": {"ü": true}}"#)
            #expect(row["d"] == large)
            #expect(try row.int("n") == large.count)
            #expect(try row.int("e") == 42)
        }

        @Test("a mistyped connection string is refused with a clear message before libpq misreads it; good ones pass")
        func mistypedURL() async throws {
            for bad in ["postgress://localhost/db", "mysql://localhost/db", "localhost:5432/db"] {
                let error = await expectSteadfastError(.invalidArgument) {
                    _ = try await Connection.connect(DatabaseConfiguration(connectionString: bad))
                }
                #expect(error?.hint?.contains("postgresql://") == true, "\(bad)")
            }
            let error = await expectSteadfastError(.invalidArgument) {
                _ = try await Client.connect(DatabaseConfiguration(connectionString: "postgress://localhost/db"))
            }
            #expect(error?.message.contains("'postgress://'") == true)
            for good in ["postgresql://localhost/db", "POSTGRES://u@h:5/d", "host=/tmp dbname=x", "mydb"] {
                #expect(throws: Never.self) { try DatabaseConfiguration(connectionString: good).validate() }
            }
        }

        @Test("sessionSettings are set on every new connection; a bad one fails the connection with connectionFailed")
        func sessionSettings() async throws {
            var configuration = try await TestDatabase.configuration()
            configuration.sessionSettings = ["statement_timeout": "1234ms", "idle_in_transaction_session_timeout": "5s",
                                             "application_name": "it's set"]
            let connection = try await Connection.connect(configuration)
            let row = try #require(try await connection.query(
                "select current_setting('statement_timeout') as a, current_setting('idle_in_transaction_session_timeout') as b, current_setting('application_name') as c").first)
            #expect(row["a"] == "1234ms" && row["b"] == "5s" && row["c"] == "it's set")
            #expect(try await connection.query("select current_setting('transaction_isolation') as i").first?["i"] == "read committed",
                    "not inside a transaction")
            await connection.close()

            configuration.sessionSettings = ["statement_timeout": "soon"]
            let error = await expectSteadfastError(.connectionFailed) { _ = try await Connection.connect(configuration) }
            #expect(error?.sqlState == "22023", "invalid_parameter_value: \(String(reflecting: error))")
        }

        @Test("typed helpers decode integers, booleans, doubles and reject bad values")
        func decoding() async throws {
            let connection = try await TestDatabase.connect()
            let row = try #require(try await connection.query(
                "select 9007199254740993::int8 as big, true as t, false as f, 2.5::float8 as x, 'NaN'::float8 as nan, null::int as missing, 'abc' as text"
            ).first)
            #expect(try row.int("big") == 9_007_199_254_740_993)
            #expect(try row.bool("t") == true)
            #expect(try row.bool("f") == false)
            #expect(try row.double("x") == 2.5)
            #expect(try row.double("nan").isNaN)
            #expect(try row.decodeIfPresent("missing", as: Int.self) == nil)
            #expect(try row.string("text") == "abc")

            let notAnInt = await expectSteadfastError(.decodingFailed) { _ = try row.int("text") }
            #expect(notAnInt?.description.contains("abc") == false, "log-safe: no value in the description")
            await expectSteadfastError(.decodingFailed) { _ = try row.int("missing") }
            await expectSteadfastError(.decodingFailed) { _ = try row.string("no_such_column") }
        }

        @Test("execute runs several statements with the simple query protocol")
        func multiStatement() async throws {
            let connection = try await TestDatabase.connect()
            let rows = try await connection.execute("""
                create temp table multi (v int);
                insert into multi values (1), (2), (3);
                select sum(v) as total from multi;
                """)
            #expect(try rows.first?.int("total") == 6)
        }

        @Test("an engine SQLSTATE maps to its code, with message, detail, hint and context")
        func engineError() async throws {
            let connection = try await TestDatabase.connect()
            let error = await expectSteadfastError(.invalidArgument) {
                try await connection.execute("""
                    do $$ begin
                        raise exception 'queue % is not valid', 'bad queue'
                            using errcode = 'SF005', detail = 'the detail', hint = 'the hint';
                    end $$
                    """)
            }
            #expect(error?.sqlState == "SF005")
            #expect(error?.message == "queue bad queue is not valid")
            #expect(error?.detail == "the detail")
            #expect(error?.hint == "the hint")
            #expect(error?.context?.contains("PL/pgSQL") == true)
            #expect(error?.description == "SteadfastError.invalidArgument (SF005): queue bad queue is not valid")
            #expect(error?.debugDescription.contains("the detail") == true)
            // The connection is still usable after an error.
            #expect(try await connection.query("select 1 as one").first?.int("one") == 1)
        }

        @Test("every documented engine SQLSTATE maps to its own code", arguments: [
            ("SF001", SteadfastError.Code.notFound),
            ("SF002", .workflowConflict),
            ("SF003", .fenced),
            ("SF004", .wrongState),
            ("SF005", .invalidArgument),
            ("SF006", .payloadTooLarge),
            ("SF007", .nonDeterminism),
            ("SF008", .executorInUse),
            ("SF009", .duplicate),
            ("SF0ZZ", .engine),
        ])
        func engineCodes(sqlState: String, code: SteadfastError.Code) async throws {
            let connection = try await TestDatabase.connect()
            let error = await expectSteadfastError(code) {
                try await connection.query("do $$ begin raise exception 'boom' using errcode = '\(sqlState)'; end $$")
            }
            #expect(error?.sqlState == sqlState)
        }

        @Test("an unknown future engine code is .engine with its SQLSTATE kept")
        func unknownEngineCode() async throws {
            let connection = try await TestDatabase.connect()
            let error = await expectSteadfastError(.engine) {
                try await connection.execute("do $$ begin raise exception 'from the future' using errcode = 'SF099'; end $$")
            }
            #expect(error?.sqlState == "SF099")
            #expect(error?.message == "from the future")
        }

        @Test("other SQL errors are .queryFailed with the SQLSTATE; the description leaves the server's text out")
        func genericError() async throws {
            let connection = try await TestDatabase.connect()
            let division = await expectSteadfastError(.queryFailed) {
                try await connection.query("select 1 / $1::int", ["0"])
            }
            #expect(division?.sqlState == "22012")
            #expect(division?.message == "division by zero")
            #expect(division?.description == "SteadfastError.queryFailed (22012)")
            #expect(division?.debugDescription.contains("division by zero") == true)
            #expect(division?.debugDescription.contains("select 1 / $1::int") == true)

            let syntax = await expectSteadfastError(.queryFailed) {
                try await connection.query("selec 1")
            }
            #expect(syntax?.sqlState == "42601")
        }

        @Test("withTransaction commits on return and rolls back on throw")
        func transactions() async throws {
            struct Boom: Error {}
            let connection = try await TestDatabase.connect()
            let table = TestDatabase.uniqueName("sf_tx")
            try await connection.execute("create table \(table) (v int)")

            let committed = try await connection.withTransaction { connection in
                try await connection.query("insert into \(table) values ($1::int)", ["1"])
                return "done"
            }
            #expect(committed == "done")

            await #expect(throws: Boom.self) {
                try await connection.withTransaction { connection in
                    try await connection.query("insert into \(table) values (2)")
                    throw Boom()
                }
            }
            #expect(await connection.isInTransaction == false)

            // A nested transaction is a savepoint: its failure undoes only its own part.
            try await connection.withTransaction { connection in
                try await connection.query("insert into \(table) values (3)")
                await #expect(throws: Boom.self) {
                    try await connection.withTransaction { connection in
                        try await connection.query("insert into \(table) values (4)")
                        throw Boom()
                    }
                }
            }

            // Another session sees exactly what was committed.
            let other = try await TestDatabase.connect()
            let values = try await other.query("select v from \(table) order by v").map { try $0.int("v") }
            #expect(values == [1, 3])
            try await other.execute("drop table \(table)")
            await other.close()
        }

        @Test("a transaction whose statement failed does not report a commit")
        func swallowedErrorRollsBack() async throws {
            let connection = try await TestDatabase.connect()
            try await connection.execute("create temp table swallowed (v int)")
            let error = await expectSteadfastError(.queryFailed) {
                try await connection.withTransaction { connection in
                    try await connection.query("insert into swallowed values (1)")
                    _ = try? await connection.query("select 1 / 0")
                }
            }
            #expect(error?.sqlState == "25P02")
            #expect(try await connection.query("select count(*) as n from swallowed").first?.int("n") == 0)
        }

        @Test("a bad connection string or unreachable server fails with .connectionFailed")
        func badURL() async throws {
            let url = try await TestDatabase.url()
            let missingDatabase = DatabaseConfiguration(connectionString: url, applicationName: "sf-bad")
            var configuration = missingDatabase
            configuration.parameterOverrides = [("dbname", "steadfast_no_such_database")]
            let error = await expectSteadfastError(.connectionFailed) {
                _ = try await Connection.connect(configuration)
            }
            #expect(error?.message.contains("steadfast_no_such_database") == true)

            await expectSteadfastError(.connectionFailed) {
                _ = try await Connection.connect("postgresql://127.0.0.1:1/steadfast?connect_timeout=2")
            }
            await expectSteadfastError(.connectionFailed) {
                _ = try await Connection.connect("this is = not a valid ' connection string")
            }
            await expectSteadfastError(.connectionFailed) {
                _ = try await Connection.connect("postgresql:///steadfast?host=/nonexistent/socket/dir")
            }
        }

        @Test("the connection string is used as is: URI with ?host=/socket/dir, or keyword/value pairs")
        func connectionStrings() async throws {
            let url = try await TestDatabase.url()
            let connection = try await Connection.connect(url)
            let database = try #require(try await connection.query("select current_database() as db").first?.string("db"))
            await connection.close()

            // The same server and database, as keyword/value pairs (libpq parses the URI for us).
            let viaOverrides = try await Connection.connect(url + (url.contains("?") ? "&" : "?") + "application_name=sf-kv")
            let name = try await viaOverrides.query("select current_setting('application_name') as name").first?.string("name")
            #expect(name == "sf-kv")
            #expect(try await viaOverrides.query("select current_database() as db").first?.string("db") == database)
            await viaOverrides.close()
        }

        @Test("close() ends the connection; later calls throw .shutdown")
        func closing() async throws {
            let connection = try await TestDatabase.connect()
            let pid = await connection.backendPID
            #expect(pid > 0)
            #expect(await connection.isUsable)
            await connection.close()
            await connection.close()
            #expect(await connection.isUsable == false)
            await expectSteadfastError(.shutdown) { try await connection.query("select 1") }

            let observer = try await TestDatabase.connect()
            // The backend ends when the connection is closed.
            try await waitUntil(timeout: .seconds(30)) {
                try await observer.query("select count(*) as n from pg_stat_activity where pid = $1::int", [String(pid)]).first?.int("n") == 0
            }
            await observer.close()
        }

        @Test("a terminated backend makes the next statement throw .connectionLost; the process survives (no SIGPIPE)")
        func terminatedBackend() async throws {
            // Steadfast leaves the process's SIGPIPE disposition alone: libpq sends with
            // MSG_NOSIGNAL (Linux) or SO_NOSIGPIPE (macOS). With SIGPIPE at its default, as in
            // this test process, a write to the dead socket raising it would kill the run.

            let connection = try await TestDatabase.connect()
            try await TestDatabase.terminateBackend(await connection.backendPID)
            // The server closed its end of the unix socket: libpq's write gets EPIPE, which must
            // not raise SIGPIPE (libpq sends with MSG_NOSIGNAL).
            let error = await expectSteadfastError(.connectionLost) {
                try await connection.query("select 1")
            }
            #expect(error?.sqlState == nil || error?.sqlState == "57P01")
            #expect(await connection.isUsable == false)
            await expectSteadfastError(.connectionLost) {
                try await connection.query("select 1")
            }
        }

        @Test("cancelling the awaiting task interrupts the running statement")
        func cancellation() async throws {
            let connection = try await TestDatabase.connect()
            let pid = await connection.backendPID
            let observer = try await TestDatabase.connect()
            /// Whether the connection's backend is running `sql` now.
            func running(_ sql: String) async throws -> Bool {
                try await observer.query(
                    "select count(*) as n from pg_stat_activity where pid = $1::int and state = 'active' and query = $2",
                    [String(pid), sql])[0].int("n") == 1
            }
            let sleeper = Task {
                try await connection.query("select pg_sleep(30)")
            }
            try await waitUntil(timeout: .seconds(30)) { try await running("select pg_sleep(30)") }
            sleeper.cancel()
            // 57014 (query_canceled): the server interrupted the statement at the cancel request;
            // one that ran to its end would have returned a row.
            let error = await expectSteadfastError(.cancelled) { _ = try await sleeper.value }
            #expect(error?.sqlState == "57014")
            #expect(try await running("select pg_sleep(30)") == false, "the backend no longer runs the statement")
            // The connection is still fine.
            #expect(try await connection.query("select 1 as one").first?.int("one") == 1)

            // Inside a transaction: the cancel aborts it and withTransaction rolls back.
            try await connection.execute("create temp table cancelled_tx (v int)")
            let transaction = Task {
                try await connection.withTransaction { connection in
                    try await connection.query("insert into cancelled_tx values (1)")
                    try await connection.query("select pg_sleep(31)")
                }
            }
            try await waitUntil(timeout: .seconds(30)) { try await running("select pg_sleep(31)") }
            transaction.cancel()
            let inTransaction = await expectSteadfastError(.cancelled) { _ = try await transaction.value }
            #expect(inTransaction?.sqlState == "57014")
            #expect(await connection.isInTransaction == false)
            #expect(try await connection.query("select count(*) as n from cancelled_tx").first?.int("n") == 0)
            await observer.close()
            await connection.close()
        }

        @Test("a task that is already cancelled can still run statements (cleanup)")
        func cancelledTaskRunsCleanup() async throws {
            let connection = try await TestDatabase.connect()
            let task = Task {
                while !Task.isCancelled {
                    await Task.yield()
                }
                return try await connection.query("select pg_sleep(0.3), 'cleaned up' as result").first?.string("result")
            }
            task.cancel()
            #expect(try await task.value == "cleaned up")
            await connection.close()
        }

        @Test("waiting for a result sleeps, it does not spin")
        func ownThread() async throws {
            let connection = try await TestDatabase.connect()
            let pid = await connection.backendPID
            let thread = await connection.kernelThreadID()
            // The statement waits in the server for a lock the test holds, as long as the test likes.
            let key = String(Int64.random(in: 1...Int64.max))
            let holder = try await TestDatabase.connect()
            _ = try await holder.query("select pg_advisory_lock($1::bigint)", [key])
            let waiting = Task { try await connection.query("select pg_advisory_xact_lock($1::bigint)", [key]) }
            func blocked() async throws -> Bool {
                try await holder.query(
                    "select count(*) as n from pg_stat_activity where pid = $1::int and state = 'active' and wait_event_type = 'Lock'",
                    [String(pid)])[0].int("n") == 1
            }
            try await waitUntil(timeout: .seconds(30)) { try await blocked() }
            // While the result is awaited, the connection's thread is asleep (in poll(2)) every
            // time it is looked at: a thread that spun would be running or runnable. (The first
            // look only lets the thread get from sending the statement into its wait.)
            let states = try await ThreadState.sample(thread, count: 21) {
                let stillBlocked = try await blocked()
                #expect(stillBlocked, "the statement is still waiting for its result")
            }.dropFirst()
            #expect(states.allSatisfy { $0 == "S" }, "the waiting thread's states: \(Array(states))")
            #if os(Linux)
            #expect(states.count == 20)
            #endif
            _ = try await holder.query("select pg_advisory_unlock($1::bigint)", [key])
            _ = try await waiting.value
            await holder.close()
            await connection.close()
        }
    }
}
