import Foundation
import Testing
import FlowTestSupport

/// Suggestions for a mistyped option or key say what the user most likely meant.
@Suite struct SuggestionTests {
    @Test func aMistypedOptionSuggestsWhatWasMeant() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        _ = try dir.write("p.yml", "name: p\nsteps:\n  a: { run: \"true\" }\n")
        let parallel = try await runFlow(["run", "p.yml", "--paralel", "2"], currentDirectory: dir.url)
        #expect(parallel.status == 2)
        #expect(parallel.stderr.contains("Unknown option '--paralel'. Did you mean '--max-parallel'?"), "\(parallel.stderr)")
        let param = try await runFlow(["run", "p.yml", "--parm", "a=1"], currentDirectory: dir.url)
        #expect(param.stderr.contains("Unknown option '--parm'. Did you mean '--param'?"))
        let nothing = try await runFlow(["status", "--zzzz"], currentDirectory: dir.url)
        #expect(nothing.status == 2)
        #expect(nothing.stderr.contains("Unknown option '--zzzz'\n"))
        #expect(!nothing.stderr.contains("Did you mean"))
    }

    /// A step key `id` is a GitHub Actions habit, not a typo of `if`.
    @Test func aStepKeyIdSaysWhereFlowKeepsTheId() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        _ = try dir.write("p.yml", "name: p\nsteps:\n  build:\n    id: build\n    run: make\n")
        let r = try await runFlow(["validate", "p.yml"], currentDirectory: dir.url)
        #expect(r.status == 2)
        #expect(r.stderr == """
            p.yml:4:5: error: unknown key `id` in step `build`
            p.yml:4:5: note: a step's id is its key under `steps:` (here `build`), as `id:` is in GitHub Actions; remove `id:`, or rename the step's key

            """, "\(r.stderr)")
    }
}
