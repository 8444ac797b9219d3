/// One row of a query result, in PostgreSQL's text format.
///
/// Values are read by column name or position as `String?` (`nil` is SQL NULL), or decoded
/// with ``decode(_:as:)`` and the typed helpers, which throw ``SteadfastError/Code/decodingFailed``
/// for a missing column, an unexpected NULL or a malformed value.
package struct Row: Sendable, Hashable {
    /// The column names, in order (shared by all rows of a result).
    package let columns: [String]
    /// The values, in column order; `nil` is SQL NULL.
    package let values: [String?]

    package init(columns: [String], values: [String?]) {
        precondition(columns.count == values.count, "a row needs one value per column")
        self.columns = columns
        self.values = values
    }

    /// The number of columns.
    package var count: Int {
        values.count
    }

    /// The value at a column position; `nil` for SQL NULL. Traps when out of range.
    package subscript(index: Int) -> String? {
        values[index]
    }

    /// The value of the first column with this name; `nil` for SQL NULL or no such column
    /// (use ``value(_:)`` to tell them apart).
    package subscript(name: String) -> String? {
        columns.firstIndex(of: name).flatMap { values[$0] }
    }

    /// The value of a column, `nil` for SQL NULL.
    /// - Throws: ``SteadfastError/Code/decodingFailed`` if the row has no such column.
    package func value(_ column: String) throws(SteadfastError) -> String? {
        guard let index = columns.firstIndex(of: column) else {
            throw SteadfastError(
                .decodingFailed,
                message: "the result has no column \"\(column)\"",
                detail: "columns: \(columns.joined(separator: ", "))"
            )
        }
        return values[index]
    }

    /// Decodes a non-NULL column.
    /// - Throws: ``SteadfastError/Code/decodingFailed`` if the column is missing, NULL, or not
    ///   a valid `T`.
    package func decode<T: PostgresTextDecodable>(_ column: String, as type: T.Type = T.self) throws(SteadfastError) -> T {
        guard let value = try decodeIfPresent(column, as: type) else {
            throw SteadfastError(.decodingFailed, message: "column \"\(column)\" is NULL, expected \(T.self)")
        }
        return value
    }

    /// Decodes a column that may be NULL.
    /// - Throws: ``SteadfastError/Code/decodingFailed`` if the column is missing or not a
    ///   valid `T`.
    package func decodeIfPresent<T: PostgresTextDecodable>(_ column: String, as type: T.Type = T.self) throws(SteadfastError) -> T? {
        guard let text = try value(column) else { return nil }
        guard let value = T(postgresText: text) else {
            throw SteadfastError(
                .decodingFailed,
                message: "column \"\(column)\" is not a valid \(T.self)",
                detail: "value: \(text.count > 200 ? String(text.prefix(200)) + "…" : text)"
            )
        }
        return value
    }

    /// A non-NULL text column.
    package func string(_ column: String) throws(SteadfastError) -> String {
        try decode(column)
    }

    /// A non-NULL integer column (`int2`, `int4`, `int8`).
    package func int(_ column: String) throws(SteadfastError) -> Int {
        try decode(column)
    }

    /// A non-NULL `boolean` column.
    package func bool(_ column: String) throws(SteadfastError) -> Bool {
        try decode(column)
    }

    /// A non-NULL floating-point or numeric column.
    package func double(_ column: String) throws(SteadfastError) -> Double {
        try decode(column)
    }
}

/// A type that can be read from PostgreSQL's text representation of a value.
package protocol PostgresTextDecodable {
    /// Parses the text PostgreSQL sends for a value; `nil` if it is not valid.
    init?(postgresText text: String)
}

extension String: PostgresTextDecodable {
    package init?(postgresText text: String) {
        self = text
    }
}

extension Int: PostgresTextDecodable {
    package init?(postgresText text: String) {
        self.init(text)
    }
}

extension Int32: PostgresTextDecodable {
    package init?(postgresText text: String) {
        self.init(text)
    }
}

extension Int64: PostgresTextDecodable {
    package init?(postgresText text: String) {
        self.init(text)
    }
}

extension Bool: PostgresTextDecodable {
    /// `t`/`f`, as PostgreSQL prints booleans (also `true`/`false`).
    package init?(postgresText text: String) {
        switch text {
        case "t", "true": self = true
        case "f", "false": self = false
        default: return nil
        }
    }
}

extension Double: PostgresTextDecodable {
    /// Including `NaN`, `Infinity` and `-Infinity`.
    package init?(postgresText text: String) {
        self.init(text)
    }
}
