import Foundation
import Tracing

/// A step's span (`Step <key>`, a child of the execution's) and its metrics.
extension WorkflowContext {
    /// Runs `body` — a step that is not recorded yet — in its span; a child workflow started
    /// inside it joins the trace under it.
    /// `replayed`: the call was replayed (its instant span is made already): no span.
    func withStepSpan<T>(_ key: String, name: String, replayed: Bool = false,
                         _ body: ((any Span)?) async throws -> T) async rethrows -> T {
        guard engine.telemetry.isTracing, !replayed else { return try await body(nil) }
        return try await engine.telemetry.withSpan("Step \(key)") { span in
            span?.updateAttributes { attributes in
                attributes[TraceAttribute.workflowID] = workflowID
                attributes[TraceAttribute.stepKey] = key
                attributes[TraceAttribute.stepName] = name
                attributes[TraceAttribute.stepAttempt] = attempt
                attributes[TraceAttribute.replayed] = false
            }
            return try await body(span)
        }
    }

    /// A replayed step's span: it begins and ends at once, and says what was recorded.
    func traceReplayed(_ step: RecordedStep) {
        engine.telemetry.instantSpan("Step \(step.key)") { attributes in
            attributes[TraceAttribute.workflowID] = workflowID
            attributes[TraceAttribute.stepKey] = step.key
            attributes[TraceAttribute.stepName] = step.name
            attributes[TraceAttribute.stepAttempt] = step.attempt
            attributes[TraceAttribute.replayed] = true
            attributes[TraceAttribute.outcome] = step.error == nil ? "succeeded" : "failed"
        }
    }

    /// A step that ran here was recorded: its span's outcome and runs, its duration's metric.
    func stepEnded(_ name: String, span: (any Span)?, runs: Int, failed: Bool, since startedAt: Date) {
        span?.updateAttributes { attributes in
            attributes[TraceAttribute.stepRuns] = runs
            attributes[TraceAttribute.outcome] = failed ? "failed" : "succeeded"
        }
        if failed { span?.setStatus(SpanStatus(code: .error)) }
        metrics?.stepEnded(name, failed: failed, seconds: Date().timeIntervalSince(startedAt))
    }
}
