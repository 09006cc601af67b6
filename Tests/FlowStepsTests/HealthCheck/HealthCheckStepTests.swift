import Foundation
import Testing
import FlowCore
import FlowEngine
import FlowSteps
import FlowTestSupport

/// `health-check` against a real loopback service: healthy at once, flapping, never healthy,
/// wrong JSON, missing text, a status out of range, too slow; every wait on the injected clock.
@Suite struct HealthCheckStepTests {
    func pipeline(_ with: String, extra: String = "") -> String {
        """
        name: health
        steps:
          health:
            uses: health-check
            with:
        \(with.split(separator: "\n", omittingEmptySubsequences: false).map { "      " + $0 }.joined(separator: "\n"))
        \(extra)
        """
    }

    @Test func aHealthyServiceIsHealthyOnTheFirstTry() async throws {
        let server = try await HealthServer.shared()
        let harness = try HealthHarness()
        defer { harness.remove() }
        let key = healthKey()
        let r = try await harness.run(pipeline("""
            url: \(server.url("/ok?key=\(key)"))
            expect:
              status: 200
              body-contains: '"status": "ok"'
              json:
                status: ok
                data.items[0].id: 7
                data.ready: true
                data["count"]: 3
              header:
                X-Service-Version: { contains: "1.4" }
                Content-Type: application/json
            within: 1m
            """))
        #expect(r.status == .succeeded, "\(r.error())\n\(r.log())")
        #expect(r.outputs()["attempts"] == "1")
        #expect(r.outputs()["status"] == "200")
        #expect(Int(r.outputs()["latency-p50"] ?? "") != nil && Int(r.outputs()["latency-p95"] ?? "") != nil)
        #expect(try await server.count(key) == 1)
        #expect(harness.clock.sleeps.isEmpty)
        #expect(r.log().contains("try 1 · GET \(server.url("/ok"))?…: 200 in "))
        #expect(r.log().contains("— healthy"))
    }

    @Test func aFlappingServiceIsHealthyOnTheFourthTryAfterBackoff() async throws {
        let server = try await HealthServer.shared()
        let harness = try HealthHarness()
        defer { harness.remove() }
        let key = healthKey()
        let r = try await harness.run(pipeline("""
            url: \(server.url("/flap?bad=3&key=\(key)"))
            within: 1m
            interval: 1s
            """))
        #expect(r.status == .succeeded, "\(r.error())\n\(r.log())")
        #expect(r.outputs()["attempts"] == "4")
        #expect(try await server.count(key) == 4)
        #expect(harness.clock.sleeps == [.seconds(1), .seconds(2), .seconds(4)])
        #expect(r.log().contains("try 1 · GET \(server.url("/flap"))?…: 503 in "))
        #expect(r.log().contains("unhealthy: status 503 is not 200-299"))
        #expect(r.log().contains("next try in 2s"))
        #expect(r.log().contains("try 4 · ") && r.log().contains("healthy after 4 tries"))
    }

    @Test func aServiceNeverHealthyFailsAtTheDeadlineWithTheLastReason() async throws {
        let server = try await HealthServer.shared()
        let harness = try HealthHarness()
        defer { harness.remove() }
        let key = healthKey()
        let r = try await harness.run(pipeline("""
            url: \(server.url("/status/500?key=\(key)"))
            within: 10s
            interval: 1s
            """))
        #expect(r.status == .failed)
        // Tries at 0, 1, 3 and 7 s, and a last one at the deadline (10 s): the wait is cut to what is left.
        #expect(try await server.count(key) == 5)
        #expect(harness.clock.sleeps == [.seconds(1), .seconds(2), .seconds(4), .seconds(3)])
        #expect(r.error().contains("not healthy within 10s (5 tries)"), "\(r.error())")
        #expect(r.error().contains("status 500 is not 200-299"))
        #expect(try r.step().attempts == 1)
    }

