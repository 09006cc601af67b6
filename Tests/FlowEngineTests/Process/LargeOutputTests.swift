import FlowEngine
import Testing

/// Large output arrives whole, in bounded chunks. (The engine's peak memory while a step prints
/// hundreds of megabytes is measured end to end, on the `flow` process alone, in FlowCLITests:
/// this test process's RSS is shared with every test running beside it.)
@Suite("Process runner: large output", .serialized)
struct LargeOutputTests {

    @Test("200 MB at full speed: every byte, chunks ≤ 64 KiB", arguments: RunnerKind.allCases)
    func twoHundredMegabytes(_ runner: RunnerKind) async throws {
        let size = 200_000_000
        let counter = OutputCounter(expectedByte: 0)
        let outcome = try await runner.make().run(
            ProcessTests.shell("head -c \(size) /dev/zero", marker: ProcessTests.marker("200mb")),
            output: counter.handler
        )
        #expect(outcome.termination == .exited(0))
        #expect(counter.total == size)
        #expect(counter.largestChunk <= 64 * 1024)
        #expect(counter.emptyChunks == 0)
        #expect(counter.unexpectedChunks == 0)
    }

    @Test("a 20 MB line without a newline: every byte, chunks ≤ 64 KiB", arguments: RunnerKind.allCases)
    func oneHugeLine(_ runner: RunnerKind) async throws {
        let size = 20_000_000
        let counter = OutputCounter(expectedByte: UInt8(ascii: "x"))
        let outcome = try await runner.make().run(
            ProcessTests.shell("head -c \(size) /dev/zero | tr '\\0' x", marker: ProcessTests.marker("20mb")),
            output: counter.handler
        )
        #expect(outcome.termination == .exited(0))
        #expect(counter.total == size)
        #expect(counter.largestChunk <= 64 * 1024)
        #expect(counter.unexpectedChunks == 0)
    }
}
