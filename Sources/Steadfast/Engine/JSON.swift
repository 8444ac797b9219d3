package import Foundation

/// A JSON value, for the option objects the engine's functions take.
package enum JSONValue: Sendable, Hashable, Encodable {
    case null
    case bool(Bool)
    case number(Double)
    case int(Int64)
    case string(String)
    case array([JSONValue])
    case object([String: JSONValue])

    package func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        switch self {
        case .null: try container.encodeNil()
        case .bool(let value): try container.encode(value)
        case .number(let value): try container.encode(value)
        case .int(let value): try container.encode(value)
        case .string(let value): try container.encode(value)
        case .array(let value): try container.encode(value)
        case .object(let value): try container.encode(value)
        }
    }
}

/// The JSON coding every payload goes through: ISO 8601 dates and sorted keys, so services
/// in other languages read what Swift wrote.
package enum JSONCoding {
    /// `string` as a JSON string literal, quotes included, escaped as RFC 8259 requires.
    package static func quoted(_ string: String) -> String {
        var result = "\""
        result.reserveCapacity(string.utf8.count + 2)
        for scalar in string.unicodeScalars {
            switch scalar {
            case "\"": result += "\\\""
            case "\\": result += "\\\\"
            case "\n": result += "\\n"
            case "\r": result += "\\r"
            case "\t": result += "\\t"
            case _ where scalar.value < 0x20:
                let hex = String(scalar.value, radix: 16)
                result += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            default: result.unicodeScalars.append(scalar)
            }
        }
        return result + "\""
    }

    package static func encode<T: Encodable>(_ value: T) throws(SteadfastError) -> String {
        try encodeEach([value])[0]
    }

    /// Each value's JSON, with one encoder for all of them.
    package static func encodeEach<T: Encodable>(_ values: [T]) throws(SteadfastError) -> [String] {
        let encoder = JSONEncoder()
        encoder.dateEncodingStrategy = .iso8601
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        do {
            return try values.map { String(decoding: try encoder.encode($0), as: UTF8.self) }
        } catch {
            throw SteadfastError(.invalidArgument, message: "cannot encode \(T.self) as JSON: \(error)")
        }
    }

    package static func decode<T: Decodable>(_ type: T.Type, from json: String) throws(SteadfastError) -> T {
        try decode(type, from: Data(json.utf8))
    }

    package static func decode<T: Decodable>(_ type: T.Type, from data: Data) throws(SteadfastError) -> T {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        do {
            return try decoder.decode(T.self, from: data)
        } catch {
            throw SteadfastError(.decodingFailed,
                                 message: "cannot decode \(T.self) from JSON: \(error)")
        }
    }
}
