import Foundation
import Testing
import FlowTestSupport

/// Files flow reads from a user's tree or from what a step leaves may be hostile: a FIFO
/// (whose open or read blocks until a writer comes, forever), a device, a symlink planted by a
/// step, a huge file. Each ends in a clear error, never a hang. Every flow here runs under
/// `timeout -s KILL`, so a regression fails with status 137 instead of hanging the suite.
@Suite struct HostileFileTests {
    @Test func aStepThatReplacesFlowOutputWithAFIFOFailsInsteadOfHanging() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        _ = try dir.write("p.yml", """
            name: p
            steps:
              trap: { run: 'rm -f "$FLOW_OUTPUT"; mkfifo "$FLOW_OUTPUT"', outputs: [x] }
              after: { needs: [trap], run: echo never }
            """)
        let r = try await runFlowOrKill(["run", "p.yml"], in: dir)
        #expect(r.status == 1, "\(r.stdout)\(r.stderr)")
        #expect(r.stdout.contains("$FLOW_OUTPUT: cannot read"))
        #expect(r.stdout.contains("it is a FIFO, not a regular file"))
        #expect(r.stdout.contains("- after skipped: an upstream step failed"))
    }

    @Test func aStepThatReplacesFlowOutputWithASymlinkIsNotFollowed() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        _ = try dir.write("elsewhere", "x=read through a link\n")
        _ = try dir.write("p.yml", """
            name: p
            steps:
              link: { run: 'ln -sf "$PWD/elsewhere" "$FLOW_OUTPUT"', outputs: [x] }
              zero: { run: 'ln -sf /dev/zero "$FLOW_OUTPUT"', outputs: [x] }
            """)
        let r = try await runFlowOrKill(["run", "p.yml"], in: dir)
        #expect(r.status == 1, "\(r.stdout)\(r.stderr)")
        #expect(r.stdout.contains("✗ link failed"))
        #expect(r.stdout.contains("✗ zero failed"))
        #expect(r.stdout.contains("it is a symbolic link, not a regular file"))
        #expect(!r.stdout.contains("read through a link"))
    }

    @Test func aStepThatRemovesFlowOutputHasNoOutputs() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        _ = try dir.write("p.yml", """
            name: p
            steps:
              gone: { run: 'echo "x=1" >> "$FLOW_OUTPUT"; rm "$FLOW_OUTPUT"', outputs: [x] }
              after: { needs: [gone], run: 'test -z "${{ steps.gone.outputs.x }}"' }
            """)
        let r = try await runFlowOrKill(["run", "p.yml"], in: dir)
        #expect(r.status == 0, "\(r.stdout)\(r.stderr)")
    }

    @Test func aStepDefinitionThatIsAFIFOIsAnErrorForValidateAndSteps() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        try FileManager.default.createDirectory(at: dir.file("steps/jam"), withIntermediateDirectories: true)
        #expect(mkfifo(dir.file("steps/jam/step.yml").path, 0o600) == 0)
        _ = try dir.write("p.yml", "name: p\nsteps:\n  a: { run: echo hi }\n")

        let validate = try await runFlowOrKill(["validate", "p.yml"], in: dir)
        #expect(validate.status == 2, "\(validate.stdout)\(validate.stderr)")
        #expect(validate.stderr.contains("steps/jam/step.yml: error: cannot read steps/jam/step.yml: it is a FIFO, not a regular file"))

        let steps = try await runFlowOrKill(["steps"], in: dir)
        #expect(steps.status == 0)
        #expect(steps.stderr.contains("it is a FIFO, not a regular file"))
        #expect(steps.stdout.contains("shell"))
    }

    @Test func aPipelineThatIsAFIFOOrADeviceIsAnError() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        #expect(mkfifo(dir.file("fifo.yml").path, 0o600) == 0)
        let r = try await runFlowOrKill(["validate", "fifo.yml", "/dev/zero"], in: dir)
        #expect(r.status == 2)
        #expect(r.stderr == """
            fifo.yml: error: cannot read fifo.yml: it is a FIFO, not a regular file
            /dev/zero: error: cannot read /dev/zero: it is a character device, not a regular file

            """)
        let run = try await runFlowOrKill(["run", "fifo.yml"], in: dir)
        #expect(run.status == 2)
        #expect(run.stderr.contains("it is a FIFO, not a regular file"))
    }

    @Test func aPipelineReachedThroughASymlinkIsRead() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        _ = try dir.write("real.yml", "name: p\nsteps:\n  a: { run: echo hi }\n")
        try FileManager.default.createSymbolicLink(atPath: dir.file("link.yml").path, withDestinationPath: "real.yml")
        let r = try await runFlowOrKill(["validate", "link.yml"], in: dir)
        #expect(r.status == 0, "\(r.stderr)")
    }
}
