public import Steadfast

/// Step results given by a test, by step key (`name`, or `name#2` for a second call):
/// ```swift
/// let results: StepResults = ["charge": "ch-1", "ship": Shipment(tracking: "t-9")]
/// ```
public struct StepResults: Sendable, ExpressibleByDictionaryLiteral {
    /// The results as JSON, by step key.
    public var json: [String: String]

    /// Results from any `Encodable` values.
    public init(dictionaryLiteral elements: (String, any Encodable & Sendable)...) {
        var json: [String: String] = [:]
        for (key, value) in elements {
            json[key] = StepResults.encode(value)
        }
        self.json = json
    }

    /// Results as JSON text, by step key.
    public init(json: [String: String]) {
        self.json = json
    }

    private static func encode(_ value: any Encodable & Sendable) -> String {
        (try? JSONCoding.encode(value)) ?? "null"
    }
}
