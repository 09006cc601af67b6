import Foundation
import Testing
import FlowCore
import FlowEngine
@testable import FlowSteps

/// How `build` reads `image` and `tags`, and the labels it adds.
@Suite struct BuildNamingAndLabelTests {
    @Test func aBareTagGoesOnTheImagesRepositoryAndANameWithATagIsKept() throws {
        let names = try BuildImageName(image: "localhost:5000/team/fsdp:dev", tags: ["r-20261207", "other/name:v1", "dev"])
        #expect(names.primary == "localhost:5000/team/fsdp:dev")
        #expect(names.all == ["localhost:5000/team/fsdp:dev", "localhost:5000/team/fsdp:r-20261207", "other/name:v1"])
        #expect(try BuildImageName(image: "localhost:5000/fsdp", tags: []).primary == "localhost:5000/fsdp:latest")
    }

    @Test func badNamesAndTagsAreTerminalErrorsNamingTheInput() {
        for (image, tags, input) in [("Fsdp:dev", [String](), "image"), ("fsdp dev", [], "image"), ("fsdp:", [], "image"),
                                     ("fsdp:dev", ["-bad"], "tags"), ("fsdp:dev", ["a b"], "tags"), ("fsdp:dev", ["x/y"], "tags")] {
            do {
                _ = try BuildImageName(image: image, tags: tags)
                Issue.record("accepted \(image) \(tags)")
            } catch let error as StepError {
                #expect(error.kind == .terminal && error.message.hasPrefix(input + ":"), "\(error.message)")
            } catch { Issue.record("\(error)") }
        }
    }

    @Test func flowAddsTheOCILabelsAndTheRunIDAndUserLabelsMayReplaceOCIOnes() throws {
        let created = Date(timeIntervalSince1970: 1_796_601_600)
        let labels = try BuildLabels.make(runID: "r1", gitSHA: "abc123", created: created, source: "https://example.com/o/r.git",
                                          user: ["team": "ml", BuildLabels.source: "https://github.com/o/r"])
        #expect(labels == [
            "flow.run-id": "r1", "org.opencontainers.image.revision": "abc123", "org.opencontainers.image.created": "2026-12-07T00:00:00Z",
            "org.opencontainers.image.source": "https://github.com/o/r", "team": "ml",
        ])
        let bare = try BuildLabels.make(runID: "r1", gitSHA: nil, created: created, source: nil, user: [:])
        #expect(bare.keys.sorted() == ["flow.run-id", "org.opencontainers.image.created"])
    }

    @Test func aUserLabelInTheFlowNamespaceIsRefused() {
        #expect(throws: StepError.self) {
            try BuildLabels.make(runID: "r1", gitSHA: nil, created: Date(), source: nil, user: ["flow.run-id": "forged"])
        }
        #expect(throws: StepError.self) {
            try BuildLabels.make(runID: "r1", gitSHA: nil, created: Date(), source: nil, user: ["Flow.Anything": "x"])
        }
    }

    @Test func credentialsInTheRemoteURLNeverReachTheSourceLabel() {
        #expect(BuildLabels.publicSource("https://user:ghp_token@github.com/o/r.git\n") == "https://github.com/o/r.git")
        #expect(BuildLabels.publicSource("https://github.com/o/r") == "https://github.com/o/r")
        #expect(BuildLabels.publicSource("git@github.com:o/r.git") == "git@github.com:o/r.git")
        #expect(BuildLabels.publicSource("ssh://git@host:22/o/r") == "ssh://host:22/o/r")
        #expect(BuildLabels.publicSource("  ") == nil)
    }

    @Test func theHostBundleIsSSLCertFileFirstThenDebianThenRedHat() {
        let all: Set = ["/custom/ca.pem", "/etc/ssl/certs/ca-certificates.crt", "/etc/pki/tls/certs/ca-bundle.crt"]
        #expect(HostCABundle.find(environment: ["SSL_CERT_FILE": "/custom/ca.pem"], isFile: all.contains) == "/custom/ca.pem")
        #expect(HostCABundle.find(environment: ["SSL_CERT_FILE": "/missing"], isFile: all.contains) == "/etc/ssl/certs/ca-certificates.crt")
        #expect(HostCABundle.find(environment: [:], isFile: { $0 == "/etc/pki/tls/certs/ca-bundle.crt" }) == "/etc/pki/tls/certs/ca-bundle.crt")
        #expect(HostCABundle.find(environment: [:], isFile: { _ in false }) == nil)
    }
}
