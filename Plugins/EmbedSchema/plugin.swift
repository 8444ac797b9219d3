// The EmbedSchema build-tool plugin: embeds the engine's SQL in the library.
//
// The files in `migrations/` and `sql/` are the single source of truth for the engine; the
// Makefile installs them with psql and the Swift library must ship exactly the same text. This
// plugin runs `SteadfastSchemaEmbedder` to turn them into one generated Swift file
// (`EmbeddedSchema.swift`) compiled into the target — no resource bundle, no hand-kept copy.
//
// Every `.sql` file of both folders is declared as an input, so editing, adding or removing one
// regenerates the file on the next build. (SwiftPM evaluates the plugin on every build, so the
// list of inputs itself follows the folders.)
import Foundation
import PackagePlugin

@main
struct EmbedSchema: BuildToolPlugin {
    func createBuildCommands(context: PluginContext, target: any Target) throws -> [Command] {
        let packageDirectory = context.package.directoryURL
        let migrations = packageDirectory.appending(path: "migrations", directoryHint: .isDirectory)
        let code = packageDirectory.appending(path: "sql", directoryHint: .isDirectory)
        let output = context.pluginWorkDirectoryURL.appending(path: "EmbeddedSchema.swift")

        return [
            .buildCommand(
                displayName: "Embedding migrations/ and sql/ into \(target.name)",
                executable: try context.tool(named: "SteadfastSchemaEmbedder").url,
                arguments: [
                    "--migrations", migrations.path(percentEncoded: false),
                    "--sql", code.path(percentEncoded: false),
                    "--output", output.path(percentEncoded: false),
                ],
                inputFiles: sqlFiles(in: migrations) + sqlFiles(in: code),
                outputFiles: [output]
            ),
        ]
    }

    /// The `.sql` files directly inside `directory`; none when the folder does not exist yet.
    private func sqlFiles(in directory: URL) -> [URL] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: directory.path(percentEncoded: false))) ?? []
        return names.filter { $0.hasSuffix(".sql") }.sorted().map { directory.appending(path: $0) }
    }
}
