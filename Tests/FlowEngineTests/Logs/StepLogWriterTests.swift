import Foundation
import Testing
import FlowTestSupport

import FlowEngine

/// Serialized: some tests change the process umask, and the memory tests (in the extension
/// in StepLogWriterMemoryTests.swift) measure the process's peak RSS.
@Suite("StepLogWriter", .serialized)
struct StepLogWriterTests {
    static let masker = SecretMasker(secrets: ["hunter2-pass", "tok_ABCDEFGH"])

    /// Runs `body` with a fresh temporary directory, removed afterwards.
    static func withDirectory<R>(_ body: (String) throws -> R) throws -> R {
        let directory = try LogsTestSupport.makeTemporaryDirectory()
        defer { LogsTestSupport.removeDirectory(directory) }
        return try body(directory)
    }

    /// Runs `body` with the process umask set to `mask`, then restores it.
    static func withUmask<R>(_ mask: mode_t, _ body: () throws -> R) rethrows -> R {
        let previous = umask(mask)
        defer { umask(previous) }
        return try body()
    }

    @Test("the log file is 0600 and the directories it creates 0700, under umask 022 and 277")
    func permissions() throws {
        try Self.withDirectory { directory in
            for mask: mode_t in [0o022, 0o277] {
                let path = "\(directory)/u\(mask)/runs/r1/step.log"
                try Self.withUmask(mask) {
                    let writer = try StepLogWriter(path: path, masker: Self.masker)
                    try writer.write(Array("hello\n".utf8))
                    try writer.close()
                }
                #expect(LogsTestSupport.mode(of: path) == 0o600)
                #expect(LogsTestSupport.mode(of: "\(directory)/u\(mask)/runs/r1") == 0o700)
                #expect(LogsTestSupport.mode(of: "\(directory)/u\(mask)/runs") == 0o700)
                #expect(LogsTestSupport.mode(of: "\(directory)/u\(mask)") == 0o700)
                #expect(try LogsTestSupport.contents(of: path) == Array("hello\n".utf8))
            }
            // The temporary directory existed already: left as it was.
            #expect(LogsTestSupport.mode(of: directory) == 0o700)
        }
    }

