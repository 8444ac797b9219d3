package import Foundation

/// The operator's views (sql/75_views.sql): `list_executors`.
extension Engine {
    /// `list_executors`.
    func executors(includeStopped: Bool) async throws -> [ExecutorInfo] {
        let rows = try await pool.query("select * from steadfast.list_executors($1::jsonb)",
                                        [try JSONCoding.encode(["include_stopped": JSONValue.bool(includeStopped)])])
        return try rows.map { row in
            let stateText = try row.string("state")
            guard let state = ExecutorInfo.State(rawValue: stateText) else {
                throw SteadfastError(.decodingFailed, message: "unknown executor state '\(stateText)'")
            }
            return ExecutorInfo(
                id: try row.string("executor_id"), host: try row.value("host"),
                pid: try row.decodeIfPresent("pid", as: Int.self), appVersion: try row.value("app_version"),
                queues: try JSONCoding.decode([String].self, from: try row.string("queues")), state: state,
                running: try row.int("running"),
                workflows: try row.value("workflows").flatMap { try? JSONCoding.decode([String].self, from: $0) },
                registeredAt: try row.decode("registered_at", as: Date.self),
                heartbeatAt: try row.decode("heartbeat_at", as: Date.self),
                leaseExpiresAt: try row.decode("lease_expires_at", as: Date.self),
                stoppedAt: try row.decodeIfPresent("stopped_at", as: Date.self), stopReason: try row.value("stop_reason"))
        }
    }
}
