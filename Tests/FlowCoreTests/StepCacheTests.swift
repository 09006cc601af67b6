import Testing
import FlowCore
import FlowTestSupport

/// `cache:` as written: its shape checked at each mistake's line, its expressions against what
/// the step can read, its paths and patterns kept inside the workspace; the plan holds it; and
/// the patterns match as documented (``CachePath``).
@Suite struct StepCacheTests {
    func check(_ yaml: String) -> (Pipeline?, String) {
        let (pipeline, diagnostics) = PipelineCheck.check(Array(yaml.utf8), file: "main.yml", options: testValidationOptions(includes: [
            "pipelines/child.yml": "name: child\nsteps:\n  a: { run: echo a }\n",
        ]))
        return (pipeline, DiagnosticRenderer(color: false).text(diagnostics))
    }

    @Test func aValidCacheIsPlanned() throws {
        let (pipeline, text) = check("""
            name: main
            params:
              torch: { default: "2.4.1" }
            steps:
              deps:
                run: pip download -d wheels torch==${{ params.torch }}
                cache:
                  key:
                    - ${{ params.torch }}
                    - files: requirements*.txt
                    - files: [src/**/*.py, "setup.cfg"]
                  paths: [wheels, ./build/out]
              plain:
                run: echo hi
                cache: {}
            """)
        #expect(text == "")
        let loaded = try #require(pipeline)
        let plan = try #require(RunPlanner.plan(loaded).plan)
        let cache = try #require(plan.step("deps")?.cache)
        #expect(cache.paths == ["wheels", "./build/out"])
        #expect(cache.key.count == 3)
        guard case .files(let patterns) = cache.key[2] else { Issue.record("expected files"); return }
        #expect(patterns == ["src/**/*.py", "setup.cfg"])
        #expect(plan.step("plain")?.cache?.key.isEmpty == true)
    }

    @Test func mistakesAreReportedWhereTheyAre() {
        let (_, text) = check("""
            name: main
            steps:
              a:
                run: echo a
                cache:
                  keys: [x]
                  paths: [/abs, ../up, "out/*.o", ".", "${{ params.p }}"]
              b:
                run: echo b
                cache:
                  key:
                    - files: ../secrets
                    - file: src
                    - {}
                    - ${{ steps.nope.outputs.x }}
              c:
                uses: ./pipelines/child.yml
                cache: {}
              d:
                run: echo d
                cache: yes
            """)
        #expect(text == """
            main.yml:6:7: error: unknown key `keys` in `cache`
            main.yml:6:7: note: did you mean `key`?
            main.yml:7:15: error: `paths` entry `/abs` cannot be used: it is absolute; give a path relative to the workspace
            main.yml:7:21: error: `paths` entry `../up` cannot be used: it leaves the workspace (`..`)
            main.yml:7:28: error: `paths` entry `out/*.o` cannot be used: it is a pattern; `paths` are files or folders as they are named
            main.yml:7:39: error: `paths` entry `.` cannot be used: it names the whole workspace; name the files or folders the step makes
            main.yml:7:44: error: expressions are not allowed in `paths`; it must be known before the run starts
            main.yml:12:18: error: `files` entry `../secrets` cannot be used: it leaves the workspace (`..`)
            main.yml:13:11: error: unknown key `file` in an entry of `key`
            main.yml:13:11: note: did you mean `files`?
            main.yml:14:11: error: an entry of `key` is text (with expressions) or `files: PATTERN`; this one is an empty mapping
            main.yml:15:15: error: no step `nope` in this pipeline
            main.yml:18:5: error: `cache` does not apply to step `c`, which runs a sub-pipeline: it takes `uses`, `with`, `needs`, `if`, `matrix`, `name` and `description`; set `cache` on the steps inside the sub-pipeline
            main.yml:21:12: error: `cache` must be a mapping, not a string

            """)
    }

    @Test func patternsMatchAsDocumented() {
        func m(_ pattern: String, _ path: String) -> Bool {
            CachePath.matches(CachePath.segments(pattern), CachePath.segments(path))
        }
        #expect(m("src/**/*.py", "src/a.py") && m("src/**/*.py", "src/x/y/a.py") && !m("src/**/*.py", "src/a.pyc"))
        #expect(m("**", "anything/at/all") && m("*.txt", ".hidden.txt") && !m("*.txt", "dir/a.txt"))
        #expect(m("req?.txt", "req1.txt") && !m("req?.txt", "req12.txt"))
        #expect(m("[a-c]x", "bx") && !m("[a-c]x", "dx") && m("[!a-c]x", "dx") && !m("[!a-c]x", "ax"))
        #expect(m("lit\\*", "lit*") && !m("lit\\*", "litx"))
        #expect(m("./a//b", "a/b") && m("a[", "a["))
        #expect(CachePath.literalPrefix(CachePath.segments("src/pkg/**/*.py")) == ["src", "pkg"])
        #expect(CachePath.problem("a/../../b", pattern: true) != nil && CachePath.problem("a/b", pattern: false) == nil)
    }
}
