import Foundation
import Logging
import Steadfast

/// An executor of the testing kit: registered on a session of its own, which ``crash()``
/// closes as a killed process would, and ``stop()`` deregisters gracefully. Everything done as
/// the executor (start-and-claim, a failed execution's release) goes through that session, the
/// only one the engine accepts it from.
struct TestExecutor: Sendable {
    let id: String
    let session: Connection

    /// The executor and its session, for a ``WorkflowExecution``.
    var executorSession: ExecutorSession {
        ExecutorSession(id: id, connection: session)
    }

    static func register(database: DatabaseConfiguration, logger: Logger) async throws -> TestExecutor {
        let session = try await Connection.connect(database, logger: logger)
        let id = "test-\(UUID().uuidString.prefix(8).lowercased())"
        _ = try await Engine.registerExecutor(on: session, id: id, queues: ["default"], leaseSeconds: 3600, appVersion: nil)
        return TestExecutor(id: id, session: session)
    }

    func stop() async {
        _ = try? await Engine.deregisterExecutor(on: session, id: id)
        await session.close()
    }

    /// Closes the session without deregistering, and waits until the server has noticed.
    func crash(engine: Engine) async throws {
        let pid = await session.backendPID
        await session.close()
        let deadline = ContinuousClock.now + .seconds(10)
        while try await engine.backendExists(pid: pid), ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(5))
        }
    }
}
