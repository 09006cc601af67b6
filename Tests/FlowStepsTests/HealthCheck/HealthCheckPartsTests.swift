import Foundation
import Testing
import FlowCore
@testable import FlowSteps

/// The parts a check is made of: JSON paths, typed comparison, statuses, percentiles.
@Suite struct HealthCheckPartsTests {
    let document = JSONValue.parse(Data(#"{"status":"ok","data":{"items":[{"id":7}],"n":null},"a.b":{"c":true},"list":[1,"1"]}"#.utf8))!

    @Test func pathsReadKeysIndexesAndQuotedKeys() throws {
        #expect(try JSONPath("status").value(in: document).get() == .string("ok"))
        #expect(try JSONPath("data.items[0].id").value(in: document).get() == .number(7))
        #expect(try JSONPath(#"["a.b"].c"#).value(in: document).get() == .bool(true))
        #expect(try JSONPath("list[1]").value(in: document).get() == .string("1"))
        #expect(try JSONPath("data.n").value(in: document).get() == .null)
        #expect(try JSONPath("[0]").value(in: .array([.number(1)])).get() == .number(1))
    }

    @Test func aMissingValueSaysWhichPartIsMissing() throws {
        #expect(try problem("data.items[2]") == "`data.items` has 1 element, no [2]")
        #expect(try problem("data.missing") == "`data` has no key `missing`")
        #expect(try problem("status.x") == "`status` is a string, not an object, so it has no key `x`")
        #expect(try problem("data[0]") == "`data` is an object, not a list, so it has no element [0]")
    }

    @Test func malformedPathsAreRefused() {
        for text in ["", "a..b", ".a", "a.", "a[x]", "a[0]b", #"a["b"#, "a[-1]"] {
            #expect(throws: JSONPath.Problem.self, "\(text)") { try JSONPath(text) }
        }
    }

    @Test func valuesCompareWithTheirType() {
        #expect(JSONValue.number(7) != .string("7"))
        #expect(JSONValue.bool(true) != .number(1))
        #expect(JSONValue.number(7) == .number(7.0))
        #expect(JSONValue.parse(Data("[1, true]".utf8)) == .array([.number(1), .bool(true)]))
    }

    @Test func statusesAreNumbersListsAndRanges() throws {
        #expect(try StatusExpectation(["200"]).ranges().get() == [200...200])
        #expect(try StatusExpectation(["200", "300-399"]).ranges().get() == [200...200, 300...399])
        for bad in ["2xx", "299-200", "99", "600", "200-", ""] {
            #expect(throws: JSONPath.Problem.self, "\(bad)") { try StatusExpectation([bad]).ranges().get() }
        }
    }

    @Test func percentilesAreNearestRank() throws {
        let summary = try #require(LatencySummary([5, 1, 4, 2, 3]))
        #expect(summary.p50 == 3 && summary.p95 == 5 && summary.max == 5 && summary.count == 5)
        let twenty = try #require(LatencySummary((1...20).map(Double.init)))
        #expect(twenty.p50 == 10 && twenty.p95 == 19)
        #expect(LatencySummary([]) == nil)
    }

    @Test func credentialHeadersAreRecognised() {
        for name in ["Authorization", "proxy-authorization", "Cookie", "X-Api-Key", "X-Auth-Token", "X-Session-Id"] {
            #expect(HealthCheck.isCredential(name), "\(name)")
        }
        for name in ["Accept", "Content-Type", "User-Agent", "X-Request-Id"] { #expect(!HealthCheck.isCredential(name), "\(name)") }
    }

    @Test func everyHelpEntryNamesAnInput() {
        #expect(InputSchema.unmatchedHelp(of: HealthCheckInput.self) == [])
        #expect(InputSchema.unmatchedHelp(of: HealthCheckSpec.self) == [])
        #expect(InputSchema.unmatchedHelp(of: HealthExpect.self) == [])
        #expect(InputSchema.unmatchedHelp(of: LatencyBounds.self) == [])
        let names = HealthCheckStep().signature.inputs.map(\.name)
        #expect(names == ["url", "checks", "method", "headers", "body", "expect", "latency", "samples", "insecure", "allow-metadata",
                          "timeout", "within", "interval", "max-interval"])
    }

    func problem(_ path: String) throws -> String {
        switch try JSONPath(path).value(in: document) {
        case .success(let value): return "found \(value)"
        case .failure(let why): return why.description
        }
    }
}
