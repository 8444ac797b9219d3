import CoreMetrics
import Logging

/// Group commit for a worker's checkpoints: the writes (step results, completions) of the
/// workflows running at once share transactions instead of paying a commit each.
///
/// A write goes out at once when fewer than `inFlight` batches are being written; otherwise it
/// waits, with the others that arrive meanwhile, for the next batch — so waiting never adds
/// more than one commit's time, and a lone write is a single call as without batching. Every
/// caller still waits until its own write is durable, or refused: a batch applies each write
/// as its single call would and refuses one (fenced, unknown workflow, non-determinism)
/// without failing the others (`steadfast.record_batch`). When a batch fails as a whole —
/// nothing in it was applied — its writes are sent again one by one, so that each caller gets
/// its own outcome.
///
/// While the database cannot be reached, a batch is sent again until it lands (as every
/// checkpoint write is: ``Engine/retrying(_:stillWanted:_:)``); a caller whose task is
/// cancelled meanwhile (the worker shuts down) stops waiting at once, and a batch nobody waits
/// for any more is given up.
package final class CheckpointBatcher: Sendable {
    /// At most this many writes, and about this many bytes of JSON, in one batch.
    static let maximumWrites = 500
    static let maximumBytes = 1 << 20

    private struct Pending: Sendable {
        var write: CheckpointWrite
        var json: String
        var waiter: Waiter
    }

    /// The caller waiting for one write: answered once — by the write's outcome, or by its
    /// task's cancellation, whichever comes first.
    private final class Waiter: Sendable {
        private enum State {
            case waiting
            case suspended(CheckedContinuation<Void, any Error>)
            case answered
        }
        private let state = LockedValue(State.waiting)

        /// Installs the suspended caller; answers it at once if it was cancelled before.
        func suspend(_ continuation: CheckedContinuation<Void, any Error>) {
            let cancelled = state.withLock { state -> Bool in
                guard case .waiting = state else { return true }
                state = .suspended(continuation)
                return false
            }
            if cancelled { continuation.resume(throwing: CancellationError()) }
        }

        /// Answers the caller (no-op when it was answered already).
        func answer(_ result: Result<Void, any Error>) {
            let continuation = state.withLock { state -> CheckedContinuation<Void, any Error>? in
                defer { state = .answered }
                if case .suspended(let continuation) = state { return continuation }
                return nil
            }
            continuation?.resume(with: result)
        }

        /// Whether the caller still waits for the outcome.
        var isWaiting: Bool {
            state.withLock { if case .answered = $0 { false } else { true } }
        }
    }

    private struct State: Sendable {
        var queue: [Pending] = []
        var writing = 0
    }

    private let engine: Engine
    private let inFlight: Int
    private let state = LockedValue(State())

    /// - Parameters:
    ///   - engine: The engine that writes (without a batcher of its own).
    ///   - inFlight: How many batches may be written at once (at least 1).
    init(engine: Engine, inFlight: Int) {
        self.engine = engine
        self.inFlight = max(1, inFlight)
    }

    /// Writes `write` with the next batch; returns once it is committed.
    /// - Throws: The write's own refusal (``SteadfastError/Code/fenced``, ``SteadfastError/Code/notFound``,
    ///   ``SteadfastError/Code/nonDeterminism``…), or the error of its single call.
    func submit(_ write: CheckpointWrite) async throws {
        let json = try Engine.batchElementJSON(write)
        let waiter = Waiter()
        try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
                waiter.suspend(continuation)
                let startWriter = state.withLock { state -> Bool in
                    state.queue.append(Pending(write: write, json: json, waiter: waiter))
                    guard state.writing < inFlight else { return false }
                    state.writing += 1
                    return true
                }
                if startWriter {
                    Task { await self.writeUntilEmpty() }
                }
            }
        } onCancel: {
            waiter.answer(.failure(CancellationError()))
        }
    }

    private func writeUntilEmpty() async {
        while let batch = takeBatch() {
            await write(batch)
        }
    }

    private func takeBatch() -> [Pending]? {
        state.withLock { state in
            guard !state.queue.isEmpty else {
                state.writing -= 1
                return nil
            }
            var count = 0
            var bytes = 0
            while count < state.queue.count, count < Self.maximumWrites {
                bytes += state.queue[count].json.utf8.count
                if count > 0 && bytes > Self.maximumBytes { break }
                count += 1
            }
            let batch = Array(state.queue.prefix(count))
            state.queue.removeFirst(count)
            return batch
        }
    }

    private func write(_ batch: [Pending]) async {
        engine.telemetry.checkpointBatchSize?.record(batch.count)
        if batch.count == 1 {
            await writeAlone(batch[0])
            return
        }
        let outcomes: [Engine.BatchOutcome]
        do {
            outcomes = try await engine.recordBatch(json: "[" + batch.map(\.json).joined(separator: ",") + "]",
                                                    stillWanted: { batch.contains { $0.waiter.isWaiting } })
        } catch {
            engine.logger.debug("checkpoint batch failed; writing its writes one by one",
                                metadata: ["writes": "\(batch.count)", "error": "\(error)"])
            await withDiscardingTaskGroup { group in
                for pending in batch {
                    group.addTask { await self.writeAlone(pending) }
                }
            }
            return
        }
        var answered = [Bool](repeating: false, count: batch.count)
        for outcome in outcomes where outcome.ordinal >= 1 && outcome.ordinal <= batch.count && !answered[outcome.ordinal - 1] {
            answered[outcome.ordinal - 1] = true
            batch[outcome.ordinal - 1].waiter.answer(outcome.refusal.map { .failure($0) } ?? .success(()))
        }
        // record_batch answers every write; should one be missing, its caller must not hang.
        for (index, pending) in batch.enumerated() where !answered[index] {
            pending.waiter.answer(.failure(SteadfastError(
                .queryFailed, message: "record_batch returned no outcome for write \(index + 1)")))
        }
    }

    private func writeAlone(_ pending: Pending) async {
        guard pending.waiter.isWaiting else { return }
        do {
            try await engine.writeAlone(pending.write, stillWanted: { pending.waiter.isWaiting })
            pending.waiter.answer(.success(()))
        } catch {
            pending.waiter.answer(.failure(error))
        }
    }
}
