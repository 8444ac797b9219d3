import Foundation

/// HTML made by hand: every value that comes from the database or the request goes through
/// ``HTML/escape(_:)`` (or ``HTML/attribute(_:)``) before it reaches the page.
enum HTML {
    /// `text` with `&`, `<`, `>`, `"` and `'` replaced by entities: safe in element content and
    /// in quoted attribute values.
    static func escape(_ text: String) -> String {
        var result = ""
        result.reserveCapacity(text.utf8.count)
        for character in text.unicodeScalars {
            switch character {
            case "&": result += "&amp;"
            case "<": result += "&lt;"
            case ">": result += "&gt;"
            case "\"": result += "&quot;"
            case "'": result += "&#39;"
            default: result.unicodeScalars.append(character)
            }
        }
        return result
    }

    /// A query-string component, percent-encoded.
    static func query(_ text: String) -> String {
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~")
        return text.addingPercentEncoding(withAllowedCharacters: allowed) ?? ""
    }

    /// A path segment, percent-encoded (workflow ids contain `/` and `#`).
    static func path(_ text: String) -> String { query(text) }

    /// A date as the dashboard shows it: ISO 8601 in UTC, to the millisecond.
    static func date(_ date: Date?) -> String {
        guard let date else { return "" }
        return date.formatted(.iso8601.year().month().day().time(includingFractionalSeconds: true).timeSeparator(.colon))
    }

    /// A duration in a short human form: 850 ms, 12.3 s, 4 min 5 s, 2 h 3 min.
    static func duration(_ seconds: Double) -> String {
        if seconds < 1 { return "\(Int((seconds * 1000).rounded())) ms" }
        if seconds < 60 { return String(format: "%.1f s", seconds) }
        if seconds < 3600 { return "\(Int(seconds) / 60) min \(Int(seconds) % 60) s" }
        return "\(Int(seconds) / 3600) h \(Int(seconds) % 3600 / 60) min"
    }
}
