import Foundation
import Testing
import FlowCore
import FlowEngine
import FlowTestSupport

/// What a step type is given: artifacts recorded with the run and masked, secrets learnt at
/// run time, captured process output, the log's tail, and other step types to run.
@Suite struct StepContextTests {
    /// A step type that exercises the context the way `analyze`, `push` and `autofix-retry` will.
    struct Probe: BuiltinStepType {
        struct Input: StepInputSchema {
            var token: String
            static let help: [String: InputHelp] = ["token": InputHelp("a value learnt at run time")]
        }
        static let name = "probe"
        static let summary = "exercises the step context"
        static let outputs = StepTypeSignature.Outputs.fixed([StepOutput("captured"), StepOutput("nested"), StepOutput("tail")])
        static let example = "p: { uses: probe, with: { token: x } }"

        func run(_ input: Input, context: StepContext) async throws -> StepOutcome {
            context.addSecret(input.token)
            context.log.note("the token is \(input.token)")
            let captured = try await context.captureProcess("sh", ["-c", "echo from-the-tool; echo to-stderr >&2"])
            try context.artifacts.keep("report.txt", kind: "text", bytes: Array("report with \(input.token) inside\n".utf8))
            let nested = try await context.runStep("shell", inputs: .object(["script": .string("echo nested-ran; echo out=7 >> \"$FLOW_OUTPUT\"")]))
            return StepOutcome(outputs: [
                "captured": captured.text.split(separator: "\n").joined(separator: ","),
                "nested": nested.outputs["out"] ?? "",
                "tail": context.log.tail(lines: 2).joined(separator: "|"),
            ])
        }
    }

    static var registry: StepRegistry {
        var registry = StepRegistry.builtins
        registry.register(Probe())
        return registry
    }

    @Test func aStepKeepsArtifactsLearnsSecretsCapturesOutputAndRunsAnotherType() async throws {
        let h = try EngineHarness()
        defer { h.directory.remove() }
        let outcome = try await h.run("name: p\nsteps:\n  p: { uses: probe, with: { token: hunter2-runtime-secret } }\n", registry: Self.registry)
        #expect(outcome.status == .succeeded)
        let outputs = try #require(outcome.steps["p"]?.outputs)
        #expect(outputs["captured"] == "from-the-tool,to-stderr")
        #expect(outputs["nested"] == "7")
        #expect(outputs["tail"]?.contains("nested-ran") == true)

        // The artifact: stored under the run's folder, masked, recorded with size and digest.
        let artifacts = try h.database.artifacts(of: outcome.runID)
        let artifact = try #require(artifacts.first)
        #expect(artifacts.count == 1 && artifact.name == "report.txt" && artifact.kind == "text" && artifact.stepId == "p" && artifact.attempt == 1)
        let stored = try String(contentsOfFile: artifact.path, encoding: .utf8)
        #expect(stored == "report with *** inside\n")
        #expect(artifact.size == stored.utf8.count)
        #expect(artifact.sha256 == SHA256.hex(Array(stored.utf8)))
        #expect(artifact.path.hasPrefix(h.statePath + "/" + outcome.runID + "/p/artifacts/attempt-1/"))

        // The secret learnt at run time never reaches the log.
        let log = try String(contentsOfFile: h.statePath + "/" + outcome.runID + "/p/attempt-1.log", encoding: .utf8)
        #expect(log.contains("the token is ***"))
        #expect(!log.contains("hunter2-runtime-secret"))
    }

    @Test func sha256MatchesTheNISTVectors() {
        #expect(SHA256.hex(Array("".utf8)) == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        #expect(SHA256.hex(Array("abc".utf8)) == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        #expect(SHA256.hex(Array("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq".utf8))
                == "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1")
        #expect(SHA256.hex([UInt8](repeating: 0x61, count: 1_000_000)) == "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0")
        var chunked = SHA256()
        for _ in 0..<1000 { chunked.update([UInt8](repeating: 0x61, count: 1000)) }
        #expect(chunked.finalizeHex() == "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0")
    }

    /// The padding's edges (Python's hashlib as the reference), and the same bytes fed in pieces
    /// of every size across block edges, contiguous or not, hash the same.
    @Test func sha256AtBlockEdgesAndInPiecesOfEverySize() {
        let edges = [55: "9f4390f8d30c2dd92ec9f095b65e2b9ae9b0a925a5258e241c9f1e910f734318",
                     56: "b35439a4ac6f0948b6d6f9e3c6af0f5f590ce20f1bde7090ef7970686ec6738a",
                     63: "7d3e74a05d7db15bce4ad9ec0658ea98e3f06eeecf16b4c6fff2da457ddc2f34",
                     64: "ffe054fe7ae0cb6dc65c3af9b61d5209f439851db43d0ba5997337df154668eb",
                     119: "31eba51c313a5c08226adf18d4a359cfdfd8d2e816b13f4af952f7ea6584dcfb",
                     120: "2f3d335432c70b580af0e8e1b3674a7c020d683aa5f73aaaedfdc55af904c21c"]
        for (count, digest) in edges { #expect(SHA256.hex([UInt8](repeating: 0x61, count: count)) == digest, "\(count)") }
        let data = (0..<5000).map { UInt8(($0 * 7 + 3) % 256) }
        let expected = "34398b85297bf7d9dfb59b8d511d8bbb44ab23e891570e4395e7871475fc8afb"
        #expect(SHA256.hex(data) == expected)
        for piece in 1...130 {
            var contiguous = SHA256(), lazy = SHA256()
            for start in stride(from: 0, to: data.count, by: piece) {
                let slice = data[start..<min(start + piece, data.count)]
                contiguous.update(slice)
                lazy.update(slice.lazy.map { $0 })
            }
            #expect(contiguous.finalizeHex() == expected, "pieces of \(piece)")
            #expect(lazy.finalizeHex() == expected, "pieces of \(piece), not contiguous")
        }
    }
}
