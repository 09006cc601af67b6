import Foundation
import Testing
import FlowCore
import FlowEngine
import FlowHTTP
@testable import FlowSteps
import FlowTestSupport

/// Cloud metadata addresses: refused by URL host in every spelling, after a redirect, and by the
/// address a name resolves to (the transport's guard: `HTTPDestinationGuardTests` shows a name
/// refused by its resolved address; no name resolves to 169.254.169.254 offline), unless
/// `allow-metadata` says otherwise. A refused request never leaves this machine.
@Suite struct HealthCheckMetadataTests {
    @Test func aRedirectToTheMetadataAddressIsRefusedAtOnce() async throws {
        let server = try await HealthServer.shared()
        let harness = try HealthHarness()
        defer { harness.remove() }
        let key = healthKey()
        let r = try await harness.run("""
            name: metadata
            steps:
              health:
                uses: health-check
                with:
                  url: \(server.url("/redirect?key=\(key)&to=http%3A%2F%2F169.254.169.254%2Flatest%2Fmeta-data%2Fiam%2F"))
                  within: 5m
            """)
        #expect(r.status == .failed)
        // Refused before the hop: the error is the guard's, not a connection's; no second try.
        #expect(r.error().contains("refused: redirect 1 (302) to http://169.254.169.254/latest/meta-data/iam/: 169.254.169.254 is a cloud metadata address"),
                "\(r.error())")
        #expect(r.error().contains("set `allow-metadata: true` on the check to allow it"))
        #expect(try await server.count(key) == 1)
        #expect(harness.clock.sleeps.isEmpty)
        #expect(try r.step().attempts == 1)
        #expect(r.log().contains("— refused: redirect 1 (302)"))
    }

    @Test func everySpellingOfAMetadataAddressIsRefusedBeforeAnyRequest() async throws {
        let harness = try HealthHarness()
        defer { harness.remove() }
        let urls = [
            "http://169.254.169.254/latest/meta-data/",
            "http://2852039166/latest/meta-data/",              // one decimal number
            "http://0xa9fea9fe/latest/meta-data/",              // hexadecimal
            "http://0251.0376.0251.0376/latest/meta-data/",     // octal parts
            "http://169.254.43518/latest/meta-data/",           // a.b.c with a 16-bit last part
            "http://[::ffff:169.254.169.254]/latest/meta-data/", // IPv4-mapped IPv6
            "http://[::ffff:a9fe:a9fe]/latest/meta-data/",
            "http://[fd00:ec2::254]/latest/meta-data/",
            "http://[FD00:EC2:0::254]:80/latest/meta-data/",
            "http://169.254.170.2/v2/credentials/x",            // ECS task credentials
            "http://user@169.254.169.254./latest/",              // user information, trailing dot
        ]
        let steps = urls.enumerated().map { i, url in
            "  m\(i):\n    uses: health-check\n    with: { url: \"\(url)\", timeout: 2s }"
        }.joined(separator: "\n")
        let r = try await harness.run("name: metadata\nsteps:\n" + steps)
        for (i, url) in urls.enumerated() {
            #expect(r.steps["m\(i)"]?.status == .failed, "\(url)")
            #expect(r.error("m\(i)").contains("is a cloud metadata address"), "\(url): \(r.error("m\(i)"))")
            #expect(r.log("m\(i)").contains("no response — refused:"), "\(url): \(r.log("m\(i)"))")
        }
    }

    @Test func metadataAddressesAreKnownInEverySpellingAndOthersAreNot() {
        for text in ["169.254.169.254", "2852039166", "0xA9FEA9FE", "[::ffff:169.254.169.254]", "::ffff:a9fe:a9fe",
                     "64:ff9b::a9fe:a9fe", "::169.254.169.254", "fd00:ec2::254", "fd00:ec2:0:0:0:0:0:254", "fd00:ec2::254%eth0",
                     "169.254.170.2", "169.254.170.23", "fd00:ec2::23"] {
            #expect(CloudMetadata.reason(forAddress: text) != nil, "\(text)")
        }
        for text in ["127.0.0.1", "169.254.169.253", "10.0.0.1", "::1", "fd00:ec2::253", "example.com", "fe80::1%eth0", ""] {
            #expect(CloudMetadata.reason(forAddress: text) == nil, "\(text)")
        }
        #expect(CloudMetadata.reason(forURL: "https://a:b@[fd00:ec2::254]:8443/x?y") != nil)
        #expect(CloudMetadata.reason(forURL: "http://169.254.169.254.example.com/") == nil)
    }

    @Test func allowMetadataSendsTheRequestWithoutTheGuard() throws {
        let allowed = try HealthCheck.checks(from: input(["url": "http://169.254.169.254/", "allow-metadata": true]))
        #expect(HealthProbe(check: allowed[0], transport: CurlTransport(environment: [:])).request().destinationGuard == nil)
        let refused = try HealthCheck.checks(from: input(["url": "http://127.0.0.1/"]))
        let guarded = try #require(HealthProbe(check: refused[0], transport: CurlTransport(environment: [:])).request().destinationGuard)
        #expect(guarded.url("http://2852039166/") != nil && guarded.address("169.254.169.254") != nil)
        #expect(guarded.url("http://127.0.0.1/") == nil && guarded.address("127.0.0.1") == nil)
    }

    @Test func allowMetadataStillFollowsRedirectsElsewhere() async throws {
        let server = try await HealthServer.shared()
        let harness = try HealthHarness()
        defer { harness.remove() }
        let key = healthKey()
        let target = server.url("/ok?key=\(key)").addingPercentEncoding(withAllowedCharacters: .alphanumerics)!
        let r = try await harness.run("""
            name: allowed
            steps:
              health:
                uses: health-check
                with: { url: "\(server.url("/redirect?to=\(target)"))", allow-metadata: true, timeout: 1m }
            """)
        #expect(r.status == .succeeded, "\(r.error())")
        #expect(r.log().contains("cloud metadata addresses are allowed for GET"))
        #expect(r.log().contains("after 1 redirect"))
        #expect(try await server.count(key) == 1)
    }

    func input(_ values: [String: Any]) throws -> HealthCheckInput {
        var all = values
        all["interval"] = all["interval"] ?? "5s"
        all["max-interval"] = all["max-interval"] ?? "1m"
        return try JSONDecoder().decode(HealthCheckInput.self, from: JSONSerialization.data(withJSONObject: all))
    }
}
