import Foundation
import Testing
import FlowTestSupport

/// `container:` on `run:` steps and the run's image map, through the built binary and real
/// buildah (chroot isolation) on flow's local base image.
@Suite struct ContainerStepTests {
    @Test func aRunStepRunsInItsImageWithThePipelineEnvironmentAndOutputs() async throws {
        let base = try BaseImage.name()
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        _ = try dir.write("data/in.txt", "from the workspace\n")
        _ = try dir.write("p.yml", """
            name: p
            env: { GREETING: hello }
            secrets: [TOKEN]
            images: { "python:3.11-slim": \(base) }
            steps:
              inside:
                run: |
                  python3 -c 'import sys; print("python", sys.version_info[0])'
                  echo "$GREETING token=$TOKEN extra=$EXTRA home=${FLOW_HOME_SEEN:-unset}"
                  cat data/in.txt
                  cat /etc/debian_version > /dev/null
                  echo "where=$(pwd)" >> "$FLOW_OUTPUT"
                container: { image: "python:3.11-slim", env: { EXTRA: yes } }
                outputs: [where]
              after:
                needs: [inside]
                run: echo "inside ran in ${{ steps.inside.outputs.where }}"
            """)
        var environment = ProcessInfo.processInfo.environment
        environment["TOKEN"] = "s3cr3t-value"
        environment["FLOW_HOME_SEEN"] = "host-only"
        let r = try await runFlow(["run", "p.yml"], environment: environment, currentDirectory: dir.url)
        #expect(r.status == 0, "\(r.stdout)\(r.stderr)")
        let log = try String(contentsOf: try #require(Self.log(in: dir, step: "inside")), encoding: .utf8)
        #expect(log.contains("image python:3.11-slim → \(base) (the run's `images:` map)"))
        #expect(log.contains("python 3"))
        // The pipeline's variables and secrets reach the container (masked in the log); what flow
        // only inherited from its own environment does not.
        #expect(log.contains("hello token=*** extra=yes home=unset"), "\(log)")
        #expect(!log.contains("s3cr3t-value"))
        #expect(log.contains("from the workspace"))
        #expect(r.stdout.contains("✓ after"))
        #expect(try BaseImage.containers().filter { $0.hasPrefix("flow-") && $0.contains("-inside-") }.isEmpty)
    }

    @Test func aTimeoutStopsTheContainerAndLeavesNothingRunning() async throws {
        let base = try BaseImage.name()
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let marker = "flow-container-timeout-\(UUID().uuidString.prefix(8))"
        _ = try dir.write("p.yml", """
            name: p
            steps:
              slow:
                timeout: 3s
                run: exec -a \(marker) sleep 300
                container: { image: "\(base)" }
            """)
        let r = try await runFlow(["run", "p.yml"], currentDirectory: dir.url)
        #expect(r.status == 1, "\(r.stdout)\(r.stderr)")
        #expect(r.stdout.contains("timed out"))
        let leftover = try runProcess(URL(fileURLWithPath: "/usr/bin/pgrep"), ["-f", marker])
        #expect(leftover.stdout.isEmpty, "still running: \(leftover.stdout)")
        #expect(try BaseImage.containers().filter { $0.hasPrefix("flow-") && $0.contains("-slow-") }.isEmpty)
    }

    @Test func resumeKeepsTheImageOverridesTheRunStartedWith() async throws {
        let base = try BaseImage.name()
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        // `python:3.11-slim` cannot be pulled here: only the stored `--image` makes the second
        // step's container start after resume.
        _ = try dir.write("p.yml", """
            name: p
            steps:
              first:
                run: test -f go || { echo "not yet"; exit 3; }
                container: { image: "python:3.11-slim" }
            """)
        let first = try await runFlow(["run", "p.yml", "--image", "python:3.11-slim=\(base)"], currentDirectory: dir.url)
        #expect(first.status == 1, "\(first.stdout)\(first.stderr)")
        #expect(first.stdout.contains("not yet"))
        _ = try dir.write("go", "")
        let resumed = try await runFlow(["resume", "--last"], currentDirectory: dir.url)
        #expect(resumed.status == 0, "\(resumed.stdout)\(resumed.stderr)")
        let bad = try await runFlow(["run", "p.yml", "--image", "python:3.11-slim"], currentDirectory: dir.url)
        #expect(bad.status == 2)
        #expect(bad.stderr.contains("is not NAME=IMAGE"), "\(bad.stderr)")
    }

    static func log(in dir: TemporaryDirectory, step: String) -> URL? {
        let runs = dir.url.appendingPathComponent("runs")
        let names = (try? FileManager.default.contentsOfDirectory(atPath: runs.path)) ?? []
        for run in names.sorted().reversed() {
            let url = runs.appendingPathComponent(run).appendingPathComponent(step).appendingPathComponent("attempt-1.log")
            if FileManager.default.fileExists(atPath: url.path) { return url }
        }
        return nil
    }
}
