import Foundation
import Testing

/// The README shows only code that compiles: each of its Swift blocks must appear, verbatim (a
/// block inside a list item without its indentation), in a file that `make test` compiles —
/// the quickstart package (built as its own package by scripts/quickstart.sh), the snippets
/// in this folder, or the testing kit's example.
@Suite("README")
struct ReadmeTests {
    @Test("every Swift block of the README is in a compiled file")
    func swiftBlocksCompile() throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../../..").standardizedFileURL
        let readme = try String(contentsOf: root.appendingPathComponent("README.md"), encoding: .utf8)
        var compiled: [String] = []
        let folders = ["examples/quickstart", "Tests/SteadfastTests/Readme", "Tests/SteadfastTestingTests"]
        for folder in folders {
            let enumerator = FileManager.default.enumerator(at: root.appendingPathComponent(folder), includingPropertiesForKeys: nil)
            while let file = enumerator?.nextObject() as? URL {
                if file.pathExtension == "swift" { compiled.append(try String(contentsOf: file, encoding: .utf8)) }
            }
        }
        let blocks = Self.swiftBlocks(readme)
        #expect(blocks.count >= 15, "found \(blocks.count) Swift blocks")
        for block in blocks {
            #expect(compiled.contains { $0.contains(block) }, "README block not in any compiled file:\n\(block)")
        }
    }

    /// The README's ```swift blocks, each without the indentation its lines share.
    static func swiftBlocks(_ text: String) -> [String] {
        var blocks: [String] = []
        var current: [Substring]?
        for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
            let trimmed = line.drop { $0 == " " }
            if current == nil {
                if trimmed == "```swift" { current = [] }
            } else if trimmed == "```" {
                let lines = current ?? []
                let indent = lines.filter { !$0.allSatisfy { $0 == " " } }.map { $0.prefix { $0 == " " }.count }.min() ?? 0
                blocks.append(lines.map { String($0.dropFirst(min(indent, $0.count))) }.joined(separator: "\n") + "\n")
                current = nil
            } else {
                current?.append(line)
            }
        }
        return blocks
    }
}
