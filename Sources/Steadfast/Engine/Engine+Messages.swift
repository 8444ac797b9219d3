import Foundation

/// Messages (sql/57_messages.sql): `send_message`, `receive_message`.
extension Engine {
    /// `send_message`: stores `messageJSON` for the workflow under `topic`. With an
    /// idempotency key, a repeat stores nothing (then `false`), so the call is sent again until
    /// it lands while the database cannot be reached; without one it is sent once.
    package func sendMessage(to workflowID: String, messageJSON: String, topic: String, idempotencyKey: String?) async throws -> Bool {
        if let peers {
            // Sharded: the message is stored on the receiver's shard.
            var target = try await peers.engine(for: workflowID, asking: self)
            target.peers = nil
            return try await target.sendMessage(to: workflowID, messageJSON: messageJSON, topic: topic,
                                                idempotencyKey: idempotencyKey)
        }
        var options: [String: JSONValue] = ["topic": .string(topic)]
        if let idempotencyKey { options["idempotency_key"] = .string(idempotencyKey) }
        let parameters = [workflowID, messageJSON, try JSONCoding.encode(options)]
        let sql = "select created from steadfast.send_message($1, $2::jsonb, $3::jsonb)"
        let rows = if idempotencyKey != nil {
            try await retrying("send_message") { try await pool.query(sql, parameters) }
        } else {
            try await pool.query(sql, parameters)
        }
        guard let row = rows.first else {
            throw SteadfastError(.decodingFailed, message: "send_message returned no row")
        }
        return try row.bool("created")
    }

    /// `receive_message`: the workflow receives the oldest message of `topic` as its step
    /// `name` (its `occurrence`-th call), waiting at most `timeout` or until `deadline`. Returns
    /// `.waiting` when the workflow now waits (this attempt has ended), else the recorded
    /// outcome: the message's JSON, or `nil` for a timeout. Idempotent, so sent again until it
    /// lands while the database cannot be reached.
    func receiveMessage(workflowID: String, attempt: Int, name: String, occurrence: Int, topic: String,
                        timeout: Double?, deadline: Date?) async throws -> ReceiveOutcome {
        var options: [String: JSONValue] = ["occurrence": .int(Int64(occurrence)), "topic": .string(topic)]
        if let timeout { options["timeout_seconds"] = .number(timeout) }
        if let deadline { options["until"] = .number(deadline.timeIntervalSince1970) }
        let parameters = [workflowID, String(attempt), name, try JSONCoding.encode(options)]
        let rows = try await retrying("receive_message") {
            try await pool.query("select waiting, received, message::text from steadfast.receive_message($1, $2, $3, $4::jsonb)",
                                 parameters)
        }
        guard let row = rows.first else {
            throw SteadfastError(.decodingFailed, message: "receive_message returned no row")
        }
        if try row.bool("waiting") { return .waiting }
        return try row.bool("received") ? .received(try row.string("message")) : .timedOut
    }

    /// How a `receive_message` call ended.
    enum ReceiveOutcome: Sendable {
        case waiting
        case received(String)
        case timedOut
    }
}
