import Foundation

/// Where `--state-url` keeps a state database: `s3://bucket/prefix` holds `prefix/flow.db` and,
/// when two builds raced, the loser's copy under `prefix/conflicts/`.
public struct StateURL: Sendable, Equatable, CustomStringConvertible {
    public var bucket: String
    /// The key prefix without leading or trailing slashes; empty for the bucket's root.
    public var prefix: String

    /// Why a `--state-url` value is not one.
    public struct Invalid: Error, Sendable, Equatable, CustomStringConvertible {
        public var description: String
    }

    /// Parses `s3://bucket[/prefix]`. The bucket follows S3's naming rules (3-63 of `a-z 0-9 . -`,
    /// starting and ending with a letter or digit); the prefix may not contain `..` segments.
    public init(parsing text: String) throws(Invalid) {
        let hint = "give it as s3://bucket/prefix (for example s3://my-builds/flow/nightly)"
        guard text.hasPrefix("s3://") else { throw Invalid(description: "--state-url `\(text)` is not an s3:// URL; \(hint)") }
        let rest = text.dropFirst(5)
        let bucket = String(rest.prefix { $0 != "/" })
        let allowed = Set("abcdefghijklmnopqrstuvwxyz0123456789.-")
        guard (3...63).contains(bucket.count), bucket.allSatisfy(allowed.contains),
              let first = bucket.first, let last = bucket.last, first.isLetter || first.isNumber, last.isLetter || last.isNumber else {
            throw Invalid(description: "--state-url `\(text)`: `\(bucket)` is not a valid S3 bucket name (3-63 of a-z, 0-9, `.`, `-`); \(hint)")
        }
        let segments = rest.dropFirst(bucket.count).split(separator: "/", omittingEmptySubsequences: true)
        guard !segments.contains(where: { $0 == ".." || $0 == "." }), !segments.contains(where: { $0.contains(where: \.isNewline) }) else {
            throw Invalid(description: "--state-url `\(text)`: the prefix may not contain `.` or `..` segments or line breaks; \(hint)")
        }
        self.bucket = bucket
        self.prefix = segments.joined(separator: "/")
    }

    /// The key of the state database.
    public var databaseKey: String { key("flow.db") }

    /// The key under which a build that lost a race saves its own copy: `conflicts/<run>-<build>.db`.
    public func conflictKey(runID: String, build: String, attempt: Int = 1) -> String {
        let safe = { (text: String) in String(text.map { $0.isLetter || $0.isNumber || "._-".contains($0) ? $0 : "-" }) }
        return key("conflicts/\(safe(runID))-\(safe(build))" + (attempt > 1 ? "-\(attempt)" : "") + ".db")
    }

    public func key(_ name: String) -> String { prefix.isEmpty ? name : prefix + "/" + name }

    /// `s3://bucket/key`.
    public func address(of key: String) -> String { "s3://\(bucket)/\(key)" }

    public var description: String { prefix.isEmpty ? "s3://\(bucket)" : "s3://\(bucket)/\(prefix)" }
}
