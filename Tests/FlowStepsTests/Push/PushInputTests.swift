import Foundation
import Testing
import FlowCore
import FlowEngine
import FlowSteps
import FlowTestSupport

/// Inputs that do not fit together end the step at once, before any engine or network call,
/// with a message naming the input.
@Suite struct PushInputTests {
    func failure(_ with: String) async throws -> String {
        let h = try PushHarness()
        defer { h.remove() }
        let result = try await h.run("name: p\nsteps:\n  push:\n    uses: push\n    with: \(with)\n")
        #expect(result.status == .failed)
        #expect(result.step.attempts == 1)
        return result.step.error ?? ""
    }

    @Test func aHalfGivenLoginIsRefused() async throws {
        #expect(try await failure("{ image: localhost/x:t, registry: r.example.com, username: ci }").contains("input `password`"))
        #expect(try await failure("{ image: localhost/x:t, registry: r.example.com, password: p }").contains("input `username`"))
    }

    @Test func ecrOnlyInputsWithoutECRAreRefused() async throws {
        #expect(try await failure("{ image: localhost/x:t, registry: r.example.com, registry-endpoint: \"127.0.0.1:5000\" }")
            .contains("input `registry-endpoint`"))
        #expect(try await failure("{ image: localhost/x:t, registry: r.example.com, account: \"123456789012\" }").contains("input `account`"))
        // An empty endpoint (an expression that chose none) is no endpoint.
        let empty = try await failure("{ image: localhost/flow-test/absent:t, registry: r.example.com, registry-endpoint: \"\" }")
        #expect(!empty.contains("registry-endpoint"), "\(empty)")
    }

    @Test func aRegistryWithASchemeOrNoRegistryAtAllIsRefused() async throws {
        #expect(try await failure("{ image: localhost/x:t, registry: \"https://r.example.com\" }").contains("is not `host[:port]`"))
        #expect(try await failure("{ image: localhost/x:t }").contains("input `registry`: no registry to push to"))
        #expect(try await failure("{ image: localhost/x:t, registry: r.example.com, repository: Upper/Case }").contains("input `repository`"))
    }
}
