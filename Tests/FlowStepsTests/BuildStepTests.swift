import Foundation
import Testing
import FlowCore
import FlowEngine
import FlowSystem
import FlowTestSupport
@testable import FlowSteps

/// `build` on real buildah (the only engine that runs here; docker's and podman's command lines
/// are checked in `BuildCommandLineTests`), against the local base image.
@Suite(.serialized) struct BuildStepTests {
    @Test func aMappedBaseBuildsWithOCILabelsAndTheDigestIsTheImageID() async throws {
        try BuildTesting.requireBaseImage()
        let h = try EngineHarness()
        defer { h.directory.remove() }
        let image = BuildTesting.uniqueImage()
        defer { BuildTesting.remove([image]) }
        try BuildTesting.context(h.directory, ["Dockerfile": "FROM python:3.11-slim\nRUN python3 -c 'print(\"python-ran\")'\n"])
        let outcome = try await h.run("""
            name: b
            images: { "python:3.11-slim": "\(BuildTesting.baseImage)" }
            steps:
              image: { uses: build, with: { context: ctx, image: "\(image)", labels: { team: ml } } }
            """, gitSHA: BuildTesting.gitSHA)
        let log = BuildTesting.log(h, outcome, "image")
        #expect(outcome.status == .succeeded, "\(log)")
        let outputs = try BuildTesting.outputs(outcome, "image")
        #expect(outputs["image"] == image)
        #expect(outputs["engine"] == "buildah")
        let digest = try #require(outputs["digest"])
        #expect(digest.hasPrefix("sha256:") && digest.count == 71)
        #expect((Int(outputs["size"] ?? "") ?? 0) > 1_000_000)
        #expect(log.contains("python:3.11-slim → \(BuildTesting.baseImage)"))
        #expect(log.contains("python-ran"))

        let inspection = try #require(try BuildTesting.inspect(image))
        #expect("sha256:" + (inspection["FromImageID"] as? String ?? "") == digest)
        let labels = BuildTesting.config(inspection)["Labels"] as? [String: String] ?? [:]
        #expect(labels["org.opencontainers.image.revision"] == "0123456789abcdef0123456789abcdef01234567")
        #expect(labels["flow.run-id"] == outcome.runID)
        #expect(labels["team"] == "ml")
        let created = try #require(labels["org.opencontainers.image.created"])
        #expect(ISO8601DateFormatter().date(from: created) != nil)
    }

    @Test func aBaseThatCannotBePulledFailsWithTheEnginesErrorInTheLog() async throws {
        let h = try EngineHarness()
        defer { h.directory.remove() }
        let image = BuildTesting.uniqueImage()
        try BuildTesting.context(h.directory, ["Dockerfile": "FROM 127.0.0.1:9/flow-test/nothing:1\nRUN true\n"])
        for pull in ["never", "missing"] {
            let outcome = try await h.run("""
                name: b
                images: { "python:3.11-slim": "\(BuildTesting.baseImage)" }
                steps:
                  image: { uses: build, retry: { attempts: 1 }, with: { context: ctx, image: "\(image)", pull: \(pull) } }
                """, gitSHA: BuildTesting.gitSHA)
            let log = BuildTesting.log(h, outcome, "image")
            #expect(outcome.status == .failed)
            #expect(log.contains("127.0.0.1:9/flow-test/nothing"), "\(log)")
            #expect(BuildTesting.error(h, outcome, "image").contains("buildah build failed (exit code"), "\(BuildTesting.error(h, outcome, "image"))")
        }
        #expect(try !BuildTesting.imageNames().contains(image))
    }