    @Test func withoutWithinAnUnhealthyServiceFailsAfterOneTry() async throws {
        let server = try await HealthServer.shared()
        let harness = try HealthHarness()
        defer { harness.remove() }
        let key = healthKey()
        let r = try await harness.run(pipeline("url: \(server.url("/flap?bad=1&key=\(key)"))"))
        #expect(r.status == .failed)
        #expect(try await server.count(key) == 1)
        #expect(harness.clock.sleeps.isEmpty)
        #expect(r.error().hasPrefix("unhealthy: GET "), "\(r.error())")
    }

    @Test func aWrongJSONValueNamesThePathAndWhatCameAndWhatWasWanted() async throws {
        let server = try await HealthServer.shared()
        let harness = try HealthHarness()
        defer { harness.remove() }
        let r = try await harness.run(pipeline("""
            url: \(server.url("/ok"))
            expect:
              json:
                data.items[0].id: "7"
                data.items[1].id: 8
                status: ok
            """))
        #expect(r.status == .failed)
        #expect(r.error().contains(#"json `data.items[0].id`: got 7 (a number), want "7" (a string)"#), "\(r.error())")
        #expect(r.error().contains("json `data.items[1].id`: `data.items` has 1 element, no [1]"))
        #expect(!r.error().contains("json `status`"))
    }

    @Test func aBodyWithoutTheTextIsUnhealthy() async throws {
        let server = try await HealthServer.shared()
        let harness = try HealthHarness()
        defer { harness.remove() }
        let r = try await harness.run(pipeline("""
            url: \(server.url("/text?body=warming-up"))
            expect: { body-contains: ready }
            """))
        #expect(r.status == .failed)
        #expect(r.error().contains(#"the body does not contain "ready" (it starts "warming-up")"#), "\(r.error())")
    }

    @Test func aStatusOutsideTheRangeIsUnhealthyAndAListAcceptsEachEntry() async throws {
        let server = try await HealthServer.shared()
        let harness = try HealthHarness()
        defer { harness.remove() }
        let r = try await harness.run("""
            name: statuses
            steps:
              range:
                uses: health-check
                with: { url: "\(server.url("/status/404"))", expect: { status: 200-299 } }
              listed:
                uses: health-check
                with: { url: "\(server.url("/status/204"))", expect: { status: [200, 204] } }
              ranged-list:
                uses: health-check
                with: { url: "\(server.url("/status/404"))", expect: { status: [200, 400-404] } }
            """)
        #expect(r.steps["range"]?.status == .failed)
        #expect(r.error("range").contains("status 404 is not 200-299"), "\(r.error("range"))")
        #expect(r.steps["listed"]?.status == .succeeded, "\(r.error("listed"))")
        #expect(r.outputs("listed")["status"] == "204")
        #expect(r.steps["ranged-list"]?.status == .succeeded, "\(r.error("ranged-list"))")
    }

    @Test func aServiceSlowerThanTheLatencyBoundIsUnhealthy() async throws {
        let server = try await HealthServer.shared()
        let harness = try HealthHarness()
        defer { harness.remove() }
        let slow = healthKey("slow")
        let fast = healthKey("fast")
        // The slow route takes 400 ms, eight times the bound; the fast bound is a hundred times
        // what a loopback request takes.
        let r = try await harness.run("""
            name: latency
            steps:
              slow:
                uses: health-check
                with: { url: "\(server.url("/slow?ms=400&key=\(slow)"))", latency: { max: 50ms }, samples: 2 }
              fast:
                uses: health-check
                with: { url: "\(server.url("/ok?key=\(fast)"))", latency: { p95: 5s } }
            """)
        #expect(r.steps["slow"]?.status == .failed)
        #expect(r.error("slow").contains("latency max "), "\(r.error("slow"))")
        #expect(r.error("slow").contains("is over the 50 ms bound (2 requests)"))
        #expect(try await server.count(slow) == 2)
        #expect(r.steps["fast"]?.status == .succeeded, "\(r.error("fast"))")
        #expect(try await server.count(fast) == 5, "samples default to 5 when `latency` is given")
        #expect(r.log("fast").contains("5 requests, 200 ×5, p50 "))
    }

