public import Foundation

/// An event a workflow set (``WorkflowContext/setEvent(_:_:name:)``), with its latest value.
public struct WorkflowEvent: Sendable, Equatable {
    /// The event's key.
    public var key: String
    /// Its latest value, as JSON text.
    public var valueJSON: String
    /// The key of the step that wrote that value.
    public var step: String
    /// When that value was written.
    public var writtenAt: Date

    /// The value decoded as `V`.
    public func value<V: Decodable>(as type: V.Type = V.self) throws -> V {
        try JSONCoding.decode(type, from: valueJSON)
    }
}
