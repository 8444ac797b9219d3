/// A durable workflow: an `async` function made of steps whose results are checkpointed in
/// PostgreSQL.
///
/// A workflow that is interrupted — the process crashed, the machine was redeployed — is
/// claimed by another worker and runs again from the top: every step whose result was recorded
/// returns that result without running, so the workflow resumes after its last completed step.
/// Code outside steps runs again on every replay, so keep side effects inside steps.
///
/// ```swift
/// struct SendWelcome: Workflow {
///     struct Input: Codable, Sendable { var userID: Int }
///     func run(_ input: Input, context: WorkflowContext) async throws -> String {
///         let email = try await context.step("lookup") { try await users.email(input.userID) }
///         try await context.step("send", retry: .exponential(maxAttempts: 5)) {
///             try await mailer.send(to: email)
///         }
///         return email
///     }
/// }
/// ```
///
/// Inputs and outputs are stored as JSON, so services in other languages can start the
/// workflow and read its result.
public protocol Workflow: Sendable {
    /// The workflow's input, stored as JSON.
    associatedtype Input: Codable & Sendable
    /// The workflow's result, stored as JSON.
    associatedtype Output: Codable & Sendable

    /// The name under which the workflow is started and claimed. Defaults to the type's name.
    ///
    /// Changing it strands the workflows already started under the old name.
    static var name: String { get }

    /// Runs the workflow. Called again after a crash; recorded steps then return their results.
    func run(_ input: Input, context: WorkflowContext) async throws -> Output
}

extension Workflow {
    /// The type's name, such as `SendWelcome`.
    public static var name: String { String(describing: Self.self) }
}
