import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// What autofix reads of a failed round's log, bounded: the lines of the log file that match a
/// catalogue pattern (streamed in 64 KiB chunks, never the whole file in memory; at most
/// `maximumMatches`, each cut at `maximumLineLength`) plus the last lines the step's log holds
/// in memory (`context.log.tail`, which also has what the writer has not flushed yet).
public struct FailureLog: Sendable {
    public static let tailLines = 200
    public static let maximumMatches = 200
    public static let maximumLineLength = 4096

    /// Matching lines first (in file order), then the tail.
    public var lines: [String]

    public init(lines: [String]) { self.lines = lines }

    /// Reads `path` (a missing or unreadable file gives no lines) and adds `tail`. In each chunk
    /// the catalogue's literal hints are found with `memmem` and only the lines holding one are
    /// matched against the patterns (regular expressions over every line of a 20 MB log took
    /// minutes; this takes well under a second).
    public static func read(path: String, tail: [String], catalogue: SignatureCatalogue) -> FailureLog {
        var kept: [String] = []
        let hints = (catalogue.hints + builderHints).map { Array($0.utf8) }.filter { !$0.isEmpty }
        if let handle = FileHandle(forReadingAtPath: path), let finder = catalogue.lineFinder(extra: builderPatterns) {
            defer { try? handle.close() }
            var pending = Data()
            func search(_ data: Data) {
                guard kept.count < maximumMatches, !data.isEmpty else { return }
                for line in candidateLines(in: data, hints: hints) {
                    let text = String(decoding: line.prefix(maximumLineLength), as: UTF8.self)
                    guard finder.firstMatch(in: text, range: NSRange(text.startIndex..., in: text)) != nil else { continue }
                    kept.append(text)
                    if kept.count >= maximumMatches { return }
                }
            }
            while kept.count < maximumMatches, let chunk = try? handle.read(upToCount: 64 << 10), !chunk.isEmpty {
                pending.append(chunk)
                if let newline = pending.lastIndex(of: UInt8(ascii: "\n")) {
                    search(pending[pending.startIndex...newline])
                    pending = Data(pending[(newline + 1)...])
                }
                // A line longer than 64 KiB is searched in pieces.
                if pending.count > 64 << 10 {
                    search(pending)
                    pending = Data()
                }
            }
            search(pending)
        }
        let recent = tail.suffix(tailLines).map { String($0.prefix(maximumLineLength)) }
        return FailureLog(lines: kept + recent)
    }

    /// The lines of `data` (without their newline) that contain one of `hints`, in order. The
    /// chunk is searched as a C string with glibc's `strstr` (NUL bytes in it made spaces first).
    static func candidateLines(in data: Data, hints: [[UInt8]]) -> [Data] {
        var bytes = [UInt8](data)
        bytes.append(0)
        let count = bytes.count - 1
        return bytes.withUnsafeMutableBufferPointer { buffer -> [Data] in
            guard let base = buffer.baseAddress, count > 0 else { return [] }
            var from = 0
            while from < count, let nul = memchr(base + from, 0, count - from) {
                let at = base.distance(to: nul.assumingMemoryBound(to: UInt8.self))
                base[at] = UInt8(ascii: " ")
                from = at + 1
            }
            var lines: [Int: Int] = [:]
            for hint in hints {
                let needle = hint.map { CChar(bitPattern: $0) } + [0]
                var offset = 0
                while offset < count, lines.count < 10_000,
                      let found = strstr(UnsafeRawPointer(base + offset).assumingMemoryBound(to: CChar.self), needle) {
                    let position = UnsafeRawPointer(base).distance(to: UnsafeRawPointer(found))
                    var start = position
                    while start > 0, base[start - 1] != UInt8(ascii: "\n") { start -= 1 }
                    let end = memchr(base + position, Int32(UInt8(ascii: "\n")), count - position)
                        .map { UnsafeRawPointer(base).distance(to: UnsafeRawPointer($0)) } ?? count
                    lines[start] = end
                    offset = end + 1
                }
            }
            return lines.keys.sorted().map { Data(bytes: base + $0, count: lines[$0]! - $0) }
        }
    }

    /// The instruction the builder was running when it failed, as the builder printed it:
    /// buildah/podman `Error: building at STEP "RUN …": exit status 1`, docker BuildKit
    /// `process "/bin/sh -c …" did not complete successfully`, else the last `STEP n/m: …` line.
    public var failingInstruction: String? {
        for line in lines.reversed() {
            if let groups = Self.buildahFailure.firstMatch(in: line), groups.count > 1 { return groups[1] }
            if let groups = Self.buildkitFailure.firstMatch(in: line), groups.count > 1 { return "RUN " + groups[1] }
        }
        for line in lines.reversed() {
            if let groups = Self.buildahStep.firstMatch(in: line), groups.count > 1 { return groups[1] }
        }
        return nil
    }

    static let builderHints = ["building at STEP", "did not complete successfully", "STEP "]
    static let builderPatterns = [#"building at STEP ""#, #"did not complete successfully"#, #"^STEP \d+/\d+: "#]

    static let buildahFailure = try! NSRegularExpression(pattern: #"building at STEP "(.*)": exit status"#)
    static let buildkitFailure = try! NSRegularExpression(pattern: #"process "/bin/(?:ba)?sh -c (.*)" did not complete successfully"#)
    static let buildahStep = try! NSRegularExpression(pattern: #"^STEP \d+/\d+: (.*)$"#)
}
