import Foundation
import Synchronization

/// Cron schedules on a worker: declared in code, written at start, fired on a jittered timer.
extension Worker {
    /// How a worker fires cron schedules (``Configuration/scheduleTicking``).
    public struct ScheduleTicking: Sendable {
        /// The longest the worker waits between two ticks. It sleeps until the next occurrence
        /// it knows of, but no longer than this, so that schedules created or changed by
        /// others are seen. Defaults to 5 seconds.
        public var maximumInterval: Duration
        /// Every wake-up is delayed by a random duration between zero and this, so workers do
        /// not tick at the same moment (a thundering herd): an occurrence starts within about
        /// this much of its time while workers run. Defaults to 1 second.
        public var jitter: Duration
        /// The most workflows one tick starts; a tick that reaches it ticks again at once.
        /// Defaults to 100.
        public var limit: Int

        /// Creates the setting; every argument has the default documented on its property.
        public init(maximumInterval: Duration = .seconds(5), jitter: Duration = .seconds(1), limit: Int = 100) {
            self.maximumInterval = max(maximumInterval, .milliseconds(1))
            self.jitter = max(jitter, .zero)
            self.limit = min(max(limit, 1), 10_000)
        }

        func nextJitter() -> Duration {
            .milliseconds(Int64(Double.random(in: 0...1) * jitter.inSeconds * 1000))
        }
    }

    /// Declares a cron schedule that starts `workflow` with `input` at each occurrence of
    /// `cron`. The worker writes it to the database when it starts — created, or updated to
    /// these settings — so the code is the definition; a schedule paused by an operator stays
    /// paused. The workflow runs on whichever worker claims it from `queue`.
    ///
    /// ```swift
    /// try worker.schedule(NightlyReport.self, name: "nightly-report", cron: "30 2 * * *",
    ///                     timeZone: "Europe/Berlin", input: .init(region: "eu"))
    /// ```
    /// - Parameters:
    ///   - workflow: The workflow to start.
    ///   - name: The schedule's name, unique; part of each workflow id it starts.
    ///   - cron: 5 fields (minute hour day-of-month month day-of-week), 6 with seconds first,
    ///     or `@hourly`, `@daily`, `@weekly`, `@monthly`, `@yearly`.
    ///   - timeZone: The IANA time zone the expression is read in. Defaults to `"UTC"`.
    ///   - input: The input of every run (it must encode as a JSON object).
    ///   - queue: The queue to start it in. Defaults to `"default"`.
    ///   - missedRuns: What to do with occurrences missed while no worker ran. Defaults to
    ///     ``Schedule/MissedRuns/latest``.
    ///   - catchUpWindow: With ``Schedule/MissedRuns/all``, how far back missed occurrences
    ///     still run. Defaults to one day.
    /// - Throws: ``SteadfastError`` when the input is not a JSON object. A bad expression or
    ///   time zone makes ``run()`` throw.
    public func schedule<W: Workflow>(_ workflow: W.Type, name: String, cron: String, timeZone: String = "UTC",
                                      input: W.Input, queue: String = "default",
                                      missedRuns: Schedule.MissedRuns = .latest,
                                      catchUpWindow: Duration = .seconds(86_400)) throws {
        schedule(try Schedule(workflow, name: name, cron: cron, timeZone: timeZone, input: input, queue: queue,
                              missedRuns: missedRuns, catchUpWindow: catchUpWindow))
    }

    /// Declares `schedule`; see ``schedule(_:name:cron:timeZone:input:queue:missedRuns:catchUpWindow:)``.
    /// A later declaration with the same name replaces it.
    public func schedule(_ schedule: Schedule) {
        declaredSchedules.withLock { $0[schedule.name] = schedule }
    }

    /// The schedules declared in code, by name.
    var schedules: [Schedule] {
        declaredSchedules.withLock { $0.values.sorted { $0.name < $1.name } }
    }
}
