public import Foundation

/// What a `waiting` workflow waits for (the `wait` column of `steadfast.workflows`).
public struct WorkflowWait: Sendable, Equatable, CustomStringConvertible {
    /// The kind of wait: `"sleep"` (``WorkflowContext/sleep(for:name:)``), `"message"` or `"children"`
    /// (``WorkflowContext/results(of:name:)``, ``ChildWorkflow/result(name:)``); later kinds may
    /// be added in any release.
    public var kind: String
    /// The key of the step that waits.
    public var step: String?
    /// When the wait ends by itself: a sleep's wake time.
    public var until: Date?
    /// A wait for children: how many it waits for.
    public var children: Int?
    /// A wait for children: how many of the parent's children have finished since it began
    /// waiting (a hint, see `sql/56_children.sql`).
    public var finished: Int?
    /// A wait for children: whether the first to finish ends it (rather than all).
    public var first: Bool
    /// A wait for a message (``WorkflowContext/receive(_:topic:timeout:name:)``): its topic.
    public var topic: String?
    /// The wait as the database stores it (JSON text).
    public var json: String

    /// `sleep until 2026-12-03T09:00:00Z`, `3 of 5 children` (finished of awaited),
    /// `first of 2 children`, `message on approvals until …`, `event ready of order-7`, or the kind
    /// alone.
    public var description: String {
        if kind == "event", let object = try? JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any],
           let key = object["key"] as? String, let workflow = object["workflow"] as? String {
            return "event \(key) of \(workflow)" + (until.map { " until \($0.formatted(.iso8601))" } ?? "")
        }
        if let topic {
            return "message on \(topic)" + (until.map { " until \($0.formatted(.iso8601))" } ?? "")
        }
        if let children {
            return first ? "first of \(children) children" : "\(min(finished ?? 0, children)) of \(children) children"
        }
        guard let until else { return kind }
        return "\(kind) until \(until.formatted(.iso8601))"
    }

    /// Reads the stored JSON; `nil` for SQL null.
    static func from(json: String?) -> WorkflowWait? {
        guard let json else { return nil }
        let object = (try? JSONSerialization.jsonObject(with: Data(json.utf8))) as? [String: Any] ?? [:]
        let until = (object["until"] as? String).flatMap(Self.instant)
        return WorkflowWait(kind: object["kind"] as? String ?? "unknown", step: object["step"] as? String, until: until,
                            children: object["children"] as? Int, finished: object["finished"] as? Int,
                            first: object["mode"] as? String == "any",
                            topic: object["kind"] as? String == "message" ? object["topic"] as? String : nil, json: json)
    }

    /// A timestamp as PostgreSQL writes one into JSON: `2026-12-03T10:01:00.5+00:00`.
    private static func instant(_ text: String) -> Date? {
        if let date = try? Date(text, strategy: .iso8601) { return date }
        return try? Date(text, strategy: Date.ISO8601FormatStyle(includingFractionalSeconds: true))
    }
}
