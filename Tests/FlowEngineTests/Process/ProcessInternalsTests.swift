@testable import FlowEngine
import Testing

@Suite("Process runner internals")
struct ProcessInternalsTests {
    @Test("flow runs steps through SpawnRunner on this kernel (it has pidfds)")
    func standardRunner() {
        #expect(SpawnRunner.isSupported)
        #expect(ProcessRunners.standard is SpawnRunner)
    }

    @Test("the environ matcher finds exact entries only, across read boundaries")
    func entryMatcher() {
        let needle = Array("FLOW_STEP_ID=run/a/1".utf8)
        func matches(_ environ: String, splitAt cuts: [Int]) -> Bool {
            let bytes = Array(environ.utf8).map { $0 == UInt8(ascii: "|") ? 0 : $0 }
            var matcher = ProcFS.EntryMatcher(needle: needle)
            var start = 0
            for cut in cuts + [bytes.count] where cut >= start {
                if matcher.feed(bytes[start..<min(cut, bytes.count)]) { return true }
                start = min(cut, bytes.count)
            }
            return matcher.finish()
        }
        #expect(matches("A=1|FLOW_STEP_ID=run/a/1|B=2|", splitAt: []))
        #expect(matches("A=1|FLOW_STEP_ID=run/a/1|B=2|", splitAt: [5, 6, 7, 20]))
        #expect(matches("FLOW_STEP_ID=run/a/1", splitAt: [3]))  // last entry without NUL
        #expect(!matches("FLOW_STEP_ID=run/a/10|", splitAt: []))
        #expect(!matches("XFLOW_STEP_ID=run/a/1|", splitAt: []))
        #expect(!matches("FLOW_STEP_ID=run/a/|1|", splitAt: []))
        #expect(!matches("", splitAt: []))
    }

    @Test("the output channel hands over chunks in order, one at a time")
    func outputChannel() async {
        let channel = OutputChannel()
        let producer = Task {
            for i in 0..<100 { await channel.send([UInt8(i)][...]) }
            channel.finish()
        }
        var received: [UInt8] = []
        while let chunk = await channel.next() { received.append(contentsOf: chunk) }
        await producer.value
        #expect(received == (0..<100).map { UInt8($0) })
    }

    @Test("names resolve in the given PATH; a relative path is taken from the working directory")
    func resolution() throws {
        #expect(try LaunchPlan.resolveExecutable("sh", searchPath: "relative:/nonexistent:/usr/bin:/bin", relativeTo: nil) == "/usr/bin/sh")
        #expect(try LaunchPlan.resolveExecutable("./sh", searchPath: "", relativeTo: "/bin") == "/bin/./sh")
        #expect(throws: ProcessLaunchError.executableNotFound(name: "sh")) {
            try LaunchPlan.resolveExecutable("sh", searchPath: "/nonexistent", relativeTo: nil)
        }
        #expect(throws: ProcessLaunchError.self) {
            try LaunchPlan.resolveExecutable("/usr", searchPath: "", relativeTo: nil)
        }
    }
}
