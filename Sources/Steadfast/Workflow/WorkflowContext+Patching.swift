import Foundation
import Synchronization

/// Changing a workflow's code while executions of the old code are mid-flight.
extension WorkflowContext {
    /// Whether this execution runs the code added under `patchID` — the way to change a
    /// workflow's steps without breaking the workflows already past this point under the old
    /// code (which would otherwise fail with a non-determinism error on replay).
    ///
    /// ```swift
    /// let order = try await context.step("reserve") { … }
    /// if try await context.patched("print-label") {
    ///     try await context.step("print-label") { … }     // new code
    /// }
    /// try await context.step("charge") { … }
    /// ```
    ///
    /// Returns `true` in a workflow that reaches this point with no step recorded after it —
    /// a new workflow, or one replaying up to here under the new code — and records a marker
    /// step `patch:<patchID>`, so every later replay answers `true` again. Returns `false` (and
    /// records nothing) in a workflow whose record already holds steps past this point: the
    /// old code ran here without the patch, and its replay must take the old path.
    ///
    /// Once no workflow that ran the old code can be replayed any more (all finished, pruned
    /// or past retention), remove the old branch and replace the call by
    /// ``deprecatePatch(_:)``; later, remove that too.
    /// - Parameter patchID: A name for the change, unique in the workflow (not empty, no `#`).
    public func patched(_ patchID: String) async throws -> Bool {
        let name = try Self.patchStepName(patchID)
        enum Decision { case recorded, oldCode, newCode }
        let decision = state.withLock { state -> Decision in
            let occurrence = (state.occurrences[name] ?? 0) + 1
            let key = occurrence == 1 ? name : "\(name)#\(occurrence)"
            if state.recorded[key] != nil { return .recorded }
            let pastThisPoint = state.recorded.keys.contains { !state.consumed.contains($0) }
            return pastThisPoint ? .oldCode : .newCode
        }
        switch decision {
        case .recorded:
            // The marker, replayed: this workflow took the new path before.
            let call = try await beginCall(name, kind: "patch", waits: false)
            guard let recorded = call.recorded, recorded.error == nil else {
                throw SteadfastError(.nonDeterminism, message: "step '\(call.key)' is recorded, but not as the marker of patch '\(patchID)'")
            }
            return true
        case .oldCode:
            return false
        case .newCode:
            return try await step(name) { true }
        }
    }

    /// Accepts the marker of a patch whose old branch was removed: a workflow that recorded
    /// ``patched(_:)``'s marker replays without a non-determinism error, and one that did not
    /// records nothing. Call it where `patched(patchID)` was, during the deployment after the
    /// old branch is gone; remove it once no workflow with the marker can be replayed.
    public func deprecatePatch(_ patchID: String) async throws {
        let name = try Self.patchStepName(patchID)
        let hasMarker = state.withLock { state -> Bool in
            let occurrence = (state.occurrences[name] ?? 0) + 1
            return state.recorded[occurrence == 1 ? name : "\(name)#\(occurrence)"] != nil
        }
        if hasMarker {
            _ = try await beginCall(name, kind: "patch", waits: false)
        }
    }

    private static func patchStepName(_ patchID: String) throws(SteadfastError) -> String {
        guard !patchID.isEmpty, !patchID.contains("#") else {
            throw SteadfastError(.invalidArgument, message: "patch id '\(patchID)' must be non-empty and must not contain '#'")
        }
        return "patch:" + patchID
    }
}
