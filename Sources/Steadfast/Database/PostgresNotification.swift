/// A notification delivered by PostgreSQL's `LISTEN`/`NOTIFY`.
package struct PostgresNotification: Sendable, Hashable {
    /// The channel it was sent on (`NOTIFY channel` or `pg_notify('channel', …)`).
    package var channel: String
    /// The payload; empty when none was given.
    package var payload: String
    /// The process id of the backend that sent it.
    package var backendPID: Int32

    package init(channel: String, payload: String, backendPID: Int32) {
        self.channel = channel
        self.payload = payload
        self.backendPID = backendPID
    }
}
