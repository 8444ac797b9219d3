import Foundation
import Steadfast
import SteadfastTesting
import Testing

@Suite("TestTracer with the testing kit")
struct TestTracerTests {
    @Test("a crashed run and its resume are one trace: the resume replays the first step and runs the second")
    func crashAndResumeTraced() async throws {
        let tracer = TestTracer()
        let env = try await SteadfastTestEnvironment.make(observability: Observability(tracer: tracer))
        let crashed = try await env.run(SignUp(), .init(email: "ada@example.com"),
                                        replacing: ["send-welcome": nil as String?], crashAfterStep: 1)
        let resumed = try await env.resume(SignUp(), id: crashed.workflowID, replacing: ["send-welcome": nil as String?])
        #expect(try resumed.output() == "acct-ada@example.com")

        let start = try #require(tracer.spans(named: "StartWorkflow SignUp").first)
        let runs = tracer.spans(named: "RunWorkflow SignUp")
        #expect(runs.count == 2)
        #expect(runs.allSatisfy { $0.traceID == start.traceID && $0.parentSpanID == start.spanID })
        let resumedSteps = tracer.spans.filter { $0.parentSpanID == runs.last?.spanID }
        #expect(resumedSteps.map(\.name) == ["Step create-account", "Step send-welcome"])
        #expect(resumedSteps.map { $0["steadfast.step.replayed"] } == ["true", "false"])
        await env.close()
    }
}
