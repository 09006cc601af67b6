import Foundation
import Testing
import FlowCore
import FlowEngine
import FlowSteps
import FlowTestSupport

/// TLS verification (on unless `insecure: true` says otherwise for that check, which the log
/// says) and credentials in headers (never in the log or the database, even when the service
/// echoes them into the body that a failure message quotes).
@Suite struct HealthCheckTLSAndSecretTests {
    @Test func aSelfSignedCertificateFailsUnlessTheCheckIsInsecure() async throws {
        let server = try await HealthServer.start(tls: true)
        defer { server.stop() }
        let harness = try HealthHarness()
        defer { harness.remove() }
        let r = try await harness.run("""
            name: tls
            steps:
              verified:
                uses: health-check
                with: { url: "\(server.url("/ok"))" }
              insecure:
                uses: health-check
                with:
                  checks:
                    - url: \(server.url("/ok"))
                      insecure: true
                      expect: { json: { status: ok } }
            """)
        #expect(r.steps["verified"]?.status == .failed)
        #expect(r.error("verified").contains("TLS: "), "\(r.error("verified"))")
        #expect(!r.log("verified").contains("TLS verification is off"))
        #expect(r.steps["insecure"]?.status == .succeeded, "\(r.error("insecure"))")
        #expect(r.log("insecure").contains("TLS verification is off for GET \(server.url("/ok")) (`insecure: true`)"))
        #expect(r.outputs("insecure")["status"] == "200")
    }

    @Test func aSecretHeaderNeverReachesTheLogOrTheDatabase() async throws {
        let server = try await HealthServer.shared()
        let harness = try HealthHarness()
        defer { harness.remove() }
        let token = "tok-" + UUID().uuidString
        let apiKey = "key-" + UUID().uuidString
        // /echo sends the request's headers back; the failing JSON expectation quotes them.
        let r = try await harness.run("""
            name: secret
            secrets: [HEALTH_TOKEN]
            steps:
              health:
                uses: health-check
                with:
                  url: \(server.url("/echo"))
                  headers:
                    Authorization: "Bearer ${{ env.HEALTH_TOKEN }}"
                  expect:
                    json:
                      headers.Authorization: nobody
              literal:
                uses: health-check
                with:
                  url: \(server.url("/echo"))
                  headers: { X-Api-Key: "\(apiKey)" }
                  expect:
                    json:
                      headers.X-Api-Key: nobody
            """, environment: ["HEALTH_TOKEN": token])
        #expect(r.status == .failed)
        #expect(r.error().contains("json `headers.Authorization`: got"), "\(r.error())")
        #expect(!r.error().contains(token) && !r.log().contains(token))
        #expect(!harness.stateHolds(token), "the token is in the state directory")
        #expect(r.error("literal").contains("json `headers.X-Api-Key`: got"), "\(r.error("literal"))")
        #expect(!r.error("literal").contains(apiKey) && !r.log("literal").contains(apiKey))
    }
}
