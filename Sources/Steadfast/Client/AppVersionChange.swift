/// What an operation does to a workflow's application version (the version of the code that
/// may run it): keep it, lift it, or set another.
public enum AppVersionChange: Sendable, Hashable {
    /// Keep the workflow's version (for a fork: the original's).
    case unchanged
    /// No version: any worker may run it.
    case any
    /// Only workers of this version (or of none) may run it.
    case version(String)
}
