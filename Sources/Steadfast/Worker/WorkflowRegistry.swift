import Synchronization

/// The workflows a worker can run, by name, with their input and output types erased to JSON.
package final class WorkflowRegistry: Sendable {
    /// Runs one workflow: decodes the input JSON, runs, encodes the output JSON.
    package typealias Runner = @Sendable (_ inputJSON: String, _ context: WorkflowContext) async throws -> String

    private let runners = Mutex<[String: Runner]>([:])

    /// Registers `workflow` under `W.name`; a later registration under the same name replaces it.
    package init() {}

    package func register<W: Workflow>(_ workflow: W) {
        let runner: Runner = { inputJSON, context in
            let input = try JSONCoding.decode(W.Input.self, from: inputJSON)
            let output = try await workflow.run(input, context: context)
            return try JSONCoding.encode(output)
        }
        runners.withLock { $0[W.name] = runner }
    }

    /// The runner registered for `name`.
    package func runner(for name: String) -> Runner? {
        runners.withLock { $0[name] }
    }

    /// Every registered name, sorted.
    package var names: [String] {
        runners.withLock { $0.keys.sorted() }
    }
}
