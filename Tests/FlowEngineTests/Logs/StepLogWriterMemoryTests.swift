import Foundation
import Testing

import FlowEngine

/// Volume: tens of megabytes, capped and uncapped, and one 20 MB line, with exact sizes, tails
/// and masking. (Peak memory is measured end to end on the `flow` process in FlowCLITests: this
/// test process's RSS is shared with every test running beside it.)
extension StepLogWriterTests {

    /// Exactly 64 KiB of whole log lines, a secret in every tenth one.
    static func logChunk() -> [UInt8] {
        let size = 64 * 1024
        var chunk: [UInt8] = []
        var i = 0
        while true {
            let secret = i % 10 == 0 ? " tok_ABCDEFGH" : ""
            let line = Array("[\(i)] compiling module \(i % 97) of the build\(secret)\n".utf8)
            if chunk.count + line.count + 10 > size { break }
            chunk += line
            i += 1
        }
        chunk += Array("done".utf8) + [UInt8](repeating: UInt8(ascii: "."), count: size - chunk.count - 5) + [0x0A]
        return chunk
    }

    @Test("32 MB in 64 KiB chunks, capped and not", arguments: [nil, 4 * 1024 * 1024])
    func thirtyTwoMegabytes(cap: Int?) throws {
        try Self.withDirectory { directory in
            let path = "\(directory)/big.log"
            let chunk = Self.logChunk()
            let maskedChunk = Self.masker.mask(chunk)
            #expect(maskedChunk.count < chunk.count)
            let chunks = 32 * 1024 * 1024 / chunk.count

            let writer = try StepLogWriter(path: path, masker: Self.masker, cap: cap)
            for _ in 0..<chunks { try writer.write(chunk) }
            try writer.close()

            // The chunk boundaries never cut a secret here, so the total is exact.
            #expect(writer.bytesWritten == maskedChunk.count * chunks)
            let size = (try FileManager.default.attributesOfItem(atPath: path)[.size] as? Int) ?? -1
            if let cap {
                let omitted = maskedChunk.count * chunks - cap
                #expect(size == cap + "\n… \(omitted) bytes omitted …\n".utf8.count)
            } else {
                #expect(size == maskedChunk.count * chunks)
            }
            #expect(chunk.count == 64 * 1024)
            let lastLine = "done" + String(repeating: ".", count: 64 * 1024 - (chunk.dropLast().lastIndex(of: 0x0A)! + 1) - 5)
            #expect(writer.tail(lines: 1) == [lastLine])
            #expect(writer.lastLine == String(lastLine.prefix(200)))
        }
    }

    @Test("one 20 MB line without a newline keeps lastLine and tail short")
    func twentyMegabyteLine() throws {
        try Self.withDirectory { directory in
            let path = "\(directory)/line.log"
            var chunk = [UInt8](repeating: UInt8(ascii: "x"), count: 64 * 1024)
            chunk.replaceSubrange(1000..<1012, with: Array("hunter2-pass".utf8))

            let writer = try StepLogWriter(path: path, masker: Self.masker)
            try writer.write(Array("start\n".utf8))
            for _ in 0..<320 {
                try writer.write(chunk)
                #expect(writer.lastLine == "start")
            }
            try writer.write(Array("\n".utf8))
            let last = writer.lastLine
            #expect(last.count == 200)
            #expect(last == String(repeating: "x", count: 200))
            let tail = writer.tail(lines: 2)
            #expect(tail.count == 1)  // the end of the long line; "start" is long gone
            let end = try #require(tail.first)
            #expect(end.utf8.count == 64 * 1024 - 1)
            #expect(end.contains("xxx***xxx") && !end.contains("hunter2"))
            try writer.close()

            let maskedChunkSize = 64 * 1024 - "hunter2-pass".utf8.count + 3
            #expect(writer.bytesWritten == 6 + 320 * maskedChunkSize + 1)
            let size = (try FileManager.default.attributesOfItem(atPath: path)[.size] as? Int) ?? -1
            #expect(size == writer.bytesWritten)
        }
    }
}
