public import Foundation

/// An executor (a worker process) as ``Client/executors(includeStopped:)`` lists it.
public struct ExecutorInfo: Sendable, Hashable, Codable {
    /// Whether an executor can claim work.
    public enum State: String, Sendable, Hashable, Codable {
        /// Registered, lease current, its database session alive.
        case alive
        /// Its lease ran out (the process hangs or is gone); its workflows go to others at the
        /// next claim.
        case leaseExpired = "lease expired"
        /// Its database session is gone (the process died); its workflows go to others at the
        /// next claim.
        case sessionLost = "session lost"
        /// Deregistered, or found dead and handled.
        case stopped
    }

    /// The executor's id.
    public var id: String
    /// The host it runs on, when it said.
    public var host: String?
    /// Its process id, when it said.
    public var pid: Int?
    /// The version of the code it runs; `nil` runs every version.
    public var appVersion: String?
    /// The queues it claims from.
    public var queues: [String]
    /// Its state.
    public var state: State
    /// How many workflows it is running now.
    public var running: Int
    /// The workflow names it registered, when its worker told (Steadfast workers do).
    public var workflows: [String]?
    /// When it registered.
    public var registeredAt: Date
    /// Its last heartbeat.
    public var heartbeatAt: Date
    /// When its lease runs out without another heartbeat.
    public var leaseExpiresAt: Date
    /// When it stopped.
    public var stoppedAt: Date?
    /// Why it stopped: `deregistered`, `lease expired`, `session lost`.
    public var stopReason: String?
}
