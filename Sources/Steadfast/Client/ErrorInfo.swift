/// The error a workflow or step failed with, as stored in the database: `{"type", "message"}`.
public struct ErrorInfo: Sendable, Codable, Hashable {
    /// The error's type (for Swift errors, `String(reflecting: type(of: error))`).
    public var type: String
    /// A human-readable message.
    public var message: String

    /// Creates an error description.
    public init(type: String, message: String) {
        self.type = type
        self.message = message
    }
}