    /// buildah keeps the working container of a failed `RUN` unless built with `--force-rm`;
    /// the step passes it, so a failed build (an autofix round, say) leaves no container behind.
    @Test func aFailedRunLeavesNoWorkingContainer() async throws {
        let h = try EngineHarness()
        defer { h.directory.remove() }
        let marker = "flow-test-\(UUID().uuidString.lowercased())"
        try BuildTesting.context(h.directory, ["Dockerfile": "FROM python:3.11-slim\nRUN echo \(marker) > /marker\nRUN false\n"])
        let outcome = try await h.run("""
            name: b
            images: { "python:3.11-slim": "\(BuildTesting.baseImage)" }
            steps:
              image: { uses: build, retry: { attempts: 1 }, with: { context: ctx, image: "\(BuildTesting.uniqueImage())" } }
            """, gitSHA: BuildTesting.gitSHA)
        #expect(outcome.status == .failed)
        // A working container left by the failed RUN starts from the layer that wrote the marker.
        let env = URL(fileURLWithPath: "/usr/bin/env")
        let left = try BaseImage.containers().filter { container in
            let from = (try? runProcess(env, ["buildah", "inspect", "--type", "container", "--format", "{{.FromImageID}}", container]).stdout) ?? ""
            let history = (try? runProcess(env, ["buildah", "inspect", "--type", "image", "--format", "{{.Docker.History}}",
                                                 from.trimmingCharacters(in: .whitespacesAndNewlines)]).stdout) ?? ""
            return history.contains(marker)
        }
        #expect(left.isEmpty, "the failed build left \(left)")
    }

    @Test func buildArgsTargetExtraTagsAndASecretThatReachesNoArgvLogOrHistory() async throws {
        try BuildTesting.requireBaseImage()
        let h = try EngineHarness()
        defer { h.directory.remove() }
        let image = BuildTesting.uniqueImage()
        let repository = String(image.dropLast(2))
        defer { BuildTesting.remove([image, repository + ":extra", repository + ":second"]) }
        let secret = "s3cr3t-\(UUID().uuidString)"
        try BuildTesting.context(h.directory, ["Dockerfile": """
            FROM \(BuildTesting.baseImage) AS first
            ARG GREETING=none
            LABEL greeting=$GREETING
            RUN --mount=type=secret,id=FLOW_TEST_TOKEN \\
                test -s /run/secrets/FLOW_TEST_TOKEN && echo "secret-$(echo readable)" >> /proof && \\
                cat /proc/[0-9]*/cmdline | tr '\\000' ' ' > /tmp/argv && \\
                grep -q -- --iidfile /tmp/argv && echo "saw-$(echo engine)-argv" >> /proof && \\
                if grep -q -F -f /run/secrets/FLOW_TEST_TOKEN /tmp/argv; then echo "secret-$(echo on)-argv"; exit 1; fi; rm /tmp/argv
            FROM first AS second
            LABEL stage=second
            """])
        var environment = ProcessInfo.processInfo.environment
        environment["FLOW_TEST_TOKEN"] = secret
        let outcome = try await h.run("""
            name: b
            images: { "python:3.11-slim": "\(BuildTesting.baseImage)" }
            steps:
              image:
                uses: build
                with: { context: ctx, image: "\(image)", build-args: { GREETING: hello }, target: first,
                        tags: [extra, "\(repository):second"], secrets: [FLOW_TEST_TOKEN], cache: false }
            """, environment: environment, gitSHA: BuildTesting.gitSHA)
        let log = BuildTesting.log(h, outcome, "image")
        #expect(outcome.status == .succeeded, "\(log)")
        // The RUN's findings are read from the image, not from its output: buildah 1.28 has lost
        // a RUN's whole output once here under heavy load (the build still succeeded).
        #expect(try BuildTesting.file("/proof", in: image) == "secret-readable\nsaw-engine-argv\n")
        #expect(!log.contains("secret-on-argv"), "\(log)")
        #expect(!log.contains(secret))
        let inspection = try #require(try BuildTesting.inspect(image))
        let labels = BuildTesting.config(inspection)["Labels"] as? [String: String] ?? [:]
        #expect(labels["greeting"] == "hello")
        #expect(labels["stage"] == nil)
        let all = String(decoding: try BuildTesting.buildah(["inspect", "--type", "image", image]).output, as: UTF8.self)
        #expect(!all.contains(secret))
        let id = try BuildTesting.outputs(outcome, "image")["digest"]
        for name in [repository + ":extra", repository + ":second"] {
            #expect(try BuildTesting.inspect(name).map { "sha256:" + ($0["FromImageID"] as? String ?? "") } == id)
        }
    }

