// The README's "Testing your workflows" example, verbatim (ReadmeExampleTests checks that the
// README still shows exactly this file between its markers).
import Steadfast
import SteadfastTesting
import Testing

struct SignUp: Workflow {
    struct Input: Codable, Sendable { var email: String }

    func run(_ input: Input, context: WorkflowContext) async throws -> String {
        let account: String = try await context.step("create-account") { "acct-\(input.email)" }
        try await context.step("send-welcome") { /* calls the mail service */ }
        return account
    }
}

@Suite struct SignUpTests {
    @Test func resumesAfterACrashWithoutCreatingTheAccountTwice() async throws {
        let env = try await SteadfastTestEnvironment.make()   // a fresh, migrated database

        // Stub the mail service's step, and crash right after the first step is recorded.
        let crashed = try await env.run(SignUp(), .init(email: "ada@example.com"),
                                        replacing: ["send-welcome": nil as String?], crashAfterStep: 1)
        #expect(crashed.executedSteps == ["create-account"])

        // Another executor picks it up, as after kill -9: the first step is replayed, not re-run.
        let resumed = try await env.resume(SignUp(), id: crashed.workflowID, replacing: ["send-welcome": nil as String?])
        #expect(try resumed.output() == "acct-ada@example.com")
        #expect(resumed.replayedSteps == ["create-account"])
        #expect(try await env.recordedSteps(crashed.workflowID) == ["create-account", "send-welcome"])
        await env.close()
    }
}
