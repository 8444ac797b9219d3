import ArgumentParser
import Foundation
import Steadfast

/// A workflow status on the command line: `enqueued`, `running`, … `dead`.
struct StatusArgument: ExpressibleByArgument {
    var status: WorkflowStatus

    init?(argument: String) {
        guard let status = WorkflowStatus(rawValue: argument) else { return nil }
        self.status = status
    }

    static var allValueStrings: [String] { WorkflowStatus.allCases.map(\.rawValue) }
}

/// A finished status, the only ones prune deletes: `succeeded`, `failed`, `cancelled`, `dead`.
struct FinishedStatusArgument: ExpressibleByArgument {
    static let finished: [WorkflowStatus] = [.succeeded, .failed, .cancelled, .dead]
    var status: WorkflowStatus

    init?(argument: String) {
        guard let status = WorkflowStatus(rawValue: argument), Self.finished.contains(status) else { return nil }
        self.status = status
    }

    static var allValueStrings: [String] { finished.map(\.rawValue) }
}

/// An age or a span, as `90s`, `15m`, `12h`, `30d`, `2w` (or `500ms`).
struct Age: ExpressibleByArgument {
    var duration: Duration

    init?(argument: String) {
        let units: [(String, Double)] = [("ms", 0.001), ("s", 1), ("m", 60), ("h", 3600), ("d", 86_400), ("w", 604_800)]
        guard let unit = units.first(where: { argument.hasSuffix($0.0) && Double(argument.dropLast($0.0.count)) != nil }),
              let amount = Double(argument.dropLast(unit.0.count)), amount >= 0, amount.isFinite
        else { return nil }
        duration = .milliseconds(Int64((amount * unit.1 * 1000).rounded()))
    }

    static var defaultCompletionKind: CompletionKind { .default }
}

/// A point in time: ISO 8601 (`2026-11-24T21:00:00Z`, `2026-11-24 21:00:00+02`, `2026-11-24`),
/// or an age before now (`2h`, `7d`).
struct PointInTime: ExpressibleByArgument {
    var date: Date

    init?(argument: String) {
        if let age = Age(argument: argument) {
            date = Date().addingTimeInterval(-Double(age.duration.components.seconds)
                                             - Double(age.duration.components.attoseconds) / 1e18)
            return
        }
        let text = argument.replacingOccurrences(of: " ", with: "T")
        let withColonOffset = text.range(of: #"[+-]\d\d$"#, options: .regularExpression) != nil ? text + ":00" : text
        let formatter = ISO8601DateFormatter()
        for options: ISO8601DateFormatter.Options in [[.withInternetDateTime, .withFractionalSeconds], [.withInternetDateTime],
                                                      [.withFullDate]] {
            formatter.formatOptions = options
            if let date = formatter.date(from: withColonOffset) {
                self.date = date
                return
            }
        }
        return nil
    }
}

/// `--app-version V` or `--any-version`, for resume and fork.
struct VersionOptions: ParsableArguments {
    @Option(help: "Only workers of this application version (or of none) may run it.")
    var appVersion: String?

    @Flag(help: "Any worker may run it, whatever its version.")
    var anyVersion = false

    func validate() throws {
        if appVersion != nil && anyVersion {
            throw ValidationError("Give --app-version or --any-version, not both.")
        }
    }

    var change: AppVersionChange {
        if anyVersion { return .any }
        return appVersion.map { .version($0) } ?? .unchanged
    }
}
