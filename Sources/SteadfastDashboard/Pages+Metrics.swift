import Foundation
import Hummingbird
import Steadfast

/// `/metrics`: `steadfast.metrics()` in the Prometheus text format (version 0.0.4), one gauge
/// family per metric, `queue` and `label` as labels — then the app's own metrics, when it gave
/// them (``Dashboard/Options/moreMetrics``).
extension Pages {
    func prometheus() async throws -> Response {
        let samples = try await client.metrics()
        var text = ""
        var declared = Set<String>()
        for sample in samples.sorted(by: { $0.metric < $1.metric }) {
            if declared.insert(sample.metric).inserted {
                text += "# TYPE \(sample.metric) gauge\n"
            }
            var labels: [String] = []
            if let queue = sample.queue { labels.append("queue=\"\(Self.labelValue(queue))\"") }
            if let label = sample.label { labels.append("label=\"\(Self.labelValue(label))\"") }
            text += sample.metric + (labels.isEmpty ? "" : "{" + labels.joined(separator: ",") + "}") + " \(sample.value)\n"
        }
        if let more = dashboard.options.moreMetrics?() {
            text += more.hasSuffix("\n") || more.isEmpty ? more : more + "\n"
        }
        return Response(status: .ok, headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
                        body: ResponseBody(byteBuffer: ByteBuffer(string: text)))
    }

    /// A label value as the text format writes it: `\`, `"` and newlines escaped.
    static func labelValue(_ value: String) -> String {
        value.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"")
            .replacingOccurrences(of: "\n", with: "\\n")
    }
}
