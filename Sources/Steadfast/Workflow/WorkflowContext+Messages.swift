public import Foundation
import Synchronization

extension WorkflowContext {
    /// Receives the oldest message sent to this workflow under `topic`
    /// (``Client/send(to:_:topic:idempotencyKey:)``, `steadfast.send_message`, or another
    /// workflow's ``send(to:_:topic:name:)``), exactly once.
    ///
    /// The message is consumed and recorded as a step named `name` in one transaction: no
    /// other receive gets it, and every replay returns it. While none has arrived the workflow
    /// waits durably, holding no worker (like ``sleep(for:name:)``): the send wakes it in its
    /// own transaction. With a `timeout`, the deadline is fixed by the first call (replays
    /// keep it); once it passes with nothing there, `nil` is returned and recorded, so a replay
    /// takes the same branch even if a message arrives later (that message stays for the next
    /// receive). A message already there is taken, deadline or not.
    ///
    /// Messages of a topic are received in the order their sends committed. The error that
    /// ends a waiting execution (``WorkflowSuspended``) must not be caught. Do not receive
    /// while other steps of the workflow run at the same time.
    /// - Parameters:
    ///   - type: The message's type (JSON).
    ///   - topic: The topic. Defaults to `"default"`.
    ///   - timeout: How long to wait at most, from the first call. Defaults to `nil`: forever.
    ///   - name: The step's name. Defaults to `"receive"`.
    /// - Returns: The message, or `nil` when the timeout passed first.
    public func receive<M: Codable & Sendable>(_ type: M.Type = M.self, topic: String = "default",
                                               timeout: Duration? = nil, name: String = "receive") async throws -> M? {
        try await receive(type, topic: topic, timeout: timeout.map(\.inSeconds), deadline: nil, name: name)
    }

    /// Receives a message as ``receive(_:topic:timeout:name:)`` does, waiting until `deadline`
    /// at most.
    public func receive<M: Codable & Sendable>(_ type: M.Type = M.self, topic: String = "default",
                                               deadline: Date, name: String = "receive") async throws -> M? {
        try await receive(type, topic: topic, timeout: nil, deadline: deadline, name: name)
    }

    private func receive<M: Codable & Sendable>(_ type: M.Type, topic: String, timeout: Double?, deadline: Date?,
                                                name: String) async throws -> M? {
        let (occurrence, key, recorded, _) = try await beginCall(name, kind: "receive", waits: true)
        if let recorded {
            guard recorded.error == nil, let output = recorded.output,
                  let outcome = try? JSONCoding.decode(RecordedReceive<M>.self, from: output) else {
                throw SteadfastError(.nonDeterminism, message: "step '\(key)' is recorded, but not as a receive: the workflow received a message where it ran a step before")
            }
            guard outcome.received else { return nil }
            return try outcome.message ?? JSONCoding.decode(M.self, from: "null")
        }
        let outcome = try await withStepSpan(key, name: name) { _ in
            try await engine.receiveMessage(workflowID: workflowID, attempt: attempt, name: name,
                                            occurrence: occurrence, topic: topic, timeout: timeout, deadline: deadline)
        }
        state.withLock { $0.executed.append(key) }
        switch outcome {
        case .waiting: throw suspend(WorkflowSuspended(step: key, until: nil))
        case .timedOut: return nil
        case .received(let json): return try JSONCoding.decode(M.self, from: json)
        }
    }

    /// Sends a message to another workflow, as a step named `name`: exactly once, however
    /// often this workflow is replayed or its step re-run after a crash (the send carries an
    /// idempotency key made of this workflow's id and the step's key).
    /// - Throws: ``SteadfastError`` — ``SteadfastError/Code/notFound`` for an unknown workflow,
    ///   ``SteadfastError/Code/wrongState`` when it has finished.
    public func send<M: Encodable & Sendable>(to workflowID: String, _ message: M, topic: String = "default",
                                              name: String = "send") async throws {
        let (occurrence, key, recorded, parallel) = try await beginCall(name, kind: "send", waits: false)
        if recorded != nil { return }
        let started = Date()
        try await withStepSpan(key, name: name) { _ in
            _ = try await engine.sendMessage(to: workflowID, messageJSON: try JSONCoding.encode(message), topic: topic,
                                             idempotencyKey: Self.idempotencyKey(self.workflowID, key))
            try await engine.recordStep(StepRecord(workflowID: self.workflowID, attempt: attempt, name: name, occurrence: occurrence,
                                                   outputJSON: "null", error: nil, startedAt: started, runs: 1, parallel: parallel))
        }
        state.withLock { $0.executed.append(key) }
    }

    /// `<workflow id>/<step key>`, or — past the 255 characters a key may have — its first 238
    /// characters, `~` and a stable 64-bit FNV-1a hash of the whole, in hex.
    static func idempotencyKey(_ workflowID: String, _ stepKey: String) -> String {
        let whole = "\(workflowID)/\(stepKey)"
        guard whole.count > 255 else { return whole }
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in whole.utf8 { hash = (hash ^ UInt64(byte)) &* 0x0000_0100_0000_01b3 }
        return String(whole.prefix(238)) + "~" + String(hash, radix: 16)
    }
}

/// A receive as recorded: `{"received": true, "message": …}` or `{"received": false}`.
private struct RecordedReceive<M: Codable & Sendable>: Decodable {
    var received: Bool
    var message: M?
}
