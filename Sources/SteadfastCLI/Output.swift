import Foundation
import Steadfast

/// Printing results: aligned tables for people, JSON for scripts, errors on standard error.
enum Output {
    /// Writes `text` and a newline to standard output.
    static func line(_ text: String = "") {
        FileHandle.standardOutput.write(Data((text + "\n").utf8))
    }

    /// Writes `text` and a newline to standard error.
    static func errorLine(_ text: String) {
        FileHandle.standardError.write(Data((text + "\n").utf8))
    }

    /// A table with a header row; columns are as wide as their widest cell.
    static func table(_ header: [String], _ rows: [[String]]) {
        var widths = header.map(\.count)
        for row in rows {
            for (index, cell) in row.enumerated() where index < widths.count {
                widths[index] = max(widths[index], cell.count)
            }
        }
        func render(_ cells: [String]) -> String {
            cells.enumerated().map { index, cell in
                index == cells.count - 1 ? cell : cell.padding(toLength: widths[index], withPad: " ", startingAt: 0)
            }.joined(separator: "  ")
        }
        line(render(header))
        rows.forEach { line(render($0)) }
    }

    /// Label-value lines, labels aligned.
    static func fields(_ pairs: [(String, String?)]) {
        let width = pairs.map(\.0.count).max() ?? 0
        for (label, value) in pairs {
            guard let value else { continue }
            line((label + ":").padding(toLength: width + 1, withPad: " ", startingAt: 0) + " " + value)
        }
    }

    /// Pretty, sorted JSON of a value built from dictionaries, arrays, strings, numbers,
    /// booleans and `NSNull`.
    static func json(_ value: Any) {
        do {
            let data = try JSONSerialization.data(withJSONObject: value,
                                                  options: [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes, .fragmentsAllowed])
            line(String(decoding: data, as: UTF8.self))
        } catch {
            errorLine("steadfast: cannot encode the result as JSON: \(error)")
        }
    }

    static func error(_ error: SteadfastError, json: Bool) {
        if json {
            var object: [String: Any] = ["code": error.code.description, "message": error.message]
            if let sqlState = error.sqlState { object["sqlstate"] = sqlState }
            if let detail = error.detail { object["detail"] = detail }
            if let hint = error.hint { object["hint"] = hint }
            if let data = try? JSONSerialization.data(withJSONObject: ["error": object], options: [.sortedKeys, .withoutEscapingSlashes]) {
                errorLine(String(decoding: data, as: UTF8.self))
            }
            return
        }
        errorLine("steadfast: error: \(error.message) [\(error.code)\(error.sqlState.map { ", SQLSTATE \($0)" } ?? "")]")
        if let detail = error.detail { errorLine("  detail: \(detail)") }
        if let hint = error.hint { errorLine("  hint: \(hint)") }
    }

    static func failure(_ failure: WorkflowFailedError, json: Bool) {
        if json {
            var object: [String: Any] = ["workflow_id": failure.workflowID, "status": failure.status.rawValue]
            if let error = failure.error { object["error"] = ["type": error.type, "message": error.message] }
            if let data = try? JSONSerialization.data(withJSONObject: ["failed": object], options: [.sortedKeys, .withoutEscapingSlashes]) {
                errorLine(String(decoding: data, as: UTF8.self))
            }
            return
        }
        errorLine("steadfast: \(failure)")
    }

    // MARK: Values

    /// A JSON text as a value for ``json(_:)``; the text itself when it does not parse.
    static func jsonValue(_ text: String?) -> Any {
        guard let text else { return NSNull() }
        return (try? JSONSerialization.jsonObject(with: Data(text.utf8), options: [.fragmentsAllowed])) ?? text
    }

    /// ISO 8601 in UTC with microseconds — what PostgreSQL stored, exactly, and valid input
    /// for a timestamptz (so a listed `created_at` pages with --before-created-at).
    static func timestamp(_ date: Date?) -> String? {
        date?.microsecondText
    }

    /// A shorter time for tables: `2026-11-24 21:42:21`.
    static func shortTime(_ date: Date?) -> String {
        guard let text = timestamp(date) else { return "-" }
        return String(text.prefix(19)).replacingOccurrences(of: "T", with: " ")
    }

