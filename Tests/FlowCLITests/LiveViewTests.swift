import Foundation
import Testing
import FlowTestSupport

/// The live view on a terminal (a pty from util-linux `script`), and plain lines elsewhere.
@Suite struct LiveViewTests {
    static let pipeline = """
        name: p
        steps:
          a: { run: "echo first line; echo second line; sleep 0.4" }
          b: { needs: [a], run: "echo about to fail; exit 3" }
        """

    func onTerminal(term: String, noColor: Bool, in dir: TemporaryDirectory) async throws -> ProcessResult {
        var env = ProcessInfo.processInfo.environment
        env["TERM"] = term
        env["NO_COLOR"] = noColor ? "1" : nil
        let command = "\(Repository.flowBinary.path) run p.yml"
        let directory = dir.url
        return try await onOwnThread { [env] in
            try runProcess(URL(fileURLWithPath: "/usr/bin/script"), ["-qec", command, "/dev/null"], environment: env, currentDirectory: directory)
        }
    }

    @Test func aTerminalGetsRunningStepsRedrawnInPlaceAndThePlainRecordAbove() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        _ = try dir.write("p.yml", Self.pipeline)
        let r = try await onTerminal(term: "xterm", noColor: true, in: dir)
        #expect(r.status == 1, "\(r.stdout)")
        let out = r.stdout.replacingOccurrences(of: "\r\n", with: "\n")
        // The live area: erased (cursor up N lines, clear to the end) and redrawn.
        #expect(out.contains("F\u{1B}[J"))
        #expect(out.contains("1 running · 0 of 2 done"))
        // A running step's line shows its last log line (drawn while it sleeps).
        #expect(out.contains(" a  ") && out.contains("second line"))
        // What happened stays, as plain lines, with the failure's log tail.
        #expect(out.contains("✓ a "))
        #expect(out.contains("✗ b failed after"))
        #expect(out.contains("    about to fail\n"))
        // At the end the live area is erased and only the run's last line follows.
        let tail = try #require(out.components(separatedBy: "\u{1B}[J").last)
        #expect(tail.hasPrefix("run ") && tail.contains(" failed in ") && tail.split(separator: "\n").count == 1, "\(tail)")
        // NO_COLOR: cursor movement, but no colour.
        #expect(!out.contains("\u{1B}[3"))
    }

    @Test func aDumbTerminalOrAPipeGetsPlainLines() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        _ = try dir.write("p.yml", Self.pipeline)
        let dumb = try await onTerminal(term: "dumb", noColor: false, in: dir)
        #expect(dumb.status == 1)
        #expect(!dumb.stdout.contains("\u{1B}["))
        #expect(dumb.stdout.contains("▸ a"))
        let piped = try await runFlow(["run", "p.yml"], currentDirectory: dir.url)
        #expect(piped.status == 1)
        #expect(!piped.stdout.contains("\u{1B}["))
        #expect(piped.stdout.contains("▸ a\n"))
        #expect(!piped.stdout.contains("running ·"))
    }
}
