import Foundation
import Testing

@testable import Steadfast

extension DatabaseTests {
    /// Statements with parameters are prepared once per connection and executed by name
    /// (LibPQConnection); these check what the server holds, not only that queries work.
    @Suite("Prepared statements")
    struct PreparedStatementTests {
        static func preparedStatements(_ connection: Connection) async throws -> [String] {
            try await connection.query("select statement from pg_prepared_statements order by prepare_time")
                .map { try $0.string("statement") }
        }

        @Test("a statement with parameters is prepared once and reused; one without is not prepared")
        func preparedOnce() async throws {
            let connection = try await TestDatabase.connect()
            for n in 0..<5 {
                let rows = try await connection.query("select $1::int * 2 as doubled", [String(n)])
                #expect(try rows[0].int("doubled") == n * 2)
            }
            _ = try await connection.execute("select 1")
            let prepared = try await Self.preparedStatements(connection)
            #expect(prepared.filter { $0 == "select $1::int * 2 as doubled" }.count == 1)
            #expect(!prepared.contains("select 1"))
            await connection.close()
        }

        @Test("beyond the limit statements run unprepared; a limit of 0 prepares nothing")
        func limit() async throws {
            var configuration = try await TestDatabase.configuration()
            configuration.preparedStatementLimit = 2
            let limited = try await Connection.connect(configuration, logger: TestDatabase.logger)
            for n in 1...4 {
                #expect(try await limited.query("select $1::int + \(n) as v", ["1"])[0].int("v") == 1 + n)
            }
            // The probe itself has a parameter-less text: it runs unprepared.
            #expect(try await Self.preparedStatements(limited).count == 2)
            await limited.close()

            configuration.preparedStatementLimit = 0
            let off = try await Connection.connect(configuration, logger: TestDatabase.logger)
            #expect(try await off.query("select $1::int as v", ["7"])[0].int("v") == 7)
            #expect(try await Self.preparedStatements(off).isEmpty)
            await off.close()
        }

        @Test("a statement prepared in a transaction that rolled back is still usable")
        func survivesRollback() async throws {
            let connection = try await TestDatabase.connect()
            do {
                try await connection.withTransaction { c in
                    _ = try await c.query("select $1::text as v", ["inside"])
                    throw CancellationError()
                }
            } catch is CancellationError {}
            #expect(try await connection.query("select $1::text as v", ["after"])[0].string("v") == "after")
            await connection.close()
        }

        @Test("when a function's result type changes under a prepared call, the call is prepared again")
        func resultTypeChanges() async throws {
            let connection = try await TestDatabase.connect()
            let function = TestDatabase.uniqueName("prepared_probe")
            _ = try await connection.execute("create function \(function)(int) returns table (a int) language sql as 'select $1'")
            let call = "select * from \(function)($1::int)"
            #expect(try await connection.query(call, ["1"])[0].int("a") == 1)
            _ = try await connection.execute("""
                drop function \(function)(int);
                create function \(function)(int) returns table (a int, b text) language sql as 'select $1, ''two''';
                """)
            let rows = try await connection.query(call, ["2"])
            #expect(try rows[0].int("a") == 2)
            #expect(try rows[0].string("b") == "two")
            // Inside a transaction the error aborts it: the caller sees it, and the next call works.
            _ = try await connection.execute("""
                drop function \(function)(int);
                create function \(function)(int) returns table (c bool) language sql as 'select true';
                """)
            await #expect(throws: SteadfastError.self) {
                try await connection.withTransaction { c in _ = try await c.query(call, ["3"]) }
            }
            #expect(try await connection.query(call, ["3"])[0].bool("c") == true)
            _ = try await connection.execute("drop function \(function)(int)")
            await connection.close()
        }
    }
}