    /// A duration for tables: `850ms`, `12.3s`, `4m05s`, `2h13m`.
    static func duration(from start: Date?, to end: Date?) -> String {
        guard let start, let end else { return "-" }
        let seconds = end.timeIntervalSince(start)
        if seconds < 1 { return "\(Int((seconds * 1000).rounded()))ms" }
        if seconds < 60 { return String(format: "%.1fs", seconds) }
        if seconds < 3600 { return String(format: "%dm%02ds", Int(seconds) / 60, Int(seconds) % 60) }
        return String(format: "%dh%02dm", Int(seconds) / 3600, Int(seconds) % 3600 / 60)
    }

    /// `text` cut to `limit` characters, with an ellipsis, on one line.
    static func clip(_ text: String?, _ limit: Int = 60) -> String {
        guard let text else { return "-" }
        let flat = text.replacingOccurrences(of: "\n", with: " ")
        return flat.count <= limit ? flat : String(flat.prefix(limit - 1)) + "…"
    }

    /// An error for a table cell: the type's own name without its module (`PaymentError`, not
    /// `MyApp.PaymentError`), then the message — which alone is shown when it already starts
    /// with that name (`PaymentError(reason: …)`); cut to `limit`.
    static func errorCell(_ error: ErrorInfo?, _ limit: Int = 60) -> String {
        guard let error else { return "-" }
        let type = error.type.split(separator: ".").last.map(String.init) ?? error.type
        let text = error.message.isEmpty ? type : error.message.hasPrefix(type) ? error.message : "\(type): \(error.message)"
        return clip(text, limit)
    }

    /// `value` or `-`.
    static func orDash(_ value: String?) -> String {
        value ?? "-"
    }
}

// MARK: Records as JSON

extension WorkflowSummary {
    var jsonObject: [String: Any] {
        [
            "workflow_id": id, "name": name, "status": status.rawValue, "queue": queue, "attempt": attempt,
            "priority": priority, "app_version": orNull(appVersion), "executor_id": orNull(executorID),
            "parent_id": orNull(parentID), "forked_from": orNull(forkedFrom),
            "forked_at_step": orNull(forkedAtStep),
            "created_at": orNull(Output.timestamp(createdAt)), "started_at": orNull(Output.timestamp(startedAt)),
            "completed_at": orNull(Output.timestamp(completedAt)),
            "error": orNull(error.map { ["type": $0.type, "message": $0.message] }),
            "wait": orNull(wait.map { Output.jsonValue($0.json) }),
        ]
    }
}

extension WorkflowStep {
    var jsonObject: [String: Any] {
        [
            "seq": seq, "step_key": key, "name": name, "status": error == nil ? "succeeded" : "failed",
            "output": error == nil ? Output.jsonValue(outputJSON) : NSNull(),
            "error": orNull(error.map { ["type": $0.type, "message": $0.message] }),
            "attempt": attempt, "parallel": parallel, "child_workflow_id": orNull(childWorkflowID),
            "started_at": orNull(Output.timestamp(startedAt)), "completed_at": orNull(Output.timestamp(completedAt)),
            "runs": orNull(runs),
        ]
    }

    var tableRow: [String] {
        [String(seq), key, error == nil ? "succeeded" : "failed", Output.duration(from: startedAt, to: completedAt),
         runs.map(String.init) ?? "-",
         error == nil ? Output.clip(outputJSON) : Output.errorCell(error)]
    }

    static let tableHeader = ["SEQ", "STEP", "STATUS", "DURATION", "RUNS", "OUTPUT / ERROR"]
}

extension WorkflowRecord {
    var jsonObject: [String: Any] {
        [
            "workflow_id": id, "name": name, "status": status.rawValue, "queue": queue, "priority": priority,
            "app_version": orNull(appVersion), "attempt": attempt, "recovery_attempts": recoveryAttempts,
            "retry_count": retryCount, "executor_id": orNull(executorID), "parent_id": orNull(parentID),
            "forked_from": orNull(forkedFrom), "forked_at_step": orNull(forkedAtStep),
            "input": Output.jsonValue(inputJSON), "output": Output.jsonValue(outputJSON),
            "error": orNull(error.map { ["type": $0.type, "message": $0.message] }),
            "created_at": orNull(Output.timestamp(createdAt)), "started_at": orNull(Output.timestamp(startedAt)),
            "updated_at": orNull(Output.timestamp(updatedAt)), "completed_at": orNull(Output.timestamp(completedAt)),
            "wait": orNull(wait.map { Output.jsonValue($0.json) }),
        ]
    }
}

/// `value`, or JSON null when it is `nil`.
func orNull(_ value: Any?) -> Any {
    value ?? NSNull()
}
