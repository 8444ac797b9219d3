import CLibPQ
import Foundation

/// Cancels the statement a task is waiting for when that task is cancelled.
///
/// Every cancellable statement gets a ticket before it is queued on the connection. When the
/// awaiting task is cancelled: if the statement is running, a cancel request is sent to the
/// server (`PQcancel`, on a separate connection); if it has not started yet, it will not start.
/// A ticket whose statement finished is ignored, so a late cancel can never hit the next
/// statement. Thread-safe.
final class StatementCanceller: @unchecked Sendable {
    private let lock = NSLock()
    /// libpq's `PGcancel *` for the connection; `nil` when not connected.
    private var handle: OpaquePointer?
    private var nextTicket: UInt64 = 1
    private var pending: Set<UInt64> = []
    private var cancelledBeforeStart: Set<UInt64> = []
    private var running: UInt64 = 0

    deinit {
        if let handle {
            PQfreeCancel(handle)
        }
    }

    /// Installs the cancel handle of a freshly opened connection (or removes it with `nil`).
    func setConnection(_ connection: OpaquePointer?) {
        lock.lock()
        defer { lock.unlock() }
        if let handle {
            PQfreeCancel(handle)
        }
        handle = connection.flatMap { PQgetCancel($0) }
    }

    func makeTicket() -> UInt64 {
        lock.lock()
        defer { lock.unlock() }
        let ticket = nextTicket
        nextTicket += 1
        pending.insert(ticket)
        return ticket
    }

    /// Marks the ticket's statement as running; `false` if it was cancelled before it started.
    func start(_ ticket: UInt64) -> Bool {
        lock.lock()
        defer { lock.unlock() }
        if cancelledBeforeStart.remove(ticket) != nil {
            pending.remove(ticket)
            return false
        }
        running = ticket
        return true
    }

    func finish(_ ticket: UInt64) {
        lock.lock()
        defer { lock.unlock() }
        pending.remove(ticket)
        if running == ticket {
            running = 0
        }
    }

    /// Cancels the ticket's statement. Blocks while the cancel request is sent: call it off
    /// Swift's cooperative pool.
    func cancel(_ ticket: UInt64) {
        lock.lock()
        defer { lock.unlock() }
        if running == ticket {
            // Holding the lock keeps the statement from finishing and the next one from
            // starting meanwhile, so the request cannot hit another statement.
            if let handle {
                var message = [CChar](repeating: 0, count: 256)
                _ = PQcancel(handle, &message, Int32(message.count))
            }
        } else if pending.contains(ticket) {
            cancelledBeforeStart.insert(ticket)
        }
    }
}