    @Test("an existing world-readable log is truncated and made 0600")
    func existingFileTightened() throws {
        try Self.withDirectory { directory in
            let path = "\(directory)/old.log"
            #expect(FileManager.default.createFile(atPath: path, contents: Data("old content".utf8),
                                                   attributes: [.posixPermissions: 0o666]))
            #expect(LogsTestSupport.mode(of: path) != 0o600)
            let writer = try StepLogWriter(path: path, masker: Self.masker)
            try writer.write(Array("new\n".utf8))
            #expect(LogsTestSupport.mode(of: path) == 0o600)
            #expect(try LogsTestSupport.contents(of: path) == Array("new\n".utf8))
            try writer.close()
        }
    }

    @Test("an attempt that prints nothing leaves no file and no folder")
    func silentAttemptLeavesNothing() throws {
        try Self.withDirectory { directory in
            let path = "\(directory)/step/attempt-1.log"
            let writer = try StepLogWriter(path: path, masker: Self.masker)
            try writer.write([UInt8]())
            try writer.close()
            #expect(!FileManager.default.fileExists(atPath: "\(directory)/step"))
        }
    }

    @Test("each write is in the file when it returns, without waiting for close")
    func writesReachTheFileAtOnce() throws {
        try Self.withDirectory { directory in
            let path = "\(directory)/step.log"
            let writer = try StepLogWriter(path: path, masker: Self.masker)
            try writer.write(Array("first line\n".utf8))
            #expect(try LogsTestSupport.contents(of: path) == Array("first line\n".utf8))
            try writer.write(Array("second line\n".utf8))
            #expect(try LogsTestSupport.contents(of: path) == Array("first line\nsecond line\n".utf8))
            try writer.close()
        }
    }

    @Test("after a log cannot be created, later writes and close() throw too")
    func creationFailureSurfaces() throws {
        try Self.withDirectory { directory in
            // A regular file where the step folder should be.
            #expect(FileManager.default.createFile(atPath: "\(directory)/step", contents: Data()))
            let writer = try StepLogWriter(path: "\(directory)/step/attempt-1.log", masker: Self.masker)
            #expect(throws: StepLogError.self) { try writer.write(Array("x\n".utf8)) }
            #expect(throws: StepLogError.self) { try writer.write(Array("y\n".utf8)) }
            #expect(throws: StepLogError.self) { try writer.close() }
        }
    }

    @Test("content is masked even when a secret is split across writes")
    func contentMasked() throws {
        try Self.withDirectory { directory in
            let path = "\(directory)/step.log"
            let writer = try StepLogWriter(path: path, masker: Self.masker)
            for piece in ["login with hun", "ter2-", "pass ok\n", "token tok_ABCD", "EFGH\nbye"] {
                try writer.write(Array(piece.utf8))
            }
            try writer.close()
            let text = String(decoding: try LogsTestSupport.contents(of: path), as: UTF8.self)
            #expect(text == "login with *** ok\ntoken ***\nbye")
            #expect(writer.bytesWritten == text.utf8.count)
        }
    }

    @Test("lastLine is the last complete line, masked and trimmed; tail gives the last lines")
    func lastLineAndTail() throws {
        try Self.withDirectory { directory in
            let writer = try StepLogWriter(path: "\(directory)/step.log", masker: Self.masker)
            #expect(writer.lastLine == "")
            #expect(writer.tail(lines: 3) == [])
            try writer.write(Array("one\ntwo hunter2-pass\r\nthr".utf8))
            #expect(writer.lastLine == "two ***")
            try writer.write(Array("ee\n\nfour".utf8))
            #expect(writer.lastLine == "")  // the empty line between three and four
            #expect(writer.tail(lines: 3) == ["three", "", "four"])
            #expect(writer.tail(lines: 100) == ["one", "two ***", "three", "", "four"])
            #expect(writer.tail(lines: 0) == [])
            try writer.write(Array("\n".utf8))
            #expect(writer.lastLine == "four")
            #expect(writer.tail(lines: 1) == ["four"])

            let long = String(repeating: "é", count: 150) + String(repeating: "x", count: 1000)
            try writer.write(Array("\(long)\n".utf8))
            #expect(writer.lastLine.count == 200)
            #expect(writer.lastLine == String(long.prefix(200)))
            try writer.close()
        }
    }

    @Test("tail answers from the last 64 KiB: older lines go, the partial first line is dropped")
    func tailIsBounded() throws {
        try Self.withDirectory { directory in
            let writer = try StepLogWriter(path: "\(directory)/step.log", masker: Self.masker)
            for i in 0..<10_000 {
                try writer.write(Array("line \(i) hunter2-pass\n".utf8))
            }
            try writer.close()
            let lines = writer.tail(lines: 100_000)
            #expect(lines.count > 3000 && lines.count < 6000)  // ~64 KiB of 14-byte lines
            #expect(lines.last == "line 9999 ***")
            let firstNumber = Int(lines[0].dropFirst(5).prefix { $0.isNumber }) ?? -1
            #expect(lines[0] == "line \(firstNumber) ***")  // whole, not a fragment
            #expect(writer.tail(lines: 2) == ["line 9998 ***", "line 9999 ***"])
        }
    }

    @Test("capped: the file keeps the first and last cap/2 bytes with the omitted-bytes line")
    func capped() throws {
        try Self.withDirectory { directory in
            let path = "\(directory)/capped.log"
            var generator = SeededGenerator(seed: 9)
            let letters = Array("abcdefghij klmnop\n".utf8)
            let content = (0..<10_000).map { _ in letters.randomElement(using: &generator)! }
            let writer = try StepLogWriter(path: path, masker: Self.masker, cap: 1024)
            var offset = 0
            while offset < content.count {
                let size = min(Int.random(in: 1...700, using: &generator), content.count - offset)
                try writer.write(content[offset..<(offset + size)])
                offset += size
            }
            try writer.close()
            let expected = Array(content[..<512]) + Array("\n… 8976 bytes omitted …\n".utf8) + Array(content[(10_000 - 512)...])
            #expect(try LogsTestSupport.contents(of: path) == expected)
            #expect(writer.bytesWritten == 10_000)
        }
    }

    @Test("capped: output that fits, exactly or below the cap, is written whole without a marker")
    func cappedFits() throws {
        try Self.withDirectory { directory in
            for size in [0, 100, 1024] {
                let path = "\(directory)/fits-\(size).log"
                let content = (0..<size).map { UInt8(ascii: "a") + UInt8($0 % 26) }
                let writer = try StepLogWriter(path: path, masker: Self.masker, cap: 1024)
                try writer.write(content)
                try writer.close()
                if size == 0 {
                    // Nothing printed: no file at all.
                    #expect(!FileManager.default.fileExists(atPath: path))
                } else {
                    #expect(try LogsTestSupport.contents(of: path) == content)
                }
            }
            // One byte over: one byte omitted.
            let path = "\(directory)/over.log"
            let content = [UInt8](repeating: UInt8(ascii: "z"), count: 1025)
            let writer = try StepLogWriter(path: path, masker: Self.masker, cap: 1024)
            try writer.write(content)
            try writer.close()
            #expect(try LogsTestSupport.contents(of: path)
                == Array(content[..<512]) + Array("\n… 1 bytes omitted …\n".utf8) + Array(content[..<512]))
        }
    }

    @Test("capped: the cut counts masked bytes, and secrets never straddle into the file")
    func cappedMasked() throws {
        try Self.withDirectory { directory in
            let path = "\(directory)/capped.log"
            let line = "secret hunter2-pass here\n"
            let writer = try StepLogWriter(path: path, masker: Self.masker, cap: 2048)
            for _ in 0..<1000 { try writer.write(Array(line.utf8)) }
            try writer.close()
            let file = try LogsTestSupport.contents(of: path)
            let text = String(decoding: file, as: UTF8.self)
            #expect(!text.contains("hunter2"))
            let maskedLine = "secret *** here\n"
            #expect(writer.bytesWritten == maskedLine.utf8.count * 1000)
            #expect(text.contains("\n… \(maskedLine.utf8.count * 1000 - 2048) bytes omitted …\n"))
            #expect(file.count == 2048 + "\n… \(maskedLine.utf8.count * 1000 - 2048) bytes omitted …\n".utf8.count)
        }
    }

    @Test("a cap below 1 KiB or above 64 MiB is refused", arguments: [-1, 0, 1023, 64 * 1024 * 1024 + 1])
    func capOutOfRange(cap: Int) throws {
        try Self.withDirectory { directory in
            #expect(throws: StepLogError.capOutOfRange(cap)) {
                _ = try StepLogWriter(path: "\(directory)/x.log", masker: Self.masker, cap: cap)
            }
            #expect(!FileManager.default.fileExists(atPath: "\(directory)/x.log"))
        }
    }

    @Test("the cap limits themselves are accepted")
    func capLimitsAccepted() throws {
        try Self.withDirectory { directory in
            for cap in [1024, 64 * 1024 * 1024] {
                let writer = try StepLogWriter(path: "\(directory)/c\(cap).log", masker: Self.masker, cap: cap)
                try writer.close()
            }
        }
    }

    @Test("writing after close throws; closing twice is harmless; an unwritable path throws at the first write")
    func closedAndErrors() throws {
        try Self.withDirectory { directory in
            let path = "\(directory)/step.log"
            let writer = try StepLogWriter(path: path, masker: Self.masker)
            try writer.close()
            try writer.close()
            #expect(throws: StepLogError.closed(path: path)) { try writer.write([1, 2, 3]) }

            #expect(FileManager.default.createFile(atPath: "\(directory)/plain", contents: Data()))
            let blocked = try StepLogWriter(path: "\(directory)/plain/inside.log", masker: Self.masker)
            #expect(throws: StepLogError.self) { try blocked.write(Array("x\n".utf8)) }
        }
    }
}
