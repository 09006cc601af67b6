import Foundation
import FlowEngine

/// What autofix carries from one round to the next, in `<step folder>/autofix/state.json`
/// (written whole: temporary file, fsync, rename), so `flow resume` after a kill continues at
/// the next round with the fixes so far.
public struct AutofixState: Codable, Sendable, Equatable {
    /// One fix applied to the copy.
    public struct AppliedFix: Codable, Sendable, Equatable {
        /// 0 for the `analyze` pass before round 1.
        public var round: Int
        public var signature: String
        public var fix: String
        /// Relative to the copy's root, with the 1-based line of the first edit.
        public var file: String
        public var line: Int
        public var description: String
    }

    public static let version = 1
    public var version = AutofixState.version
    /// Rounds that ended (failed and were answered); the next round is `rounds + 1`.
    public var rounds = 0
    /// The signature of the last failed round, for "seen twice in a row".
    public var lastSignature: String?
    public var fixes: [AppliedFix] = []
    /// The user's context and Dockerfile, as resolved when the copy was made.
    public var context: String
    public var dockerfile: String
    /// The copy's Dockerfile, relative to the copy's root.
    public var copiedDockerfile: String
    /// Files edited so far (relative to the copy's root) → sha256 of the user's original, which
    /// is kept under `original/` for the cumulative patch and checked before a write-back.
    public var originals: [String: String] = [:]
    /// The inputs the copy was made for: a resume with other inputs starts over.
    public var fingerprint: String

    public var appliedIDs: [String] {
        var seen = Set<String>()
        return fixes.map(\.fix).filter { seen.insert($0).inserted }
    }

    static func load(_ path: String) -> AutofixState? {
        guard let bytes = try? UntrustedFile.read(path, limit: 4 << 20, links: .refuse),
              let state = try? JSONDecoder().decode(AutofixState.self, from: Data(bytes)),
              state.version == version else { return nil }
        return state
    }

    func save(_ path: String) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        do {
            try ReportFile.write(bytes: Array(try encoder.encode(self)), to: path, mode: 0o600)
        } catch {
            throw StepError("autofix: cannot save its state: \(error)", kind: .terminal)
        }
    }
}
