/// One value of a workflow's stream, read by ``Client/readStream(_:workflowID:key:from:follow:)``.
public struct StreamEntry<Value: Sendable>: Sendable {
    /// Its position in the stream, from 0: resume after it by reading from `offset + 1`.
    public var offset: Int
    /// The value written.
    public var value: Value
}
