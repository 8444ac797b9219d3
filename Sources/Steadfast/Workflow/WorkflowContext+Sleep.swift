public import Foundation
import Logging
import Synchronization

extension WorkflowContext {
    /// Sleeps durably for `duration`: the workflow holds no worker while it sleeps.
    ///
    /// The sleep is recorded as a step named `name` (keyed by occurrence like any step) with
    /// its wake time, computed once by the database: every replay sleeps until that same
    /// instant. Unless the time has come already, the workflow becomes `waiting` and this
    /// execution ends at once — the worker's slot is free, its shutdown does not wait for the
    /// sleeper, and nothing of the workflow stays in memory. After the wake time, the next claim
    /// of its queue by any worker enqueues it again; whoever claims it replays its steps, this
    /// sleep included, and the code continues after it. Lateness is about one claim poll.
    ///
    /// The error this throws to end the execution must not be caught by the workflow's code
    /// (if it is, the execution still ends, and no step runs after it). Do not sleep while other
    /// steps of the workflow run at the same time.
    /// - Parameters:
    ///   - duration: How long to sleep, from the first time this sleep is reached.
    ///   - name: The step's name. Defaults to `"sleep"`.
    public func sleep(for duration: Duration, name: String = "sleep") async throws {
        let seconds = Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
        try await sleep(name: name, seconds: max(0, seconds), until: nil)
    }

    /// Sleeps durably until `date`, as ``sleep(for:name:)`` does for a duration.
    public func sleep(until date: Date, name: String = "sleep") async throws {
        try await sleep(name: name, seconds: nil, until: date)
    }

    private func sleep(name: String, seconds: Double?, until: Date?) async throws {
        let (occurrence, key, recorded, _) = try await beginCall(name, kind: "sleep", waits: true)
        let replayed = recorded != nil
        // A replay asks as well: the database keeps the wake time and says whether it has come.
        let (wakeAt, sleeping) = try await withStepSpan(key, name: name, replayed: replayed) { _ in
            try await engine.sleep(workflowID: workflowID, attempt: attempt, name: name,
                                   occurrence: occurrence, seconds: seconds, until: until)
        }
        if !replayed { state.withLock { $0.executed.append(key) } }
        guard sleeping else { return }
        throw suspend(WorkflowSuspended(step: key, until: wakeAt))
    }
}
