import Foundation
import Testing
import FlowEngine
import FlowTestSupport
@testable import FlowSteps

/// The one JUnit XML writer (`JUnitXML`, shared with `flow run --junit`) and the smoke test's
/// reports, checked against the Jenkins xunit plugin's `junit-10.xsd` with xmllint.
@Suite struct SmokeTestJUnitTests {
    static let hostile = "a & b < c > d \"q\" 'a' \u{1B}[31mred\u{1B}[0m \u{0}\u{7} tab\tline\nnext\r\n ]]> ✓"

    static var report: SmokeReport {
        SmokeReport(image: "localhost/x:t", level: .standard, engine: "buildah", python: "3.11.2", checks: [
            SmokeResult(name: "python starts", classname: "smoke-test.quick", kind: "python", status: .passed, time: 0.0004, message: "Python 3.11.2"),
            SmokeResult(name: "import gamma (gamma)", classname: "smoke-test.quick", kind: "import", status: .failed, time: 0.01,
                        message: "ModuleNotFoundError: No module named 'gamma'", exception: "ModuleNotFoundError",
                        traceback: ["Traceback (most recent call last):", "ModuleNotFoundError: No module named 'gamma'"],
                        output: hostile, hint: "install gamma"),
            SmokeResult(name: "torch CUDA (gpu: none)", classname: "smoke-test.standard", kind: "torch-cuda", status: .skipped, time: 1.5,
                        message: hostile),
            SmokeResult(name: hostile, classname: "smoke-test.standard", kind: "import", status: .failed, time: 2, message: hostile,
                        exception: hostile, traceback: [hostile]),
        ])
    }

    @Test func escapingKeepsMarkupOutAndShowsControlCharacters() {
        #expect(JUnitXML.attribute("a&b<c>\"d'") == "a&amp;b&lt;c&gt;&quot;d&apos;")
        #expect(JUnitXML.attribute("x\ty\nz\r") == "x&#9;y&#10;z&#13;")
        #expect(JUnitXML.text("x\ty\nz\r") == "x\ty\nz&#13;")
        #expect(JUnitXML.text("\u{1B}[0m\u{0}\u{FFFE}") == "#x1B[0m#x00#xFFFE")
        #expect(JUnitXML.text("]]>") == "]]&gt;")
    }

    @Test func theReportHasASuitePerLevelAndCountsEachOutcome() {
        let xml = Self.report.junit().text
        #expect(xml.contains("<testsuites name=\"smoke-test localhost/x:t\" tests=\"4\" failures=\"2\" errors=\"0\""))
        #expect(xml.contains("<testsuite name=\"smoke-test.quick\" tests=\"2\" failures=\"1\" skipped=\"0\" errors=\"0\" time=\"0.010\">"))
        #expect(xml.contains("<testsuite name=\"smoke-test.standard\" tests=\"2\" failures=\"1\" skipped=\"1\" errors=\"0\" time=\"3.500\">"))
        #expect(xml.contains("<failure message=\"ModuleNotFoundError: No module named &apos;gamma&apos;\" type=\"ModuleNotFoundError\">"))
        #expect(xml.contains("hint: install gamma"))
        #expect(Self.report.failed == 2 && Self.report.passed == 1 && Self.report.skipped == 1)
    }

    @Test func theReportPassesTheJUnitSchema() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let file = try dir.write("report.xml", Self.report.junit().text)
        let checked = try SmokeTestImages.validateJUnit(file.path)
        #expect(checked.status == 0, "\(checked.stderr)")
        // xmllint also reads it back: the hostile text survives as written, control characters shown.
        let parsed = try runProcess(URL(fileURLWithPath: "/usr/bin/xmllint"), ["--xpath", "string((//testcase)[4]/@name)", file.path])
        #expect(parsed.stdout.contains("a & b < c > d \"q\" 'a' #x1B[31mred#x1B[0m #x00#x07 tab\tline\nnext\r\n ]]> ✓"))
    }

    @Test func aRunReportFromTheSharedWriterPassesTheSchemaToo() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let xml = JUnitXML(name: "p", suites: [.init(name: "p", id: "run-1", cases: [
            .init(name: "ok", classname: "p", time: 1),
            .init(name: "bad", classname: "p", time: 2, outcome: .failed(.init(message: "exited with code 4", text: "log: /x"))),
            .init(name: "never", classname: "p", time: 0, outcome: .skipped(message: "skipped: needs failed")),
            .init(name: "broken", classname: "p", time: 0, outcome: .error(.init(message: "cannot start", type: "StepError"))),
        ])]).text
        #expect(xml.contains("tests=\"4\" failures=\"1\" skipped=\"1\" errors=\"1\""))
        let file = try dir.write("run.xml", xml)
        let checked = try SmokeTestImages.validateJUnit(file.path)
        #expect(checked.status == 0, "\(checked.stderr)")
    }

    /// `flow run --junit` goes through the same writer: a run with a passed, a failed and a
    /// skipped step gives a report the schema accepts.
    @Test func flowRunJUnitPassesTheSchema() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        _ = try dir.write("p.yml", """
            name: p
            steps:
              ok: { run: "echo 'fine <&> \\u001b[31m'" }
              bad: { run: "exit 4", needs: ok }
              never: { run: "echo no", needs: bad }
            """)
        let r = try await runFlow(["run", "p.yml", "--junit", "report.xml"], currentDirectory: dir.url)
        #expect(r.status == 1, "\(r.stdout)\(r.stderr)")
        let xml = try String(contentsOf: dir.file("report.xml"), encoding: .utf8)
        #expect(xml.contains("tests=\"3\" failures=\"1\" skipped=\"1\" errors=\"0\""), "\(xml)")
        let checked = try SmokeTestImages.validateJUnit(dir.file("report.xml").path)
        #expect(checked.status == 0, "\(checked.stderr)")
    }

    @Test func theJSONReportListsEveryCheck() throws {
        let json = try #require(try JSONSerialization.jsonObject(with: Data(Self.report.json().utf8)) as? [String: Any])
        #expect(json["failed"] as? Int == 2 && json["level"] as? String == "standard")
        let checks = try #require(json["checks"] as? [[String: Any]])
        #expect(checks.count == 4)
        #expect(checks[1]["exception"] as? String == "ModuleNotFoundError" && checks[1]["hint"] as? String == "install gamma")
    }
}