    @Test func cacheFalseBuildsEveryStepAgain() async throws {
        try BuildTesting.requireBaseImage()
        let h = try EngineHarness()
        defer { h.directory.remove() }
        let image = BuildTesting.uniqueImage()
        defer { BuildTesting.remove([image]) }
        try BuildTesting.context(h.directory, ["Dockerfile": "FROM \(BuildTesting.baseImage)\nRUN echo \(UUID().uuidString) > /stamp\n"])
        let outcome = try await h.run("""
            name: b
            images: { "python:3.11-slim": "\(BuildTesting.baseImage)" }
            steps:
              first: { uses: build, with: { context: ctx, image: "\(image)" } }
              cached: { uses: build, needs: [first], with: { context: ctx, image: "\(image)" } }
              uncached: { uses: build, needs: [cached], with: { context: ctx, image: "\(image)", cache: false } }
            """, gitSHA: BuildTesting.gitSHA)
        #expect(outcome.status == .succeeded)
        #expect(BuildTesting.log(h, outcome, "cached").contains("Using cache"))
        #expect(!BuildTesting.log(h, outcome, "uncached").contains("Using cache"))
    }

    /// buildah 1.28's storage race (containers/buildah#5674: another process removes an image
    /// while a build reads its layer cache; `layer not known`, exit 125) is met by building
    /// again within the attempt. Measured here it hits about one build in nine when four
    /// build-and-remove loops share a store, too seldom for a test to wait for: a `buildah` in
    /// front of the real one on PATH answers the first `races` builds with buildah's exact
    /// failure, then hands every call to the real buildah.
    func buildFacingRaces(_ races: Int) async throws -> (EngineHarness, EngineHarness.Outcome, String) {
        let h = try EngineHarness()
        let image = BuildTesting.uniqueImage()
        try BuildTesting.context(h.directory, ["Dockerfile": "FROM \(BuildTesting.baseImage)\nRUN echo \(UUID().uuidString) > /stamp\n"])
        let real = try #require(try? ExecutableLookup.resolve("buildah", environment: ProcessInfo.processInfo.environment))
        let count = h.directory.url.path + "/races"
        try FileManager.default.createDirectory(atPath: h.directory.url.path + "/bin", withIntermediateDirectories: true)
        try writeExecutable("""
            #!/bin/sh
            if [ "$1" = bud ]; then
              n=$(cat '\(count)' 2>/dev/null || echo 0)
              if [ "$n" -lt \(races) ]; then
                echo $((n + 1)) > '\(count)'
                echo 'STEP 1/2: FROM \(BuildTesting.baseImage)'
                echo 'Error: checking if cached image exists from a previous build: getting top layer info: layer not known' >&2
                exit 125
              fi
            fi
            exec '\(real)' "$@"
            """, to: h.directory.url.path + "/bin/buildah")
        let path = h.directory.url.path + "/bin:" + (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin")
        let outcome = try await h.run("""
            name: b
            steps:
              image: { uses: build, env: { PATH: "\(path)" }, with: { context: ctx, image: "\(image)", engine: buildah } }
            """, gitSHA: BuildTesting.gitSHA)
        return (h, outcome, image)
    }

    @Test func buildahsStorageRaceIsBuiltAgainWithinTheAttempt() async throws {
        try BuildTesting.requireBaseImage()
        let (h, outcome, image) = try await buildFacingRaces(2)
        defer { h.directory.remove(); BuildTesting.remove([image]) }
        let log = BuildTesting.log(h, outcome, "image")
        #expect(outcome.status == .succeeded, "\(log)")
        #expect(log.contains("building again (1 of \(BuildStep.storageRaceRebuilds))"), "\(log)")
        #expect(log.contains("building again (2 of \(BuildStep.storageRaceRebuilds))"), "\(log)")
        #expect(try h.database.attempts(of: outcome.runID).filter { $0.stepId == "image" }.count == 1)
        let digest = try BuildTesting.outputs(outcome, "image")["digest"]
        #expect(try BuildTesting.inspect(image).map { "sha256:" + ($0["FromImageID"] as? String ?? "") } == digest)
    }

    @Test func aStoreThatKeepsChangingFailsTheAttemptSayingSo() async throws {
        try BuildTesting.requireBaseImage()
        let (h, outcome, image) = try await buildFacingRaces(BuildStep.storageRaceRebuilds + 1)
        defer { h.directory.remove(); BuildTesting.remove([image]) }
        #expect(outcome.status == .failed)
        let error = BuildTesting.error(h, outcome, "image")
        #expect(error.contains("kept changing") && error.contains("\(BuildStep.storageRaceRebuilds + 1) times"), "\(error)")
        #expect(try !BuildTesting.imageNames().contains(image))
    }

    @Test func anEnginesOwnErrorIsNotTakenForTheRace() {
        let buildah = ContainerEngine(kind: .buildah, executable: "/usr/bin/buildah")
        #expect(buildah.isStorageRace(lastLine: "Error: checking if cached image exists from a previous build: getting top layer info: layer not known"))
        #expect(buildah.isStorageRace(lastLine: "Error: committing container for step {…}: copying layers and metadata for container \"a8d0\": committing the finished image: creating image \"4177\": layer not known"))
        #expect(!buildah.isStorageRace(lastLine: "Error: building at STEP \"RUN false\": while running runtime: exit status 1"))
        #expect(!buildah.isStorageRace(lastLine: "a RUN that prints: Error: layer not known"))
        #expect(!ContainerEngine(kind: .docker, executable: "/usr/bin/docker").isStorageRace(lastLine: "Error: layer not known"))
    }

    @Test func theHostCABundleReachesRunStepsButNotTheImagesEnv() async throws {
        try BuildTesting.requireBaseImage()
        let h = try EngineHarness()
        defer { h.directory.remove() }
        let image = BuildTesting.uniqueImage()
        defer { BuildTesting.remove([image]) }
        try BuildTesting.context(h.directory, ["Dockerfile": """
            FROM python:3.11-slim
            RUN grep -q 'BEGIN CERTIFICATE' /etc/ssl/host-ca.crt && echo "bundle-seen pip=$PIP_CERT requests=$REQUESTS_CA_BUNDLE curl=$CURL_CA_BUNDLE ssl=$SSL_CERT_FILE"
            RUN python3 -c 'import os, ssl; ssl.create_default_context(cafile=os.environ["SSL_CERT_FILE"]); print("python-loaded-bundle")'
            """])
        let outcome = try await h.run("""
            name: b
            images: { "python:3.11-slim": "\(BuildTesting.baseImage)" }
            steps:
              image: { uses: build, with: { context: ctx, image: "\(image)", ca-bundle: host } }
            """, gitSHA: BuildTesting.gitSHA)
        let log = BuildTesting.log(h, outcome, "image")
        #expect(outcome.status == .succeeded, "\(log)")
        let path = "/etc/ssl/host-ca.crt"
        #expect(log.contains("bundle-seen pip=\(path) requests=\(path) curl=\(path) ssl=\(path)"))
        #expect(log.contains("python-loaded-bundle"))
        let env = BuildTesting.config(try #require(try BuildTesting.inspect(image)))["Env"] as? [String] ?? []
        for variable in HostCABundle.variables {
            #expect(!env.contains { $0.hasPrefix(variable + "=") }, "\(env)")
        }
        #expect(!env.contains { $0.contains(path) })
    }

    @Test func badInputIsATerminalErrorBeforeAnythingRuns() async throws {
        let h = try EngineHarness()
        defer { h.directory.remove() }
        try BuildTesting.context(h.directory, ["Dockerfile": "FROM scratch\n"])
        let outcome = try await h.run("""
            name: b
            images: { "python:3.11-slim": "\(BuildTesting.baseImage)" }
            steps:
              unset: { uses: build, with: { context: ctx, image: "x:t", secrets: [FLOW_TEST_NEVER_SET_VARIABLE] } }
              reserved: { uses: build, with: { context: ctx, image: "x:t", labels: { flow.run-id: forged } } }
            """, environment: ["PATH": ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"], gitSHA: BuildTesting.gitSHA)
        #expect(BuildTesting.error(h, outcome, "unset").contains("secrets: FLOW_TEST_NEVER_SET_VARIABLE is not set"))
        #expect(BuildTesting.error(h, outcome, "reserved").contains("`flow.run-id` is in the `flow.` namespace"))
        #expect(outcome.steps["unset"]?.attempts == 1 && outcome.steps["reserved"]?.attempts == 1)
    }
}
