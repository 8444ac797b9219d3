import Foundation
import Testing

@Suite("README")
struct ReadmeExampleTests {
    @Test("the README's testing example is the file the suite compiles and runs")
    func exampleIsVerbatim() throws {
        let here = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        let example = try String(contentsOf: here.appendingPathComponent("ReadmeExample.swift"), encoding: .utf8)
        let readme = try String(contentsOf: here.appendingPathComponent("../../README.md").standardizedFileURL, encoding: .utf8)
        // The README shows the file from its first `import` on.
        let code = String(example[example.range(of: "import Steadfast\n")!.lowerBound...])
        #expect(readme.contains("```swift\n" + code + "```"), "README.md's testing example differs from Tests/SteadfastTestingTests/ReadmeExample.swift")
    }
}
