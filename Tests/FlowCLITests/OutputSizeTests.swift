import Foundation
import Testing
import FlowTestSupport

/// Outputs reach the scripts that read them through environment variables, and Linux caps one
/// environment string at 128 KiB and all of them at ARG_MAX. The limit flow documents is the
/// one that works: a value over 127 KiB fails the step that writes it, and a script whose
/// environment would be refused fails before it starts, naming the variable, instead of every
/// dependent failing with "Argument list too long".
@Suite struct OutputSizeTests {
    static func run(_ pipeline: String) async throws -> (ProcessResult, TemporaryDirectory) {
        let dir = try TemporaryDirectory()
        _ = try dir.write("p.yml", pipeline)
        return (try await runFlowOrKill(["run", "p.yml"], in: dir), dir)
    }

    @Test func anOutputUpToTheLimitReachesItsDependentWhole() async throws {
        let (r, dir) = try await Self.run("""
            name: p
            steps:
              big: { run: 'printf "v=%s\\n" "$(head -c 130048 /dev/zero | tr "\\0" a)" >> "$FLOW_OUTPUT"', outputs: [v] }
              read: { needs: [big], run: 'test "${#V}" -eq 130048 && v="${{ steps.big.outputs.v }}" && test "${#v}" -eq 130048', env: { V: "${{ steps.big.outputs.v }}" } }
            """)
        defer { dir.remove() }
        #expect(r.status == 0, "\(r.stdout)\(r.stderr)")
    }

    @Test func anOutputOverTheLimitFailsTheStepThatWritesIt() async throws {
        let (r, dir) = try await Self.run("""
            name: p
            steps:
              big: { run: 'printf "v=%s\\n" "$(head -c 204800 /dev/zero | tr "\\0" a)" >> "$FLOW_OUTPUT"', outputs: [v] }
              read: { needs: [big], run: 'echo "${{ steps.big.outputs.v }}" | wc -c' }
            """)
        defer { dir.remove() }
        #expect(r.status == 1)
        #expect(r.stdout.contains("✗ big failed"))
        #expect(r.stdout.contains("output `v` is 200 KiB; an output value is at most 127 KiB"))
        #expect(r.stdout.contains("- read skipped: an upstream step failed"))
        #expect(!r.stdout.contains("Argument list too long"))
    }

    @Test func anEnvironmentVariableTooLargeToPassFailsBeforeTheScriptStarts() async throws {
        let (r, dir) = try await Self.run("""
            name: p
            steps:
              big: { run: 'printf "v=%s\\n" "$(head -c 100000 /dev/zero | tr "\\0" a)" >> "$FLOW_OUTPUT"', outputs: [v] }
              twice:
                needs: [big]
                run: |
                  touch started
                  echo "${{ format('{0}{0}', steps.big.outputs.v) }}"
            """)
        defer { dir.remove() }
        #expect(r.status == 1)
        #expect(r.stdout.contains("environment variable FLOW_EXPR_1 is 195 KiB; Linux passes at most 128 KiB in one environment variable or argument"))
        #expect(!r.stdout.contains("Argument list too long"))
        #expect(!FileManager.default.fileExists(atPath: dir.file("started").path))
    }

    @Test func anEnvironmentTooLargeAltogetherFailsBeforeTheScriptStarts() async throws {
        var readers = ""
        for n in 1...20 { readers += "V\(n): \"${{ steps.big.outputs.v }}\", " }
        let (r, dir) = try await Self.run("""
            name: p
            steps:
              big: { run: 'printf "v=%s\\n" "$(head -c 120000 /dev/zero | tr "\\0" a)" >> "$FLOW_OUTPUT"', outputs: [v] }
              many: { needs: [big], run: 'touch started', env: { \(readers) } }
            """)
        defer { dir.remove() }
        #expect(r.status == 1)
        #expect(r.stdout.contains("KiB together; Linux starts a program with at most 2048 KiB of them"))
        #expect(!FileManager.default.fileExists(atPath: dir.file("started").path))
    }
}
