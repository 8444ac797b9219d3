/// How ``Client/fork(_:fromStep:options:)`` starts the new workflow.
public struct ForkOptions: Sendable, Hashable {
    /// The new workflow's id. Forking again with the same id (same original, same step) returns
    /// the existing fork. Defaults to `nil`: a new UUID.
    public var id: String?
    /// The queue to run from. Defaults to `nil`: the original's.
    public var queue: String?
    /// The version of the code that may run it, typically the one with the fix. Defaults to
    /// ``AppVersionChange/unchanged``: the original's.
    public var appVersion: AppVersionChange

    /// Creates options; every argument has the default documented on its property.
    public init(id: String? = nil, queue: String? = nil, appVersion: AppVersionChange = .unchanged) {
        self.id = id
        self.queue = queue
        self.appVersion = appVersion
    }
}
