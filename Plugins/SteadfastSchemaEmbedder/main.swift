// SteadfastSchemaEmbedder: writes `EmbeddedSchema.swift` from the package's SQL folders.
//
//     SteadfastSchemaEmbedder --migrations DIR --sql DIR --output FILE [--touch MARKER]
//
// Run by the EmbedSchema build-tool plugin on every build (see the plugin for why); not meant to
// be run by hand. It rewrites FILE only when its text changes, so the library recompiles only
// then, and finally writes MARKER, the build command's input, so that the next build runs it
// again. It produces:
//
//     enum EmbeddedSchema {
//         static let bootstrap: String                                       // sql/00_migrate.sql
//         static let migrations: [(version: Int, name: String, sql: String)] // migrations/NNNN_name.sql
//         static let code: [(file: String, sql: String)]                     // every other sql/*.sql
//         static let latestVersion: Int                                      // highest migration version
//     }
//
// Each file's text becomes a raw multi-line string literal whose `#` count is chosen so that no
// content can close it or start an escape; the few characters a Swift source file cannot hold
// literally (control characters, carriage returns) are written as raw escapes, so the embedded
// string is byte-for-byte the file. Missing or empty folders give empty lists and an empty
// bootstrap, so the package builds before any SQL exists.
import Foundation

/// The bootstrap file: creates the `steadfast` schema, the migration bookkeeping and the
/// functions that apply migrations and code; run before anything else by `migrate`.
let bootstrapFileName = "00_migrate.sql"

struct EmbedderError: Error, CustomStringConvertible {
    var description: String
}

struct SQLFile {
    var name: String
    var text: String
}

let usage = "usage: SteadfastSchemaEmbedder --migrations DIR --sql DIR --output FILE [--touch MARKER]"

func parseArguments(_ arguments: [String]) throws -> (migrations: URL, sql: URL, output: URL, marker: URL?) {
    var values: [String: String] = [:]
    var iterator = arguments.makeIterator()
    while let flag = iterator.next() {
        guard ["--migrations", "--sql", "--output", "--touch"].contains(flag), let value = iterator.next() else {
            throw EmbedderError(description: usage)
        }
        values[flag] = value
    }
    guard let migrations = values["--migrations"], let sql = values["--sql"], let output = values["--output"] else {
        throw EmbedderError(description: usage)
    }
    return (
        URL(fileURLWithPath: migrations),
        URL(fileURLWithPath: sql),
        URL(fileURLWithPath: output),
        values["--touch"].map { URL(fileURLWithPath: $0) }
    )
}

/// The `.sql` files directly inside `directory`, sorted by name (byte order, as `LC_ALL=C ls`).
/// A missing folder has none.
func readSQLFiles(in directory: URL) throws -> [SQLFile] {
    let path = directory.path
    var isDirectory: ObjCBool = false
    guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), isDirectory.boolValue else {
        return []
    }
    let names = try FileManager.default.contentsOfDirectory(atPath: path)
        .filter { $0.hasSuffix(".sql") }
        .sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }
    return try names.map { name in
        let data = try Data(contentsOf: directory.appendingPathComponent(name))
        guard let text = String(data: data, encoding: .utf8) else {
            throw EmbedderError(description: "\(directory.appendingPathComponent(name).path): error: not valid UTF-8")
        }
        return SQLFile(name: name, text: text)
    }
}

/// `NNNN_name.sql` → (NNNN, "NNNN_name"); anything else is a mistake worth failing the build for.
func migrationVersion(of file: SQLFile, in directory: URL) throws -> (version: Int, name: String) {
    let name = String(file.name.dropLast(".sql".count))
    let digits = name.prefix { $0.isASCII && $0.isNumber }
    guard !digits.isEmpty, name.dropFirst(digits.count).first == "_", let version = Int(digits) else {
        throw EmbedderError(description: "\(directory.appendingPathComponent(file.name).path): error: a migration must be named NNNN_name.sql (for example 0001_init.sql)")
    }
    return (version, name)
}

