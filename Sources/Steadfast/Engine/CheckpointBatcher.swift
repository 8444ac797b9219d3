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
package final class CheckpointBatcher: Sendable {
    /// At most this many writes, and about this many bytes of JSON, in one batch.
    static let maximumWrites = 500
    static let maximumBytes = 1 << 20

    private struct Pending: Sendable {
        var write: CheckpointWrite
        var json: String
        var continuation: CheckedContinuation<Void, any Error>
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
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
            let startWriter = state.withLock { state -> Bool in
                state.queue.append(Pending(write: write, json: json, continuation: continuation))
                guard state.writing < inFlight else { return false }
                state.writing += 1
                return true
            }
            if startWriter {
                Task { await self.writeUntilEmpty() }
            }
        }
    }

    /// One writer: takes what is queued, writes it, and again, until nothing is left.
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
        if batch.count == 1 {
            await writeAlone(batch[0])
            return
        }
        let outcomes: [Engine.BatchOutcome]
        do {
            outcomes = try await engine.recordBatch(json: "[" + batch.map(\.json).joined(separator: ",") + "]")
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
            if let refusal = outcome.refusal {
                batch[outcome.ordinal - 1].continuation.resume(throwing: refusal)
            } else {
                batch[outcome.ordinal - 1].continuation.resume()
            }
        }
        // record_batch answers every write; should one be missing, its caller must not hang.
        for (index, pending) in batch.enumerated() where !answered[index] {
            pending.continuation.resume(throwing: SteadfastError(
                .queryFailed, message: "record_batch returned no outcome for write \(index + 1)"))
        }
    }

    private func writeAlone(_ pending: Pending) async {
        do {
            try await engine.writeAlone(pending.write)
            pending.continuation.resume()
        } catch {
            pending.continuation.resume(throwing: error)
        }
    }
}
