import Foundation
import Testing
import FlowCore
import FlowEngine
import FlowHTTP
import FlowSteps
import FlowTestSupport

/// `push` against Debian's docker-registry on loopback: with basic auth, without auth, over
/// TLS with the test's CA and with `insecure: true`; every tag read back and compared with the
/// digest buildah wrote; a wrong password ends the step at once and is nowhere in the state.
@Suite(.serialized) struct PushRegistryTests {
    @Test func pushesWithBasicAuthAndEveryTagReadsBackAsTheDigestPushed() async throws {
        let registry = try await LocalService.shared("registry")
        let image = try await TestImage.make()
        let h = try PushHarness()
        defer { h.remove() }
        let repository = "flow-test/basic-\(UUID().uuidString.prefix(8).lowercased())"
        let password = try registry.value("FLOW_REGISTRY_PASSWORD")
        let result = try await h.run("""
            name: p
            secrets: [REG_PASSWORD]
            steps:
              push:
                uses: push
                with:
                  image: \(image.name)
                  registry: \(try registry.value("FLOW_REGISTRY"))
                  repository: \(repository)
                  tags: [v1, latest, git-sha]
                  username: flow
                  password: ${{ env.REG_PASSWORD }}
                  insecure: true
            """, environment: ["REG_PASSWORD": password], gitSHA: "0123456789abcdef0123456789abcdef01234567")
        await image.remove()
        #expect(result.status == .succeeded, "\(result.log)")
        #expect(result.outputs["tags"] == "v1,latest,0123456,sha-0123456")
        #expect(result.outputs["uri"] == "\(registry.address)/\(repository):v1")
        let digest = try #require(result.outputs["digest"])
        #expect(result.outputs["ref"] == "\(registry.address)/\(repository)@\(digest)")
        #expect(result.log.contains("TLS verification is off for \(registry.address)"))

        // Read back independently: every tag serves a manifest whose sha256 is the digest, and
        // its config is the image id buildah gave the build.
        for tag in ["v1", "latest", "0123456", "sha-0123456"] {
            let body = try await Self.manifest(registry.address, repository, tag, user: "flow", password: password)
            #expect("sha256:" + SHA256.hex(Array(body)) == digest)
            let config = try #require((try JSONSerialization.jsonObject(with: body) as? [String: Any])?["config"] as? [String: Any])
            #expect(config["digest"] as? String == image.id)
        }
        #expect(!h.stateHolds(password))
    }

    @Test func aWrongPasswordIsATerminalErrorAndTheStateNeverHoldsIt() async throws {
        let registry = try await LocalService.shared("registry")
        let image = try await TestImage.make()
        let h = try PushHarness()
        defer { h.remove() }
        let wrong = "wrong-\(UUID().uuidString)"
        let result = try await h.run("""
            name: p
            steps:
              push:
                uses: push
                retry: { attempts: 3, backoff: { initial: 1s } }
                with:
                  image: \(image.name)
                  registry: \(try registry.value("FLOW_REGISTRY"))
                  repository: flow-test/wrong
                  username: flow
                  password: \(wrong)
                  insecure: true
            """)
        await image.remove()
        #expect(result.status == .failed)
        #expect(result.step.attempts == 1, "a refused login is not retried")
        #expect(result.step.error?.contains("refused the login") == true, "\(result.step.error ?? "")")
        #expect(!h.stateHolds(wrong), "the password reached the database, a log or an artifact")
        #expect(!result.log.contains(wrong))
    }

    @Test func pushesToARegistryWithoutAuth() async throws {
        let registry = try await LocalService.shared("registry-open")
        let image = try await TestImage.make()
        let h = try PushHarness()
        defer { h.remove() }
        let result = try await h.run("""
            name: p
            steps:
              push:
                uses: push
                with: { image: \(image.name), registry: \(try registry.value("FLOW_REGISTRY_OPEN")), insecure: true }
            """)
        await image.remove()
        #expect(result.status == .succeeded, "\(result.log)")
        // Defaults: the image's own name and tag.
        let repository = String(image.name.dropFirst("localhost/".count).dropLast(2))
        #expect(result.outputs["uri"] == "\(registry.address)/\(repository):t")
        #expect(result.outputs["tags"] == "t")
    }

