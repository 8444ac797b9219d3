import Foundation
import Logging

/// A worker's share of firing cron schedules: calls `steadfast.tick_schedules` on its own
/// timer. Every worker runs one; none leads. Each sleeps until the next occurrence the
/// last tick reported (at most ``Worker/ScheduleTicking/maximumInterval``) plus a random
/// jitter, so workers wake spread out: the first to tick starts what is due, the others find
/// it done (the occurrence's workflow id makes a second start impossible anyway).
struct ScheduleTicker: Sendable {
    let engine: Engine
    let ticking: Worker.ScheduleTicking
    let logger: Logger

    /// Writes the schedules declared in the worker's code: created, or updated to the code's
    /// settings (a paused schedule stays paused; equal settings change nothing).
    static func declare(_ schedules: [Schedule], engine: Engine, logger: Logger) async throws {
        for schedule in schedules {
            _ = try await engine.defineSchedule(schedule)
        }
        if !schedules.isEmpty {
            logger.info("schedules declared", metadata: ["schedules": "\(schedules.map(\.name))"])
        }
    }

    /// Ticks until cancelled.
    func run() async {
        while !Task.isCancelled {
            var delay = ticking.maximumInterval
            do {
                let tick = try await engine.tickSchedules(limit: ticking.limit)
                if tick.started > 0 {
                    logger.debug("schedules fired", metadata: ["started": "\(tick.started)"])
                }
                if tick.more {
                    delay = .zero
                } else if let due = tick.nextDueAt {
                    delay = min(delay, .milliseconds(Int64(max(0, due.timeIntervalSince(tick.checkedAt)) * 1000)))
                }
            } catch {
                if Task.isCancelled { return }
                logger.warning("firing schedules failed", metadata: ["error": "\(error)"])
            }
            do {
                try await Task.sleep(for: delay + ticking.nextJitter())
            } catch {
                return
            }
        }
    }
}