    @Test func checksMustAllPassInOneTryAndStatusIsTheFirstChecks() async throws {
        let server = try await HealthServer.shared()
        let harness = try HealthHarness()
        defer { harness.remove() }
        let ok = healthKey("ok")
        let flap = healthKey("flap")
        let r = try await harness.run(pipeline("""
            expect: { status: 200 }
            checks:
              - url: \(server.url("/status/204?key=\(ok)"))
                name: liveness
                expect: { status: 204 }
              - url: \(server.url("/flap?bad=2&key=\(flap)"))
                name: readiness
            within: 30s
            interval: 1s
            """))
        #expect(r.status == .succeeded, "\(r.error())\n\(r.log())")
        #expect(r.outputs()["attempts"] == "3")
        #expect(r.outputs()["status"] == "204")
        #expect(try await server.count(ok) == 3)
        #expect(try await server.count(flap) == 3)
        #expect(r.log().contains("try 2 · readiness: 503"))
    }

    @Test func aRedirectToAnotherLoopbackPathIsFollowed() async throws {
        let server = try await HealthServer.shared()
        let harness = try HealthHarness()
        defer { harness.remove() }
        let key = healthKey()
        let target = server.url("/ok?key=\(key)").addingPercentEncoding(withAllowedCharacters: .alphanumerics)!
        let r = try await harness.run(pipeline("""
            url: \(server.url("/redirect?to=\(target)"))
            expect: { json: { status: ok } }
            timeout: 1m
            """))
        #expect(r.status == .succeeded, "\(r.error())\n\(r.log())")
        #expect(r.log().contains("200 in ") && r.log().contains("after 1 redirect"))
        #expect(try await server.count(key) == 1)
    }

    @Test func badInputsAreTerminalErrorsNamingTheInput() async throws {
        let server = try await HealthServer.shared()
        let harness = try HealthHarness()
        defer { harness.remove() }
        let r = try await harness.run("""
            name: bad
            steps:
              both:
                uses: health-check
                with: { url: "\(server.url("/ok"))", checks: [{ url: "\(server.url("/ok"))" }] }
              neither:
                uses: health-check
                with: { within: 1m }
              status:
                uses: health-check
                with: { url: "\(server.url("/ok"))", expect: { status: 2xx } }
              path:
                uses: health-check
                with: { checks: [{ url: "\(server.url("/ok"))", expect: { json: { "a..b": 1 } } }] }
              scheme:
                uses: health-check
                with: { url: "ftp://127.0.0.1/x" }
            """)
        for id in ["both", "neither", "status", "path", "scheme"] {
            #expect(r.steps[id]?.status == .failed, "\(id)")
            #expect(r.steps[id]?.attempts == 1, "\(id)")
        }
        #expect(r.error("both").contains("give either `url` (one check) or `checks` (several), not both"))
        #expect(r.error("neither").contains("needs `url`, or `checks`"))
        #expect(r.error("status").contains("input `expect.status`: `2xx` is not a status or a range"), "\(r.error("status"))")
        #expect(r.error("path").contains("input `checks[0].expect.json`: path `a..b`"), "\(r.error("path"))")
        #expect(r.error("scheme").contains("input `url`: `ftp://127.0.0.1/x` is not an http:// or https:// URL"))
    }

    @Test func validationRejectsAWrongKindOfInputBeforeTheRun() throws {
        let harness = try HealthHarness()
        defer { harness.remove() }
        #expect(throws: HarnessError.self) {
            try harness.engine.plan("""
                name: bad
                steps:
                  health:
                    uses: health-check
                    with: { url: "http://127.0.0.1/", within: soon, expect: { status: 200, bodycontains: x } }
                """)
        }
    }
}
