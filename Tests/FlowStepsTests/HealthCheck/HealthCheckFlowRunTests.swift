import Foundation
import Testing
import FlowTestSupport

/// `flow run` of a pipeline whose `health-check` step checks a loopback service and hands its
/// outputs to the next step.
@Suite struct HealthCheckFlowRunTests {
    @Test func flowRunChecksTheServiceAndTheNextStepReadsTheOutputs() async throws {
        let server = try await HealthServer.shared()
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let key = healthKey()
        _ = try dir.write("p.yml", """
            name: deploy-check
            steps:
              health:
                uses: health-check
                with:
                  url: \(server.url("/ok?key=\(key)"))
                  expect:
                    status: 200
                    json: { data.count: 3 }
                  latency: { p95: 10s }
                  samples: 3
                  within: 30s
              report:
                needs: health
                run: echo "status=${{ steps.health.outputs.status }} attempts=${{ steps.health.outputs.attempts }} p95=${{ steps.health.outputs.latency-p95 }}"
            """)
        let r = try await runFlow(["run", "p.yml"], currentDirectory: dir.url)
        #expect(r.status == 0, "\(r.stdout)\(r.stderr)")
        #expect(try await server.count(key) == 3)
        let listed = try await runFlow(["runs", "--json"], currentDirectory: dir.url)
        let runs = try #require(try JSONSerialization.jsonObject(with: Data(listed.stdout.utf8)) as? [[String: Any]])
        let id = try #require(runs.first?["id"] as? String)
        let log = try await runFlow(["logs", id, "report"], currentDirectory: dir.url).stdout
        #expect(log.contains("status=200 attempts=1 p95="), "\(log)")
        let health = try await runFlow(["logs", id, "health"], currentDirectory: dir.url).stdout
        #expect(health.contains("3 requests, 200 ×3"), "\(health)")
    }
}