/// A Swift raw string literal whose value is exactly `text`: multi-line for file contents,
/// single-line (newlines escaped) for names.
func swiftLiteral(_ text: String, multiline: Bool = true) -> String {
    // A `"` or `\` followed by k `#` could close a literal or start an escape with k hashes:
    // use one more `#` than the longest such run.
    var longest = 0
    let scalars = Array(text.unicodeScalars)
    for (index, scalar) in scalars.enumerated() where scalar == "\"" || scalar == "\\" {
        var run = 0
        while index + 1 + run < scalars.count, scalars[index + 1 + run] == "#" { run += 1 }
        longest = max(longest, run)
    }
    let hashes = String(repeating: "#", count: longest + 1)
    var body = ""
    body.unicodeScalars.reserveCapacity(scalars.count)
    for scalar in scalars {
        switch scalar.value {
        case 0x0A where multiline, 0x09:
            body.unicodeScalars.append(scalar)
        case 0x00...0x1F, 0x7F:
            // Not allowed (or normalized, for \r) inside a literal: escape it.
            body += "\\\(hashes)u{\(String(scalar.value, radix: 16))}"
        default:
            body.unicodeScalars.append(scalar)
        }
    }
    // The newline before the closing delimiter is not part of the value, so the text's own
    // final newline (if any) survives.
    return multiline ? "\(hashes)\"\"\"\n\(body)\n\"\"\"\(hashes)" : "\(hashes)\"\(body)\"\(hashes)"
}

func generate(migrationsDirectory: URL, sqlDirectory: URL) throws -> String {
    let migrationFiles = try readSQLFiles(in: migrationsDirectory)
    let sqlFiles = try readSQLFiles(in: sqlDirectory)

    var migrations: [(version: Int, name: String, sql: String)] = []
    for file in migrationFiles {
        let (version, name) = try migrationVersion(of: file, in: migrationsDirectory)
        if let clash = migrations.first(where: { $0.version == version }) {
            throw EmbedderError(description: "\(migrationsDirectory.appendingPathComponent(file.name).path): error: migration version \(version) is also used by \(clash.name).sql")
        }
        migrations.append((version, name, file.text))
    }
    migrations.sort { $0.version < $1.version }

    let bootstrap = sqlFiles.first { $0.name == bootstrapFileName }?.text ?? ""
    let code = sqlFiles.filter { $0.name != bootstrapFileName }

    var out = """
        // Generated by SteadfastSchemaEmbedder (the EmbedSchema build-tool plugin) from the
        // package's migrations/ and sql/ folders. Do not edit: edit the .sql files instead.

        /// The engine's SQL, embedded at build time from `migrations/` and `sql/`.
        enum EmbeddedSchema {
            /// `sql/\(bootstrapFileName)`: the migration bookkeeping, run first by every migrate;
            /// empty when the file does not exist.
            static let bootstrap: String = \(swiftLiteral(bootstrap))

            /// `migrations/NNNN_name.sql`, sorted by version; `name` is the file name without `.sql`.
            static let migrations: [(version: Int, name: String, sql: String)] = [

        """
    for migration in migrations {
        out += "        (version: \(migration.version), name: \(swiftLiteral(migration.name, multiline: false)), sql: \(swiftLiteral(migration.sql))),\n"
    }
    out += """
            ]

            /// Every `sql/*.sql` file but the bootstrap, sorted by file name: the engine's code,
            /// re-applied by every migrate when it changed.
            static let code: [(file: String, sql: String)] = [

        """
    for file in code {
        out += "        (file: \(swiftLiteral(file.name, multiline: false)), sql: \(swiftLiteral(file.text))),\n"
    }
    out += """
            ]

            /// The highest migration version, 0 when there is none.
            static let latestVersion: Int = \(migrations.last?.version ?? 0)
        }

        """
    return out
}

do {
    let arguments = try parseArguments(Array(CommandLine.arguments.dropFirst()))
    let source = try generate(migrationsDirectory: arguments.migrations, sqlDirectory: arguments.sql)
    try FileManager.default.createDirectory(at: arguments.output.deletingLastPathComponent(), withIntermediateDirectories: true)
    let data = Data(source.utf8)
    if (try? Data(contentsOf: arguments.output)) != data {
        try data.write(to: arguments.output, options: .atomic)
    }
    if let marker = arguments.marker {
        // A new timestamp every run: the marker is this command's input, so llbuild runs it
        // again on the next build.
        try Data("\(Date().timeIntervalSince1970)\n".utf8).write(to: marker)
    }
} catch {
    FileHandle.standardError.write(Data("SteadfastSchemaEmbedder: \(error)\n".utf8))
    exit(1)
}
