// The EmbedSchema build-tool plugin: embeds the engine's SQL in the library.
//
// The files in `migrations/` and `sql/` are the single source of truth for the engine; the
// Makefile installs them with psql and the Swift library must ship exactly the same text. This
// plugin runs `SteadfastSchemaEmbedder` to turn them into one generated Swift file
// (`EmbeddedSchema.swift`) compiled into the target — no resource bundle, no hand-kept copy.
//
// Why the command's only input is a marker file, not the .sql files themselves: SwiftPM runs
// build-tool plugins only when it re-plans the build, and it re-plans only when a *target's*
// folder or Package.swift changes — never for files in `migrations/` or `sql/`. A list of the
// .sql files computed at planning time therefore goes stale: a new file would be ignored, and a
// deleted or renamed one would fail every build with "missing inputs" until something forced a
// re-plan. Instead the embedder runs on every build (it reads a few dozen small files, a few
// milliseconds), enumerates both folders itself, rewrites `EmbeddedSchema.swift` only when its
// text changes (so the library recompiles only then), and finally touches the marker, which is
// its own input: llbuild sees a changed input next time and runs it again. Edits, new files and
// deletions are all picked up by the next `swift build`, with or without `rm -rf .build`.
import Foundation
import PackagePlugin

@main
struct EmbedSchema: BuildToolPlugin {
    func createBuildCommands(context: PluginContext, target: any Target) throws -> [Command] {
        let packageDirectory = context.package.directoryURL
        let migrations = packageDirectory.appending(path: "migrations", directoryHint: .isDirectory)
        let code = packageDirectory.appending(path: "sql", directoryHint: .isDirectory)
        let output = context.pluginWorkDirectoryURL.appending(path: "EmbeddedSchema.swift")
        let marker = context.pluginWorkDirectoryURL.appending(path: "embedder-last-run")

        // The marker must exist before the first build, or llbuild reports a missing input.
        let markerPath = marker.path(percentEncoded: false)
        if !FileManager.default.fileExists(atPath: markerPath) {
            try FileManager.default.createDirectory(at: context.pluginWorkDirectoryURL, withIntermediateDirectories: true)
            guard FileManager.default.createFile(atPath: markerPath, contents: Data()) else {
                throw PluginError(description: "EmbedSchema: cannot create \(markerPath)")
            }
        }

        return [
            .buildCommand(
                displayName: "Embedding the SQL schema into \(target.name)",
                executable: try context.tool(named: "SteadfastSchemaEmbedder").url,
                arguments: [
                    "--migrations", migrations.path(percentEncoded: false),
                    "--sql", code.path(percentEncoded: false),
                    "--output", output.path(percentEncoded: false),
                    "--touch", markerPath,
                ],
                inputFiles: [marker],
                outputFiles: [output]
            ),
        ]
    }
}

struct PluginError: Error, CustomStringConvertible {
    var description: String
}
