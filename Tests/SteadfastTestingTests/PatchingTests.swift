import Foundation
import Steadfast
import SteadfastTesting
import Testing

/// The same workflow ("Shipment") in three versions of its code.
struct ShipmentV1: Workflow {
    static let name = "Shipment"
    func run(_ input: Int, context: WorkflowContext) async throws -> String {
        let reserved: String = try await context.step("reserve") { "reserved \(input)" }
        let charged: String = try await context.step("charge") { "charged" }
        return try await context.step("ship") { "\(reserved), \(charged), shipped" }
    }
}

/// Adds a label step between reserve and charge, behind a patch.
struct ShipmentV2: Workflow {
    static let name = "Shipment"
    func run(_ input: Int, context: WorkflowContext) async throws -> String {
        let reserved: String = try await context.step("reserve") { "reserved \(input)" }
        var label = ""
        if try await context.patched("print-label") {
            label = try await context.step("print-label") { ", labelled" }
        }
        let charged: String = try await context.step("charge") { "charged" }
        return try await context.step("ship") { "\(reserved)\(label), \(charged), shipped" }
    }
}

/// The old branch removed: the label step always runs; the patch deprecated.
struct ShipmentV3: Workflow {
    static let name = "Shipment"
    func run(_ input: Int, context: WorkflowContext) async throws -> String {
        let reserved: String = try await context.step("reserve") { "reserved \(input)" }
        try await context.deprecatePatch("print-label")
        let label: String = try await context.step("print-label") { ", labelled" }
        let charged: String = try await context.step("charge") { "charged" }
        return try await context.step("ship") { "\(reserved)\(label), \(charged), shipped" }
    }
}

@Suite("Patching workflow code")
struct PatchingTests {
    @Test("a workflow past the patch point under the old code replays under the new code without the new step and completes")
    func oldWorkflowSkipsTheNewStep() async throws {
        let env = try await SteadfastTestEnvironment.make()
        let crashed = try await env.run(ShipmentV1(), 1, crashAfterStep: 2)
        #expect(crashed.executedSteps == ["reserve", "charge"])
        let resumed = try await env.resume(ShipmentV2(), id: crashed.workflowID)
        #expect(try resumed.output() == "reserved 1, charged, shipped")
        #expect(resumed.replayedSteps == ["reserve", "charge"])
        #expect(try await env.recordedSteps(crashed.workflowID) == ["reserve", "charge", "ship"], "no marker, no label")
        await env.close()
    }

    @Test("a fresh workflow runs the new step, and its replays keep taking the new path (the marker)")
    func freshWorkflowRunsTheNewStep() async throws {
        let env = try await SteadfastTestEnvironment.make()
        let fresh = try await env.run(ShipmentV2(), 2)
        #expect(try fresh.output() == "reserved 2, labelled, charged, shipped")
        #expect(try await env.recordedSteps(fresh.workflowID) == ["reserve", "patch:print-label", "print-label", "charge", "ship"])

        // Crashed right after the marker: the replay answers true again and runs the label.
        let crashed = try await env.run(ShipmentV2(), 3, crashAfterStep: 2)
        #expect(crashed.executedSteps == ["reserve", "patch:print-label"])
        let resumed = try await env.resume(ShipmentV2(), id: crashed.workflowID)
        #expect(try resumed.output() == "reserved 3, labelled, charged, shipped")
        #expect(resumed.replayedSteps == ["reserve", "patch:print-label"])
        await env.close()
    }

    @Test("deprecatePatch: a workflow with the marker replays under code without the old branch; a new one records no marker")
    func deprecated() async throws {
        let env = try await SteadfastTestEnvironment.make()
        let crashed = try await env.run(ShipmentV2(), 4, crashAfterStep: 3)
        #expect(crashed.executedSteps == ["reserve", "patch:print-label", "print-label"])
        let resumed = try await env.resume(ShipmentV3(), id: crashed.workflowID)
        #expect(try resumed.output() == "reserved 4, labelled, charged, shipped")
        let fresh = try await env.run(ShipmentV3(), 5)
        #expect(try await env.recordedSteps(fresh.workflowID) == ["reserve", "print-label", "charge", "ship"])
        await env.close()
    }
}