    @Test func pushesOverTLSTrustingTheGivenCA() async throws {
        let registry = try await LocalService.shared("registry-tls")
        let image = try await TestImage.make()
        let h = try PushHarness()
        defer { h.remove() }
        let result = try await h.run("""
            name: p
            steps:
              push:
                uses: push
                with:
                  image: \(image.name)
                  registry: \(try registry.value("FLOW_REGISTRY_TLS"))
                  repository: flow-test/tls
                  tags: [ca]
                  username: flow
                  password: \(try registry.value("FLOW_REGISTRY_TLS_PASSWORD"))
                  ca-cert: \(try registry.value("FLOW_REGISTRY_TLS_CA"))
            """)
        await image.remove()
        #expect(result.status == .succeeded, "\(result.log)")
        #expect(!result.log.contains("TLS verification is off"))
        #expect(result.outputs["digest"]?.hasPrefix("sha256:") == true)
    }

    @Test func insecureAcceptsTheSelfSignedCertificateAndWithoutItThePushFailsSayingSo() async throws {
        let registry = try await LocalService.shared("registry-tls")
        let image = try await TestImage.make()
        let h = try PushHarness()
        defer { h.remove() }
        func pipeline(insecure: Bool) throws -> String {
            """
            name: p
            steps:
              push:
                uses: push
                with:
                  image: \(image.name)
                  registry: \(try registry.value("FLOW_REGISTRY_TLS"))
                  repository: flow-test/tls-insecure
                  username: flow
                  password: \(try registry.value("FLOW_REGISTRY_TLS_PASSWORD"))
                  insecure: \(insecure)
            """
        }
        let insecure = try await h.run(try pipeline(insecure: true))
        let verified = try await h.run(try pipeline(insecure: false))
        await image.remove()
        #expect(insecure.status == .succeeded, "\(insecure.log)")
        #expect(insecure.log.contains("TLS verification is off"))
        #expect(verified.status == .failed)
        #expect(verified.step.error?.contains("certificate is not trusted") == true, "\(verified.step.error ?? "")")
    }

    @Test func aManifestWhoseDigestIsNotThePushedOneFailsVerification() async throws {
        let registry = try await LocalService.shared("registry")
        let image = try await TestImage.make()
        let h = try PushHarness()
        defer { h.remove() }
        let password = try registry.value("FLOW_REGISTRY_PASSWORD")
        let pushed = try await h.run("""
            name: p
            steps:
              push:
                uses: push
                with: { image: \(image.name), registry: \(registry.address), repository: flow-test/mismatch, tags: [x],
                        username: flow, password: \(password), insecure: true }
            """)
        await image.remove()
        let digest = try #require(pushed.outputs["digest"])
        let body = try await Self.manifest(registry.address, "flow-test/mismatch", "x", user: "flow", password: password)
        // The real response passes against the digest pushed and fails against any other.
        let passed = try ManifestVerification.check(body: body, headerDigest: digest, expected: digest, tag: "x")
        #expect(passed.digest == digest)
        let wrong = "sha256:" + String(repeating: "0", count: 64)
        #expect(throws: VerificationProblem.self) {
            try ManifestVerification.check(body: body, headerDigest: nil, expected: wrong, tag: "x")
        }
        #expect(throws: VerificationProblem.self) {
            try ManifestVerification.check(body: body, headerDigest: wrong, expected: digest, tag: "x")
        }
    }

    /// The manifest of `repository:tag`, read with curl's own client (not flow's).
    static func manifest(_ address: String, _ repository: String, _ tag: String, user: String, password: String) async throws -> Data {
        let accept = ManifestVerification.acceptedTypes.joined(separator: ", ")
        let client = HTTPClient(transport: CurlTransport(environment: [:]), clock: SystemTestClock(), retry: .never)
        var headers = HTTPHeaders()
        headers.set("Accept", accept)
        headers.set("Authorization", "Basic " + Data("\(user):\(password)".utf8).base64EncodedString())
        let response = try await client.send(HTTPRequest(url: "http://\(address)/v2/\(repository)/manifests/\(tag)", headers: headers))
        try #require(response.status == 200, "GET manifest: \(response.status) \(response.text)")
        return response.body
    }
}
