import Foundation

/// The `$FLOW_OUTPUT` protocol shared by `run:` steps and user step types: `name=value` lines,
/// and `name<<DELIMITER` … `DELIMITER` for multi-line values (GitHub Actions' `$GITHUB_OUTPUT`).
public enum OutputFile {
    /// Outputs larger than this are refused rather than read into memory.
    public static let maximumSize = 1 << 20

    /// The largest value one output may have: a script step that uses it receives it in one
    /// environment variable (`FLOW_EXPR_n=value`), and Linux caps one environment string at
    /// 128 KiB (MAX_ARG_STRLEN); 1 KiB is left for the variable's name. A larger value would
    /// be accepted here and then fail every step that reads it, so it fails the step that
    /// writes it instead.
    public static let maximumValueSize = 127 << 10

    /// Creates an empty output file (mode 0600) at `path`.
    public static func create(at path: String) throws {
        let fd = open(path, O_CREAT | O_TRUNC | O_WRONLY | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw StepError("cannot create \(path): \(String(cString: strerror(errno)))", kind: .terminal) }
        close(fd)
    }

    /// Reads and parses the file a step wrote. A step may have removed it (no outputs), or
    /// replaced it with a FIFO, a symlink or something huge: that is an error of the step, never
    /// a hang or a read of another file (see ``UntrustedFile``).
    public static func read(at path: String) throws -> [String: String] {
        guard UntrustedFile.exists(path, links: .refuse) else { return [:] }
        let bytes: [UInt8]
        do {
            bytes = try UntrustedFile.read(path, limit: maximumSize, links: .refuse)
        } catch let failure {
            if case .tooLarge = failure {
                throw StepError("$FLOW_OUTPUT is larger than \(maximumSize / 1024) KiB; write large results to a file and output its path", kind: .terminal)
            }
            throw StepError("$FLOW_OUTPUT: \(failure); a step must leave it a regular file (or remove it)", kind: .terminal)
        }
        let outputs = try parse(String(decoding: bytes, as: UTF8.self))
        for (name, value) in outputs where value.utf8.count > maximumValueSize {
            throw StepError("output `\(name)` is \(value.utf8.count / 1024) KiB; an output value is at most \(maximumValueSize / 1024) KiB, "
                            + "since the steps that read it receive it in one environment variable (Linux's limit: 128 KiB); "
                            + "write large results to a file and output its path", kind: .terminal)
        }
        return outputs
    }

    /// Parses the text; a later value for the same name wins.
    public static func parse(_ text: String) throws -> [String: String] {
        var outputs: [String: String] = [:]
        var lines = text.split(separator: "\n", omittingEmptySubsequences: false).map { $0.hasSuffix("\r") ? $0.dropLast() : $0 }[...]
        if lines.last == "" { lines = lines.dropLast() }
        var number = 0
        while let line = lines.popFirst() {
            number += 1
            if line.isEmpty { continue }
            if let heredoc = line.range(of: "<<"), !line[..<heredoc.lowerBound].contains("=") {
                let name = String(line[..<heredoc.lowerBound])
                let delimiter = line[heredoc.upperBound...]
                guard isName(name), !delimiter.isEmpty else { throw malformed(number) }
                var value: [Substring] = []
                var closed = false
                while let next = lines.popFirst() {
                    number += 1
                    if next == delimiter { closed = true; break }
                    value.append(next)
                }
                guard closed else {
                    throw StepError("$FLOW_OUTPUT: `\(name)<<\(delimiter)` is not closed by a line `\(delimiter)`", kind: .terminal)
                }
                outputs[name] = value.joined(separator: "\n")
            } else if let eq = line.firstIndex(of: "=") {
                let name = String(line[..<eq])
                guard isName(name) else { throw malformed(number) }
                outputs[name] = String(line[line.index(after: eq)...])
            } else {
                throw malformed(number)
            }
        }
        return outputs
    }

    private static func isName(_ s: String) -> Bool {
        !s.isEmpty && s.utf8.allSatisfy { c in
            (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5A) || (c >= 0x61 && c <= 0x7A) || c == 0x2D || c == 0x5F
        }
    }

    private static func malformed(_ line: Int) -> StepError {
        StepError("$FLOW_OUTPUT line \(line): expected `name=value` or `name<<DELIMITER`", kind: .terminal)
    }
}
