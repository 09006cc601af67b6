import Foundation
import Testing
import FlowTestSupport

/// Commands that only read the state never write or sync it: counted with strace around the
/// real binary (every fsync-family call of the process and its threads).
@Suite struct ReadOnlySyncTests {
    private func syncs(_ arguments: [String], in dir: TemporaryDirectory) async throws -> (status: Int32, calls: [String]) {
        let trace = dir.file("trace-\(UUID().uuidString)").path
        let result = try await onOwnThread {
            try runProcess(URL(fileURLWithPath: "/usr/bin/strace"),
                           ["-f", "-e", "trace=fsync,fdatasync,syncfs,sync,sync_file_range", "-o", trace, Repository.flowBinary.path] + arguments,
                           currentDirectory: dir.url)
        }
        let lines = try String(contentsOfFile: trace, encoding: .utf8).split(separator: "\n")
            .filter { !$0.contains("+++ exited") && !$0.contains("--- SIG") && !$0.contains("resumed>") }
        return (result.status, lines.map(String.init))
    }

    @Test func runsStatusLogsAndTheOtherReadersNeverSync() async throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        _ = try dir.write("p.yml", "name: p\nsteps:\n  a: { run: echo hi }\n")
        #expect(try await runFlow(["run", "p.yml"], currentDirectory: dir.url).status == 0)
        let id = try await Runs.newestID(in: dir)
        let written = try await syncs(["run", "p.yml"], in: dir)
        #expect(written.status == 0 && !written.calls.isEmpty, "the count works: a run syncs its commits")
        for command in [["runs"], ["runs", "--json"], ["status"], ["status", id, "--json"], ["logs", id, "a"], ["cache", "list"],
                        ["artifacts", id], ["audit"]] {
            let read = try await syncs(command, in: dir)
            #expect(read.status == 0, "\(command)")
            #expect(read.calls.isEmpty, "flow \(command.joined(separator: " ")): \(read.calls)")
        }
    }
}
